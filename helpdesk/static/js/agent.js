// The live connection every agent page shares: receives events on /agent, remembers the
// last sequence number per client, and after a reconnect asks the server for everything it
// missed. Pages subscribe with helpdeskLive.subscribe(fn); each event reaches them once.
(function () {
  "use strict";
  var script = document.currentScript;
  var timeZone = script.dataset.timezone || "UTC";
  var lastSeq = {};           // client_id -> highest seq applied
  var listeners = [];
  var connectListeners = [];
  var status = document.getElementById("live-status");
  var socket = io("/agent", { transports: ["websocket", "polling"] });

  // Times in the agent's own zone, whatever the browser's zone is.
  function fmt(iso) {
    if (!iso) { return ""; }
    try {
      return new Intl.DateTimeFormat("en-CA", {
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
        hourCycle: "h23", timeZone: timeZone
      }).format(new Date(iso)).replace(",", "");
    } catch (e) { return iso; }
  }

  function apply(ev) {
    var seen = lastSeq[ev.client_id] || 0;
    if (ev.seq <= seen) { return; }           // duplicate delivery or already resynced
    lastSeq[ev.client_id] = ev.seq;
    listeners.forEach(function (fn) { fn(ev); });
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

  function setStatus(text, on) {
    if (!status) { return; }
    status.textContent = text;
    status.className = on ? "live on" : "live off";
  }

  socket.on("hello", function (msg) {
    var since = {};
    var known = Object.keys(lastSeq).length > 0;
    Object.keys(msg.latest || {}).forEach(function (cid) {
      if (known) { since[cid] = lastSeq[cid] || 0; } else { lastSeq[cid] = msg.latest[cid]; }
    });
    if (known) { resync(since); }
    setStatus("live", true);
    connectListeners.forEach(function (fn) { fn(known); });
  });
  socket.on("event", apply);
  // Presence: the server takes an agent offline after a minute without this.
  setInterval(function () { if (socket.connected) { socket.emit("heartbeat"); } }, 20000);
  socket.on("disconnect", function (reason) {
    setStatus("reconnecting…", false);
    // The server closed it (signed out elsewhere, deactivated, or access changed): Socket.IO will
    // not reconnect by itself. Ask whether the session still stands, then sign in or reconnect.
    if (reason === "io server disconnect") { afterServerDisconnect(); }
  });
  socket.on("session_ended", function () { /* the disconnect that follows decides */ });

  function afterServerDisconnect() {
    fetch("/agent/api/queue", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.assign("/login"); } else { socket.connect(); }
      })
      .catch(function () { setTimeout(afterServerDisconnect, 5000); });
  }
  socket.on("connect_error", function () { setStatus("offline", false); });

  var csrf = document.querySelector('meta[name="csrf-token"]');

  // The staff JSON API: session cookie plus the page's CSRF token; rejects with the error envelope.
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
          var error = (data && data.error) || { code: "http_" + response.status, message: response.statusText };
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  window.helpdeskLive = {
    socket: socket,
    timeZone: timeZone,
    fmt: fmt,
    api: api,
    subscribe: function (fn) { listeners.push(fn); },
    // fn(reconnected) after each "hello": a page refreshes what it shows after a reconnect.
    onConnect: function (fn) { connectListeners.push(fn); }
  };
})();
