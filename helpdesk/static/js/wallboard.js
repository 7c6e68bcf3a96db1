// The supervisor wallboard: draws the board it is given, then every board the server pushes
// (Socket.IO /agent, event "wallboard"). Everything shown is set with textContent: names and
// subjects are data, never markup. Region clocks tick locally between pushes.
// Outside TV mode a queue row opens its tickets (oldest waiting, at SLA risk) with actions
// (reassign, move, priority) and an online agent can be set away, through /supervisor/api;
// the board then changes through the normal push, and an open ticket list reloads with it.
(function () {
  "use strict";
  var root = document.getElementById("wallboard");
  var timeZone = root.dataset.timezone || "UTC";
  var actions = root.dataset.actions === "1";
  var board = JSON.parse(document.getElementById("wb-initial").textContent);
  var status = document.getElementById("live-status");
  var csrf = document.querySelector('meta[name="csrf-token"]');

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
      if (actions) {
        var open = detail && detail.client_id === q.client_id && detail.region_id === (q.region_id || null);
        if (open) { row.className = "selected"; }
        button(cell(row, ""), "Tickets", "wb-open-queue", function () {
          openDetail(q.client_id, q.region_id || null);
        });
      }
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
      if (actions) {
        var td = cell(row, "");
        if (a.presence === "online") {
          button(td, "Set away", "wb-set-away secondary", function () { setAway(a); });
        }
      }
      body.appendChild(row);
    });
  }

  function draw(next) {
    board = next;
    drawRegions();
    drawQueues();
    drawAgents();
    document.getElementById("wb-updated").textContent = at(board.at, timeZone);
    if (detail) { refreshDetailSoon(); }
  }

  // --- actions (not in TV mode) -------------------------------------------------------------
  var detail = null;          // the open queue: {client_id, region_id}
  var chosen = null;          // the ticket the action form is for
  var refreshTimer = null;
  var message = document.getElementById("wb-message");

  function button(parent, text, className, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.className = className;
    b.addEventListener("click", onClick);
    parent.appendChild(b);
    return b;
  }

  function say(text, isError) {
    if (!message) { return; }
    message.textContent = text;
    message.className = "notice wb-message" + (isError ? " error" : " ok");
  }

  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin",
                    headers: { "X-CSRFToken": csrf ? csrf.content : "", "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw (data && data.error) || { message: response.status + " " + response.statusText };
        }
        return data;
      });
    });
  }

  function clientName(id) { return (board.clients || {})[id] || "#" + id; }

  function agentName(id) {
    var found = (board.agents || []).filter(function (a) { return a.id === id; })[0];
    return found ? found.name : "#" + id;
  }

  function openDetail(clientId, regionId) {
    detail = { client_id: clientId, region_id: regionId };
    chosen = null;
    document.getElementById("wb-action").hidden = true;
    document.getElementById("wb-detail-title").textContent =
      "Tickets of " + clientName(clientId) + " in " + regionName(regionId);
    document.getElementById("wb-detail").hidden = false;
    drawQueues();
    loadDetail();
  }

  function closeDetail() {
    detail = null;
    chosen = null;
    document.getElementById("wb-detail").hidden = true;
    drawQueues();
  }

  function refreshDetailSoon() {
    if (refreshTimer) { return; }
    refreshTimer = setTimeout(function () { refreshTimer = null; if (detail) { loadDetail(); } }, 250);
  }

  function loadDetail() {
    var wanted = detail;
    var query = new URLSearchParams({ client_id: wanted.client_id, region_id: wanted.region_id || 0 });
    return api("GET", "/supervisor/api/queue?" + query.toString()).then(function (reply) {
      if (detail !== wanted) { return; }  // another queue was opened meanwhile
      drawTicketList("#wb-waiting-list tbody", reply.waiting, function (t) { return duration(t.waiting_seconds); });
      drawTicketList("#wb-risk-list tbody", reply.at_risk, function (t) { return at(t.next_due_at, timeZone); });
    }).catch(function (error) { say(error.message, true); });
  }

  function drawTicketList(selector, rows, timeCell) {
    var body = document.querySelector(selector);
    body.replaceChildren();
    if (!rows.length) {
      var empty = document.createElement("tr");
      var td = cell(empty, "None", "muted");
      td.colSpan = 8;
      body.appendChild(empty);
    }
    rows.forEach(function (t) {
      var row = document.createElement("tr");
      row.dataset.ticketId = t.id;
      if (chosen && chosen.id === t.id) { row.className = "selected"; }
      cell(row, t.reference);
      cell(row, t.subject);
      cell(row, t.priority, "priority " + t.priority);
      cell(row, t.status);
      cell(row, t.assignee_name || "—", "assignee");
      cell(row, timeCell(t), "num");
      cell(row, t.sla === "breached" ? "breached" : (t.sla === "at_risk" ? "at risk" : ""),
           t.sla === "breached" ? "breached" : (t.sla === "at_risk" ? "risk" : ""));
      button(cell(row, ""), "Actions", "wb-ticket-actions secondary", function () { chooseTicket(t); });
      body.appendChild(row);
    });
  }

  function option(select, value, text, selected) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    o.selected = !!selected;
    select.appendChild(o);
  }

  function chooseTicket(t) {
    api("GET", "/supervisor/api/tickets/" + t.id + "/options").then(function (reply) {
      chosen = reply.ticket;
      document.getElementById("wb-action-ticket").textContent = chosen.reference + " · " + chosen.subject;
      var agents = document.getElementById("wb-agent");
      agents.replaceChildren();
      option(agents, "", "— back to the queue —", chosen.assignee_id === null);
      reply.agents.forEach(function (a) {
        option(agents, a.id, a.name + " (" + regionName(a.region_id) + ", " + a.presence + ")",
               a.id === chosen.assignee_id);
      });
      var regions = document.getElementById("wb-region");
      regions.replaceChildren();
      reply.regions.forEach(function (r) { option(regions, r.id, r.name, r.id === chosen.region_id); });
      var priorities = document.getElementById("wb-priority");
      priorities.replaceChildren();
      reply.priorities.forEach(function (p) { option(priorities, p, p, p === chosen.priority); });
      document.getElementById("wb-note").value = "";
      document.getElementById("wb-action").hidden = false;
      document.querySelectorAll("#wb-detail tbody tr").forEach(function (row) {
        row.className = Number(row.dataset.ticketId) === chosen.id ? "selected" : "";
      });
    }).catch(function (error) { say(error.message, true); });
  }

  function act(path, body, describe) {
    if (!chosen) { return; }
    var ticket = chosen;
    api("POST", "/supervisor/api/tickets/" + ticket.id + "/" + path, body).then(function (reply) {
      chosen = reply.ticket;
      say(reply.changed ? describe(reply.ticket) : reply.ticket.reference + ": nothing to change.", false);
      loadDetail();
    }).catch(function (error) { say(ticket.reference + ": " + error.message, true); });
  }

  function setAway(agent) {
    api("POST", "/supervisor/api/agents/" + agent.id + "/presence", { state: "away" }).then(function (reply) {
      say(reply.changed ? reply.agent.name + " is now away." : reply.agent.name + " was already away.", false);
    }).catch(function (error) { say(agent.name + ": " + error.message, true); });
  }

  if (actions) {
    document.getElementById("wb-detail-close").addEventListener("click", closeDetail);
    document.getElementById("wb-action-close").addEventListener("click", function () {
      chosen = null;
      document.getElementById("wb-action").hidden = true;
      document.querySelectorAll("#wb-detail tbody tr.selected").forEach(function (row) { row.className = ""; });
    });
    document.getElementById("wb-reassign").addEventListener("click", function () {
      var value = document.getElementById("wb-agent").value;
      act("reassign", { agent_id: value ? Number(value) : null }, function (t) {
        return t.reference + (t.assignee_id ? " reassigned to " + (t.assignee_name || agentName(t.assignee_id))
                                            : " returned to the queue") + ".";
      });
    });
    document.getElementById("wb-move").addEventListener("click", function () {
      var note = document.getElementById("wb-note").value.trim();
      act("move", { region_id: Number(document.getElementById("wb-region").value), note: note || null },
          function (t) { return t.reference + " moved to " + regionName(t.region_id) + "."; });
    });
    document.getElementById("wb-set-priority").addEventListener("click", function () {
      act("priority", { priority: document.getElementById("wb-priority").value },
          function (t) { return t.reference + " is now " + t.priority + " priority."; });
    });
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
