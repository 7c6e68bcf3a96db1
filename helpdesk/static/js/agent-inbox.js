// The inbox: live rows, load more, take next, presence, search, saved views and shortcuts.
// Every value from the server goes into the page with textContent, never as HTML.
(function () {
  "use strict";
  var live = window.helpdeskLive;
  var data = JSON.parse(document.getElementById("inbox-data").textContent);
  var tbody = document.querySelector("#tickets tbody");
  var empty = document.getElementById("empty");
  var notice = document.getElementById("notice");
  var loadMore = document.getElementById("load-more");
  var SAVED_KEY = "helpdesk.savedViews";

  function say(text) { notice.textContent = text; }

  function cell(text, className) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (className) { td.className = className; }
    return td;
  }

  function badge(kind, value) {
    var td = document.createElement("td");
    var span = document.createElement("span");
    span.className = "badge " + kind + "-" + value;
    span.textContent = value;
    td.appendChild(span);
    return td;
  }

  function ticketUrl(id) { return "/agent/tickets/" + encodeURIComponent(id); }

  // The same cells as the server's row macro (agent/_macros.html).
  function fillRow(row, t, dueText) {
    var link = document.createElement("a");
    link.href = ticketUrl(t.id);
    link.textContent = t.reference;
    var first = document.createElement("td");
    first.appendChild(link);
    row.replaceChildren(first, cell(t.subject, "subject"), cell(data.clients[String(t.client_id)] || ""),
      badge("status", t.status), badge("priority", t.priority), cell(t.channel), cell(dueText, "due"),
      cell(live.fmt(t.updated_at)));
    if (data.for_you) { row.appendChild(forYouCell(t)); }
  }

  // Queue view: the server says per row whether this agent can take it; rows that arrive live
  // get the checks the page can make itself (language, channel), the rest on the next load.
  function forYouCell(t) {
    var text = t.for_you;
    if (text == null) {
      if (t.language && data.for_you.languages.indexOf(t.language) < 0) {
        text = "in " + t.language + ", not one of your languages";
      } else if (data.for_you.channels.indexOf(t.channel) < 0) {
        text = t.channel + " is not one of your channels";
      } else { text = ""; }
    }
    var td = cell(text, "for-you");
    if (text === data.for_you.can_take) { td.classList.add("can-take"); }
    return td;
  }

  function rowOf(id) { return tbody.querySelector('tr[data-ticket-id="' + Number(id) + '"]'); }

  function newRow(t) {
    var row = document.createElement("tr");
    row.dataset.ticketId = t.id;
    row.dataset.href = ticketUrl(t.id);
    row.tabIndex = -1;
    return row;
  }

  function refreshEmpty() { empty.hidden = tbody.children.length > 0; }

  // Does a ticket (as events summarise it) belong in this view with these filters?
  function belongs(t) {
    var f = data.filters;
    var statuses = f.status.length ? f.status : data.open_statuses;
    if (statuses.indexOf(t.status) < 0) { return false; }
    if (f.priority && t.priority !== f.priority) { return false; }
    if (f.channel && t.channel !== f.channel) { return false; }
    if (f.client_id && t.client_id !== f.client_id) { return false; }
    if (data.view === "mine") { return t.assignee_id === data.agent_id; }
    if (data.view === "queue") { return t.assignee_id == null && t.region_id === data.region_id; }
    return !data.region_only || t.region_id === data.region_id;
  }

  function applyTicket(t) {
    var row = rowOf(t.id);
    if (!belongs(t)) {
      if (row) { row.remove(); refreshEmpty(); }
      return;
    }
    // Events carry no due times: an SLA filter cannot be checked, so only rows already shown change.
    if (!row && data.filters.sla) { return; }
    var dueText = row ? row.querySelector(".due").textContent : "";
    if (!row) {
      row = newRow(t);
      if (data.view === "queue") { tbody.appendChild(row); } else { tbody.prepend(row); }
    } else if (data.view !== "queue") {
      tbody.prepend(row);  // most recently updated first, as the server orders them
    }
    fillRow(row, t, dueText);
    row.classList.add("flash-row");
    refreshEmpty();
  }

  live.subscribe(function (ev) {
    var t = ev.data && ev.data.ticket;
    if (t && t.id) { applyTicket(t); }
  });

  // --- load more ---------------------------------------------------------------------
  function currentQuery(extra) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return params;
  }

  loadMore.addEventListener("click", function () {
    var offset = Number(loadMore.dataset.offset);
    live.api("GET", "/agent/api/inbox?" + currentQuery({ offset: offset }).toString()).then(function (page) {
      page.tickets.forEach(function (t) {
        if (rowOf(t.id)) { return; }      // moved up live meanwhile
        var row = newRow(t);
        fillRow(row, t, live.fmt(t.next_due_at));
        tbody.appendChild(row);
      });
      loadMore.dataset.offset = String(offset + page.tickets.length);
      loadMore.hidden = !page.has_more;
      refreshEmpty();
    }).catch(function (error) { say(error.message); });
  });

  // --- take next and presence ----------------------------------------------------------
  var takeWhy = document.getElementById("take-next-why");
  function takeNext() {
    if (takeWhy) { takeWhy.textContent = ""; }
    live.api("POST", "/agent/api/take-next").then(function (reply) {
      window.location.assign(ticketUrl(reply.ticket.id));
    }).catch(function (error) {
      if (takeWhy) { takeWhy.textContent = error.message; } else { say(error.message); }  // next to the button
    });
  }
  var takeButton = document.getElementById("take-next");
  if (takeButton) { takeButton.addEventListener("click", takeNext); }

  var presence = document.getElementById("presence");
  // The page was rendered before its socket connected; the server brings an offline agent
  // online with their first socket and keeps a chosen "away", so show the same.
  live.onConnect(function () { if (presence.value === "offline") { presence.value = "online"; } });
  // A supervisor may set this agent away from the wallboard: show it as soon as it happens.
  live.socket.on("presence", function (msg) {
    if (msg.agent_id !== data.agent_id || !msg.by_agent_id || msg.by_agent_id === data.agent_id) { return; }
    presence.value = msg.state;
    say("A supervisor set you " + msg.state + ".");
  });
  presence.addEventListener("change", function () {
    live.api("POST", "/agent/api/presence", { state: presence.value }).then(function (reply) {
      say("You are " + reply.state + ".");
    }).catch(function (error) { say(error.message); });
  });

  // --- search --------------------------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  var resultList = document.getElementById("search-list");
  document.getElementById("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var q = search.value.trim();
    if (!q) { return; }
    live.api("GET", "/agent/api/search?" + new URLSearchParams({ q: q, limit: "50" }).toString())
      .then(showResults).catch(function (error) { say(error.message); });
  });
  document.getElementById("search-close").addEventListener("click", function () { results.hidden = true; });

  function showResults(reply) {
    resultList.replaceChildren();
    reply.tickets.forEach(function (t) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = ticketUrl(t.id);
      link.textContent = t.reference + " " + t.subject;
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " " + t.status + " · " + live.fmt(t.updated_at);
      li.append(link, meta);
      resultList.appendChild(li);
    });
    if (!reply.tickets.length) {
      var none = document.createElement("li");
      none.textContent = "No ticket matches.";
      resultList.appendChild(none);
    }
    results.hidden = false;
  }

  // --- saved views: the filters are the query string; names are kept in this browser ----
  var savedSelect = document.getElementById("saved-views");

  function savedViews() {
    try { return JSON.parse(window.localStorage.getItem(SAVED_KEY)) || []; } catch (e) { return []; }
  }

  function renderSaved() {
    savedSelect.replaceChildren(savedSelect.options[0]);
    savedViews().forEach(function (view, index) {
      var option = document.createElement("option");
      option.value = String(index);
      option.textContent = view.name;
      savedSelect.appendChild(option);
    });
  }

  document.getElementById("save-view").addEventListener("click", function () {
    var name = window.prompt("Name this view");
    if (!name) { return; }
    var views = savedViews().filter(function (v) { return v.name !== name; });
    views.push({ name: name, query: currentQuery({}).toString() });
    window.localStorage.setItem(SAVED_KEY, JSON.stringify(views));
    renderSaved();
  });
  savedSelect.addEventListener("change", function () {
    var view = savedViews()[Number(savedSelect.value)];
    if (view) { window.location.assign("/agent?" + view.query); }
  });
  renderSaved();

  // --- keyboard shortcuts ----------------------------------------------------------------
  var overlay = document.getElementById("shortcuts");
  var selected = null;

  function select(row) {
    if (!row) { return; }
    if (selected) { selected.classList.remove("selected"); }
    selected = row;
    row.classList.add("selected");
    row.focus();
  }

  function step(delta) {
    var rows = Array.prototype.slice.call(tbody.children);
    var index = rows.indexOf(selected);
    select(rows[Math.min(Math.max(index + delta, 0), rows.length - 1)]);
  }

  function toggleHelp(show) { overlay.hidden = !show; }
  document.getElementById("shortcuts-button").addEventListener("click", function () { toggleHelp(true); });
  document.getElementById("shortcuts-close").addEventListener("click", function () { toggleHelp(false); });

  var keys = {
    "j": function () { step(1); },
    "k": function () { step(-1); },
    "Enter": function () { if (selected) { window.location.assign(selected.dataset.href); } },
    "n": takeNext,
    "/": function () { search.focus(); },
    "?": function () { toggleHelp(overlay.hidden); },
    "Escape": function () { toggleHelp(false); }
  };

  document.addEventListener("keydown", function (e) {
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if (typing || e.ctrlKey || e.metaKey || e.altKey) {
      if (e.key === "Escape" && typing) { e.target.blur(); }
      return;
    }
    // Enter on a focused link or button keeps its own meaning.
    if (e.key === "Enter" && /^(A|BUTTON)$/.test(e.target.tagName)) { return; }
    var action = keys[e.key];
    if (action) { e.preventDefault(); action(); }
  });
})();
