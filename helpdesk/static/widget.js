/*
 * helpdesk chat widget. On the client's site:
 *   <script src="https://help.example.com/static/widget.js" data-client="acme" async></script>
 * Loads socket.io-client from the same server (installed from npm at build time, no CDN),
 * talks to the /chat namespace, keeps a signed visitor token in localStorage so a reload
 * resumes the conversation, and offers "leave a message" when no one is on shift.
 * Every text is set with textContent: nothing a visitor or agent writes is parsed as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-client][src*='widget.js']");
  if (!script || window.__helpdeskWidget) { return; }
  window.__helpdeskWidget = true;
  var client = script.getAttribute("data-client");
  var base = new URL(script.src, document.baseURI).origin;
  var storageKey = "helpdesk-chat:" + client;
  var socket = null, started = false, typingTimer = null, typingSent = false;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  var style = el("style");
  style.textContent =
    ".hd-chat{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:14px/1.4 system-ui,sans-serif}" +
    ".hd-chat button{font:inherit;cursor:pointer}" +
    ".hd-open{background:#1d4ed8;color:#fff;border:0;border-radius:20px;padding:10px 16px}" +
    ".hd-panel{width:320px;max-height:460px;display:flex;flex-direction:column;background:#fff;color:#111;" +
    "border:1px solid #cbd5e1;border-radius:8px;box-shadow:0 8px 24px rgba(0,0,0,.15)}" +
    ".hd-panel[hidden]{display:none}.hd-head{padding:8px 12px;background:#1d4ed8;color:#fff;display:flex;" +
    "justify-content:space-between;border-radius:8px 8px 0 0}.hd-head button{background:none;border:0;color:#fff}" +
    ".hd-log{flex:1;overflow-y:auto;padding:8px 12px;min-height:160px}.hd-msg{margin:4px 0;white-space:pre-wrap}" +
    ".hd-msg.agent{color:#1e3a8a}.hd-who{font-weight:600;margin-right:4px}.hd-typing{padding:0 12px;" +
    "color:#64748b;min-height:1.4em}.hd-form{display:flex;flex-direction:column;gap:4px;padding:8px 12px}" +
    ".hd-form input,.hd-form textarea{font:inherit;padding:6px;border:1px solid #94a3b8;border-radius:4px}" +
    ".hd-send{background:#1d4ed8;color:#fff;border:0;border-radius:4px;padding:6px}.hd-note{padding:0 12px;color:#b91c1c}";
  document.head.appendChild(style);

  var root = el("div", { "class": "hd-chat" });
  var openButton = el("button", { "class": "hd-open", "type": "button", "aria-expanded": "false",
                                  "aria-controls": "hd-chat-panel" }, "Chat with us");
  var panel = el("section", { "class": "hd-panel", "id": "hd-chat-panel", "role": "dialog",
                              "aria-label": "Chat with support", "hidden": "" });
  var head = el("div", { "class": "hd-head" });
  var title = el("span", {}, "Support");
  var closeButton = el("button", { "type": "button", "aria-label": "Close chat" }, "×");
  head.appendChild(title); head.appendChild(closeButton);
  var log = el("div", { "class": "hd-log", "role": "log", "aria-live": "polite", "aria-relevant": "additions" });
  var typing = el("div", { "class": "hd-typing", "aria-live": "polite" });
  var note = el("div", { "class": "hd-note", "role": "alert" });
  var form = el("form", { "class": "hd-form" });
  var nameInput = el("input", { "type": "text", "name": "name", "placeholder": "Your name (optional)",
                                "aria-label": "Your name", "maxlength": "200", "autocomplete": "name" });
  var emailInput = el("input", { "type": "email", "name": "email", "placeholder": "Email (optional)",
                                 "aria-label": "Your email", "maxlength": "320", "autocomplete": "email" });
  var textInput = el("textarea", { "name": "text", "rows": "2", "placeholder": "Type your message",
                                   "aria-label": "Message", "maxlength": "4000", "required": "" });
  var sendButton = el("button", { "class": "hd-send", "type": "submit" }, "Send");
  [nameInput, emailInput, textInput, sendButton].forEach(function (n) { form.appendChild(n); });
  [head, log, typing, note, form].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(panel); root.appendChild(openButton);

  function show(open) {
    panel.hidden = !open;
    openButton.hidden = open;
    openButton.setAttribute("aria-expanded", String(open));
    if (open) { textInput.focus(); connect(); }
  }
  openButton.addEventListener("click", function () { show(true); });
  closeButton.addEventListener("click", function () { show(false); openButton.focus(); });

  var shown = {};
  function addMessage(message) {
    if (message.id && shown[message.id]) { return; }
    if (message.id) { shown[message.id] = true; }
    var line = el("div", { "class": "hd-msg " + message.from });
    line.appendChild(el("span", { "class": "hd-who" }, message.from === "agent" ? (message.name || "Agent") + ":" : "You:"));
    line.appendChild(document.createTextNode(message.text));
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }

  var csatKey = storageKey + ":csat", surveyShown = null;
  function showSurvey(info) {
    // The chat was solved: a one-time link to rate it, opened on our site.
    if (!info || typeof info.path !== "string" || !/^\/csat\/[A-Za-z0-9_-]+$/.test(info.path)) { return; }
    try { localStorage.setItem(csatKey, JSON.stringify({ path: info.path, ticket_id: info.ticket_id })); } catch (e) { /* ignore */ }
    if (surveyShown) { surveyShown.href = base + info.path; return; }
    var line = el("div", { "class": "hd-msg hd-csat" }, "How did we do? ");
    surveyShown = el("a", { "href": base + info.path, "target": "_blank", "rel": "noopener" }, "Rate this chat");
    line.appendChild(surveyShown);
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }

  function setStarted(token) {
    started = true;
    try { localStorage.setItem(storageKey, token); } catch (e) { /* private mode: no resume */ }
    nameInput.hidden = true; emailInput.hidden = true;
  }

  function offline() {
    title.textContent = "Leave us a message";
    note.textContent = "No one is available right now. Leave your email and we will answer by email.";
    emailInput.required = true;
    emailInput.placeholder = "Email (required)";
    form.dataset.mode = "leave-message";
  }

  function connect() {
    if (socket || typeof io === "undefined") { return; }
    var token = null;
    try { token = localStorage.getItem(storageKey); } catch (e) { token = null; }
    socket = io(base + "/chat", { auth: { client: client, token: token }, transports: ["websocket", "polling"] });
    socket.on("ready", function (info) {
      title.textContent = info.client ? info.client + " support" : "Support";
      if (!info.online && !started) { offline(); }
    });
    socket.on("resumed", function (info) {
      setStarted(info.token);
      info.messages.forEach(addMessage);
      if (info.csat) {  // the chat was solved and not rated yet: show the link again, or ask for one
        var kept = null;
        try { kept = JSON.parse(localStorage.getItem(csatKey) || "null"); } catch (e) { kept = null; }
        if (kept && kept.ticket_id === info.csat) { showSurvey(kept); }
        else { socket.emit("csat", {}, function (reply) { if (reply && reply.path) { showSurvey(reply); } }); }
      }
    });
    socket.on("message", function (message) { addMessage(message); typing.textContent = ""; });
    socket.on("typing", function (info) {
      typing.textContent = info.typing ? (info.name || "Agent") + " is typing…" : "";
    });
    socket.on("csat", showSurvey);
    socket.on("connect_error", function () { note.textContent = "Connection lost; retrying…"; });
    socket.on("connect", function () { if (form.dataset.mode !== "leave-message") { note.textContent = ""; } });
  }

  function sendTyping(value) {
    if (!socket || !started || typingSent === value) { return; }
    typingSent = value;
    socket.emit("typing", { typing: value });
  }
  textInput.addEventListener("input", function () {
    sendTyping(true);
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { sendTyping(false); }, 2000);
  });

  function answered(reply) {
    if (reply && reply.error) { note.textContent = reply.error.message; return false; }
    note.textContent = "";
    return true;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textInput.value.trim();
    if (!text) { return; }
    if (form.dataset.mode === "leave-message") {
      fetch(base + "/chat/" + encodeURIComponent(client) + "/leave-message", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: nameInput.value, email: emailInput.value, text: text })
      }).then(function (response) { return response.json(); }).then(function (reply) {
        if (answered(reply)) {
          textInput.value = "";
          log.appendChild(el("div", { "class": "hd-msg" }, "Thank you, we will answer by email (" + reply.reference + ")."));
        }
      }).catch(function () { note.textContent = "Could not send; try again."; });
      return;
    }
    if (!socket) { connect(); }
    var payload = { text: text, name: nameInput.value, email: emailInput.value };
    socket.emit(started ? "message" : "start", payload, function (reply) {
      if (!answered(reply)) { return; }
      if (reply.token) { setStarted(reply.token); }
      textInput.value = "";
      sendTyping(false);
      addMessage(reply.message);
    });
  });

  function mount() {
    document.body.appendChild(root);
    if (typeof io === "undefined") {
      var loader = el("script", { "src": base + "/static/vendor/socket.io.min.js" });
      loader.onload = function () { if (!panel.hidden) { connect(); } };
      document.head.appendChild(loader);
    }
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
