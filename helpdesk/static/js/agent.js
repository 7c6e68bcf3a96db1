// Live agent page: receives events on /agent, remembers the last sequence number
// per client, and after a reconnect asks the server for everything it missed.
(function () {
  "use strict";
  var script = document.currentScript;
  var timeZone = script.dataset.timezone || "UTC";
  var lastSeq = {};           // client_id -> highest seq applied
  var status = document.getElementById("live-status");
  var feed = document.getElementById("feed");
  var tbody = document.querySelector("#tickets tbody");
  var socket = io("/agent", { transports: ["websocket", "polling"] });

  function fmt(iso) {
    try {
      return new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium", timeZone: timeZone })
        .format(new Date(iso));
    } catch (e) { return iso; }
  }

  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }

  function upsertRow(t) {
    var row = tbody.querySelector('tr[data-ticket-id="' + t.id + '"]');
    if (!row) { row = document.createElement("tr"); row.dataset.ticketId = t.id; tbody.prepend(row); }
    row.replaceChildren(cell(t.reference), cell(t.subject), cell(t.status), cell(t.priority), cell(t.channel),
      cell(fmt(t.updated_at)));
  }

  function apply(ev) {
    var seen = lastSeq[ev.client_id] || 0;
    if (ev.seq <= seen) { return; }           // duplicate delivery or already resynced
    lastSeq[ev.client_id] = ev.seq;
    var li = document.createElement("li");
    li.dataset.seq = ev.seq;
    li.dataset.type = ev.type;
    var ticket = (ev.data && ev.data.ticket) || {};
    li.textContent = fmt(ev.created_at) + " · " + ev.type + " · " + (ticket.reference || "") + " " + (ticket.subject || "");
    feed.prepend(li);
    if (ticket.id) { upsertRow(ticket); }
  }

  // Ask for missed events; the server pages them, so keep asking while it says "more".
  function resync(since) {
    socket.emit("resync", { since: since }, function (reply) {
      (reply.events || []).forEach(apply);
      if (reply.more) {
        Object.keys(since).forEach(function (cid) { since[cid] = lastSeq[cid] || since[cid]; });
        resync(since);
      }
    });
  }

  socket.on("hello", function (msg) {
    var since = {};
    var known = Object.keys(lastSeq).length > 0;
    Object.keys(msg.latest || {}).forEach(function (cid) {
      if (known) { since[cid] = lastSeq[cid] || 0; } else { lastSeq[cid] = msg.latest[cid]; }
    });
    if (known) { resync(since); }
    status.textContent = "live";
    status.className = "live on";
  });
  socket.on("event", apply);
  // Presence: the server takes an agent offline after a minute without this.
  setInterval(function () { if (socket.connected) { socket.emit("heartbeat"); } }, 20000);
  socket.on("disconnect", function () { status.textContent = "reconnecting…"; status.className = "live off"; });
  socket.on("connect_error", function () { status.textContent = "offline"; status.className = "live off"; });
})();
