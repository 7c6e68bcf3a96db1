// The supervisor wallboard: draws the board it is given, then every board the server pushes
// (Socket.IO /agent, event "wallboard"). Everything shown is set with textContent: names and
// subjects are data, never markup. Region clocks tick locally between pushes.
(function () {
  "use strict";
  var root = document.getElementById("wallboard");
  var timeZone = root.dataset.timezone || "UTC";
  var board = JSON.parse(document.getElementById("wb-initial").textContent);
  var status = document.getElementById("live-status");

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return "—"; }
    if (seconds < 60) { return seconds + " s"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " min"; }
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  function clock(zone, withDate) {
    var options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone };
    if (withDate) { options.weekday = "short"; }
    try { return new Intl.DateTimeFormat("en-GB", options).format(new Date()); } catch (e) { return ""; }
  }

  function at(iso, zone) {
    if (!iso) { return "—"; }
    try {
      return new Intl.DateTimeFormat("en-GB", { weekday: "short", hour: "2-digit", minute: "2-digit",
                                                hourCycle: "h23", timeZone: zone }).format(new Date(iso));
    } catch (e) { return iso; }
  }

  function regionName(id) {
    var found = (board.regions || []).filter(function (r) { return r.id === id; })[0];
    return found ? found.name : (id ? "#" + id : "unplaced");
  }

  function drawRegions() {
    var list = document.getElementById("wb-regions");
    list.replaceChildren();
    (board.regions || []).forEach(function (region) {
      var item = document.createElement("li");
      item.className = region.on_shift ? "on-shift" : "off-shift";
      item.dataset.regionId = region.id;
      var name = document.createElement("strong");
      name.textContent = region.name;
      var time = document.createElement("span");
      time.className = "clock";
      time.dataset.zone = region.timezone;
      time.textContent = clock(region.timezone, true);
      var state = document.createElement("span");
      state.textContent = (region.on_shift ? "on shift" : "off shift") + " · changes " +
        at(region.next_change, timeZone);
      item.append(name, " ", time, " ", state);
      list.appendChild(item);
    });
  }

  function drawQueues() {
    var body = document.querySelector("#wb-queues tbody");
    body.replaceChildren();
    (board.queues || []).forEach(function (q) {
      var row = document.createElement("tr");
      row.dataset.regionId = q.region_id || "";
      row.dataset.clientId = q.client_id;
      cell(row, regionName(q.region_id));
      cell(row, (board.clients || {})[q.client_id] || "#" + q.client_id);
      cell(row, q.waiting, "num waiting");
      cell(row, duration(q.oldest_waiting_seconds), "num");
      cell(row, q.at_risk, q.at_risk ? "num risk" : "num");
      cell(row, q.breached, q.breached ? "num breached" : "num");
      cell(row, q.open, "num");
      cell(row, q.incoming_15m, "num");
      cell(row, q.handled_today, "num");
      body.appendChild(row);
    });
  }

  function drawAgents() {
    var body = document.querySelector("#wb-agents tbody");
    body.replaceChildren();
    (board.agents || []).forEach(function (a) {
      var row = document.createElement("tr");
      row.dataset.agentId = a.id;
      cell(row, a.name);
      cell(row, regionName(a.region_id));
      cell(row, a.presence, "presence " + a.presence);
      cell(row, duration(a.presence_seconds));
      cell(row, Object.keys(a.load || {}).map(function (ch) { return ch + " " + a.load[ch]; }).join(", ") || "—");
      cell(row, a.handled_today, "num");
      body.appendChild(row);
    });
  }

  function draw(next) {
    board = next;
    drawRegions();
    drawQueues();
    drawAgents();
    document.getElementById("wb-updated").textContent = at(board.at, timeZone);
  }

  setInterval(function () {
    document.querySelectorAll("#wb-regions .clock").forEach(function (el) {
      el.textContent = clock(el.dataset.zone, true);
    });
  }, 15000);

  draw(board);
  var socket = io("/agent", { transports: ["websocket", "polling"] });
  socket.on("wallboard", draw);
  socket.on("connect", function () {
    if (status) { status.textContent = "live"; status.className = "live on"; }
  });
  socket.on("disconnect", function () {
    if (status) { status.textContent = "reconnecting…"; status.className = "live off"; }
  });
}());
