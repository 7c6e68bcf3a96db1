// The ticket page: reply, note, change, log a call, SLA countdown, and live updates.
// Every value from the server goes into the page with textContent, never as HTML.
(function () {
  "use strict";
  var live = window.helpdeskLive;
  var root = document.getElementById("ticket");
  var ticketId = Number(root.dataset.ticketId);
  var info = JSON.parse(document.getElementById("ticket-data").textContent);
  var conversation = document.getElementById("conversation");
  var activity = document.getElementById("new-activity");
  var formError = document.getElementById("form-error");
  var base = "/agent/api/tickets/" + ticketId;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text != null) { node.textContent = String(text); }
    return node;
  }

  function author(m) {
    if (m.kind === "inbound") { return m.from_name || info.contact_name || m.from_email || "Customer"; }
    return info.names[String(m.author_agent_id)] || (m.author_agent_id ? "Agent" : "System");
  }

  // The same shape as the server-rendered conversation (agent/ticket.html).
  function messageItem(m) {
    var li = el("li", "msg " + m.kind);
    li.dataset.messageId = m.id;
    li.id = "message-" + m.id;
    var head = el("div", "msg-head");
    var time = el("time", null, live.fmt(m.created_at));
    time.dateTime = m.created_at;
    head.append(el("strong", "author", author(m)),
      el("span", "kind", (m.kind === "note" ? "internal note" : m.kind) + " · " + m.channel), time);
    li.append(head, el("pre", "body", m.body));
    var delivery = deliveryLine(m);
    if (delivery) { li.appendChild(delivery); }
    if (m.body_html) {
      var details = el("details", "original");
      details.dataset.src = "/agent/api/messages/" + Number(m.id) + "/html";
      details.appendChild(el("summary", null, "Show original HTML"));
      li.appendChild(details);
    }
    if (m.attachments && m.attachments.length) {
      var list = el("ul", "attachments");
      m.attachments.forEach(function (a) {
        var link = el("a", null, a.filename);
        link.href = "/agent/api/attachments/" + Number(a.id);
        link.setAttribute("download", "");
        var item = el("li");
        item.appendChild(link);
        list.appendChild(item);
      });
      li.appendChild(list);
    }
    return li;
  }

  var DELIVERY_LABELS = { queued: "Queued to send", retrying: "Not sent yet, retrying", sent: "Sent",
    failed: "Not sent", bounced: "Bounced" };

  // The same line as the delivery_line macro (agent/_macros.html).
  function deliveryLine(m) {
    if (m.kind !== "outbound" || !m.delivery_status) { return null; }
    var state = m.delivery_status;
    var line = el("p", "delivery delivery-" + state);
    if (state === "failed" || state === "bounced") { line.setAttribute("role", "alert"); }
    line.appendChild(el("span", "delivery-state", DELIVERY_LABELS[state] || state));
    var reason = m.delivery_error || m.error;
    if (reason && state !== "sent") { line.append(": ", el("span", "delivery-reason", reason)); }
    return line;
  }

  // A message.delivery event: replace the line under that message.
  function showDelivery(update) {
    var item = document.getElementById("message-" + Number(update.id));
    if (!item) { return; }
    var old = item.querySelector(".delivery");
    var line = deliveryLine({ kind: "outbound", delivery_status: update.delivery_status, error: update.error });
    if (old) { old.remove(); }
    if (line) { item.querySelector(".body").after(line); }
  }

  var draftStale = false;   // a customer message arrived while a reply was being written

  function showMessage(m) {
    if (document.getElementById("message-" + m.id)) { return false; }
    conversation.appendChild(messageItem(m));
    if (m.kind === "inbound" && document.getElementById("reply-body").value.trim()) { draftStale = true; }
    return true;
  }

  // Fetch the conversation and add what is not shown yet (new messages, or missed while offline).
  function refreshConversation() {
    return live.api("GET", base + "/messages").then(function (reply) {
      var added = reply.messages.filter(showMessage).length;
      if (added) { activity.textContent = added + " new message" + (added > 1 ? "s" : "") + " arrived."; }
    });
  }

  // --- original HTML in a sandbox without scripts ----------------------------------------
  conversation.addEventListener("toggle", function (e) {
    var details = e.target;
    if (!details.classList || !details.classList.contains("original") || !details.open) { return; }
    if (details.querySelector("iframe")) { return; }
    var frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "");           // no scripts, no same-origin, no forms, no popups
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.title = "Original email";
    frame.src = details.dataset.src;
    details.appendChild(frame);
  }, true);

  // --- forms ------------------------------------------------------------------------------
  function failed(error) {
    var details = error.details ? " " + JSON.stringify(error.details) : "";
    formError.textContent = (error.message || "Something went wrong.") + details;
  }

  function sendMessage(form) {
    var body = form.elements.body.value;
    if (!body.trim()) { return; }
    var internal = form.dataset.internal === "true";
    if (!internal && draftStale) {
      draftStale = false;
      formError.textContent = "The customer wrote again since you began this reply. Read it, then send again.";
      return;
    }
    var payload = { body: body, internal: internal };
    if (form.elements.status && form.elements.status.value) { payload.status = form.elements.status.value; }
    formError.textContent = "";
    live.api("POST", base + "/messages", payload).then(function (reply) {
      showMessage(reply.message);
      form.reset();
      if (!internal) { typingStopped(); }
    }).catch(failed);
  }

  ["reply-form", "note-form"].forEach(function (id) {
    document.getElementById(id).addEventListener("submit", function (e) {
      e.preventDefault();
      sendMessage(e.target);
    });
  });

  // --- macros: fill the reply box with the macro's text and make its ticket changes --------
  var macroPicker = document.getElementById("macro-picker");
  var macroNote = document.getElementById("macro-note");

  function loadMacros() {
    live.api("GET", base + "/macros").then(function (reply) {
      reply.macros.forEach(function (m) {
        var option = el("option", "", m.name);
        option.value = m.id;
        option.title = m.preview;
        macroPicker.appendChild(option);
      });
    }).catch(failed);
  }

  macroPicker.addEventListener("change", function () {
    var macroId = macroPicker.value;
    if (!macroId) { return; }
    live.api("POST", base + "/macros/" + macroId + "/apply").then(function (reply) {
      var box = document.getElementById("reply-body");
      box.value = box.value.trim() ? box.value + "\n\n" + reply.body : reply.body;
      showTicket(reply.ticket);
      var changed = Object.keys(reply.changes || {});
      macroNote.textContent = (changed.length ? "Changed " + changed.join(", ") + ". " : "") +
        (reply.unknown_placeholders.length ? "Unknown placeholders: " + reply.unknown_placeholders.join(", ") : "");
      macroPicker.value = "";
    }).catch(function (error) { macroPicker.value = ""; failed(error); });
  });
  loadMacros();

  function setBadge(id, kind, value) {
    var badge = document.getElementById(id);
    badge.className = "badge " + kind + "-" + value;
    badge.textContent = value;
  }

  function showTicket(t) {
    setBadge("ticket-status", "status", t.status);
    setBadge("ticket-priority", "priority", t.priority);
    if (t.tags) {
      var tags = document.getElementById("ticket-tags");
      tags.replaceChildren.apply(tags, t.tags.map(function (tag) { return el("span", "tag", tag); }));
    }
  }

  document.getElementById("change-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    var tags = form.elements.tags.value.split(",").map(function (t) { return t.trim(); })
      .filter(function (t) { return t; });
    formError.textContent = "";
    var changes = { priority: form.elements.priority.value, tags: tags };
    if (form.elements.status.value) { changes.status = form.elements.status.value; }
    live.api("PATCH", base, changes)
      .then(function (reply) { showTicket(reply.ticket); }).catch(failed);
  });

  var mergeForm = document.getElementById("merge-form");
  if (mergeForm) {
    mergeForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var into = mergeForm.elements.into.value.trim();
      if (!window.confirm("Merge this ticket into " + into + "? It will be closed.")) { return; }
      formError.textContent = "";
      live.api("POST", base + "/merge", { into: into }).then(function (reply) {
        document.getElementById("merge-note").textContent = "Merged.";
        window.location.assign("/agent/tickets/" + reply.ticket.id);
      }).catch(failed);
    });
  }

  document.getElementById("call-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var form = e.target;
    var payload = { direction: form.elements.direction.value, number: form.elements.number.value,
                    status: form.elements.status.value };
    if (form.elements.minutes.value) { payload.duration_seconds = Number(form.elements.minutes.value) * 60; }
    if (form.elements.notes.value) { payload.notes = form.elements.notes.value; }
    formError.textContent = "";
    live.api("POST", base + "/calls", payload).then(function (reply) {
      var c = reply.call;
      var calls = document.getElementById("calls");
      var placeholder = calls.querySelector(".muted");
      if (placeholder) { placeholder.remove(); }
      calls.appendChild(el("li", null, [c.direction, c.status, c.from_number || c.to_number || "",
        live.fmt(c.ended_at)].join(" · ")));
      form.reset();
      return refreshConversation();   // the call is also a note in the conversation
    }).catch(failed);
  });

  // --- SLA countdown ----------------------------------------------------------------------
  function left(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var text = (minutes >= 1440 ? Math.floor(minutes / 1440) + "d " : "") +
      Math.floor((minutes % 1440) / 60) + "h " + String(minutes % 60).padStart(2, "0") + "m";
    return ms >= 0 ? text + " left" : "overdue by " + text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown").forEach(function (node) {
      var ms = new Date(node.dataset.due).getTime() - now;
      node.textContent = left(ms);
      node.classList.toggle("overdue", ms < 0);
    });
  }
  tick();
  setInterval(tick, 1000);

  // --- live ---------------------------------------------------------------------------------
  var history = document.getElementById("history");

  function addHistory(ev) {
    if (info.history_types.indexOf(ev.type) < 0 || history.querySelector('[data-seq="' + Number(ev.seq) + '"]')) {
      return;
    }
    var li = el("li");
    li.dataset.seq = ev.seq;
    var time = el("time", null, live.fmt(ev.created_at));
    time.dateTime = ev.created_at;
    li.append(time, " ", el("strong", null, ev.type), " ", el("span", "reason", (ev.data && ev.data.reason) || ""));
    history.appendChild(li);
  }

  live.subscribe(function (ev) {
    if (ev.ticket_id !== ticketId) { return; }
    if (ev.data && ev.data.ticket) { showTicket(ev.data.ticket); }
    addHistory(ev);
    if (ev.type === "message.created" || ev.type === "call.logged") { refreshConversation().catch(failed); }
    if (ev.type === "message.delivery" && ev.data && ev.data.message) { showDelivery(ev.data.message); }
  });
  // Each (re)connected socket joins this ticket's room; what arrived before the join is fetched.
  live.onConnect(function () {
    delete document.body.dataset.viewing;
    live.socket.emit("view_ticket", { ticket_id: ticketId }, function () {
      document.body.dataset.viewing = ticketId;  // in the ticket's room: others' typing reaches this page
      refreshConversation().catch(failed);
    });
  });

  // --- collision: who else is typing, and a reply drafted before a new customer message ----
  var typingNote = document.getElementById("typing");
  var typingTimers = {};
  live.socket.on("typing", function (msg) {
    if (msg.ticket_id !== ticketId) { return; }
    var who = msg.who === "visitor" ? "The customer" : (msg.name || "Another agent");
    clearTimeout(typingTimers[who]);
    if (msg.typing) {
      typingNote.textContent = who + " is typing…";
      typingTimers[who] = setTimeout(function () { typingNote.textContent = ""; }, 8000);
    } else {
      typingNote.textContent = "";
    }
  });

  var replyBody = document.getElementById("reply-body");
  var typingSince = 0;
  var stopTyping = null;
  replyBody.addEventListener("input", function () {
    if (!typingSince) { live.socket.emit("typing", { ticket_id: ticketId, typing: true }); }
    typingSince = Date.now();
    clearTimeout(stopTyping);
    stopTyping = setTimeout(typingStopped, 3000);
  });

  function typingStopped() {
    clearTimeout(stopTyping);
    if (typingSince) { live.socket.emit("typing", { ticket_id: ticketId, typing: false }); }
    typingSince = 0;
  }
})();
