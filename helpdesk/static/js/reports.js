// Supervisor reports: draws one Chart.js chart (vendor/chart.umd.min.js, from npm) above each table,
// from the rows and chart hint the page embeds as JSON (#report-data). Labels are data, and Chart.js
// draws them on a canvas as text. Seconds are plotted in minutes.
(function () {
  "use strict";
  var root = document.getElementById("reports");
  if (!root) { return; }
  var timeZone = root.dataset.timezone || "UTC";
  var tables = JSON.parse(document.getElementById("report-data").textContent || "[]");
  var PALETTE = ["#1f6feb", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#c92a2a", "#5c7cfa"];

  // This page has no live socket: the header's live indicator does not apply.
  var status = document.getElementById("live-status");
  if (status) { status.hidden = true; }

  function columnOf(table, key) {
    for (var i = 0; i < table.columns.length; i++) {
      if (table.columns[i].key === key) { return table.columns[i]; }
    }
    return { key: key, label: key, kind: "text" };
  }

  function label(value, kind) {
    if (value === null || value === undefined) { return "—"; }
    if (kind === "datetime") {
      var when = new Date(value);
      if (isNaN(when.getTime())) { return String(value); }
      var bare = /^\d{4}-\d{2}-\d{2}$/.test(String(value));
      var options = bare ? { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" }
        : { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
            timeZone: timeZone };
      try { return new Intl.DateTimeFormat("en-CA", options).format(when); } catch (e) { return String(value); }
    }
    return String(value);
  }

  function number(value, kind) {
    if (value === null || value === undefined || value === "") { return null; }
    var n = Number(value);
    if (isNaN(n)) { return null; }
    return kind === "seconds" ? Math.round(n / 6) / 10 : n;  // minutes, one decimal
  }

  function draw(canvas, table) {
    var hint = table.chart;
    var xColumn = columnOf(table, hint.x);
    var stacked = hint.kind === "stacked-bar";
    var datasets = hint.series.map(function (key, i) {
      var column = columnOf(table, key);
      var colour = PALETTE[i % PALETTE.length];
      return {
        label: column.label + (column.kind === "seconds" ? " (min)" : ""),
        data: table.rows.map(function (row) { return number(row[key], column.kind); }),
        backgroundColor: colour,
        borderColor: colour,
        fill: false,
        tension: 0.2,
      };
    });
    function all(kind) { return hint.series.every(function (key) { return columnOf(table, key).kind === kind; }); }
    var yAxis = { stacked: stacked, beginAtZero: true };
    if (all("int")) { yAxis.ticks = { precision: 0 }; }
    if (all("percent")) { yAxis.max = 100; yAxis.ticks = { callback: function (v) { return v + " %"; } }; }
    if (all("seconds")) { yAxis.title = { display: true, text: "minutes" }; }
    var chart = new window.Chart(canvas, {
      type: hint.kind === "line" ? "line" : "bar",
      data: { labels: table.rows.map(function (row) { return label(row[hint.x], xColumn.kind); }), datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1 || stacked } },
        scales: {
          x: { stacked: stacked },
          y: yAxis,
        },
      },
    });
    canvas.dataset.drawn = "1";
    return chart;
  }

  if (window.Chart) {
    Array.prototype.forEach.call(document.querySelectorAll("canvas.report-chart"), function (canvas) {
      var table = tables[Number(canvas.dataset.index)];
      if (table && table.chart) { draw(canvas, table); }
    });
  }

  // Choosing another report runs it at once, with that report's default grouping.
  var form = document.getElementById("report-form");
  var picker = document.getElementById("report-name");
  if (form && picker) {
    picker.addEventListener("change", function () {
      var groupBy = document.getElementById("report-group-by");
      if (groupBy) { groupBy.value = ""; }
      form.submit();
    });
  }

  // Time zone suggestions from the browser's own list.
  var zones = document.getElementById("report-zones");
  if (zones && typeof Intl.supportedValuesOf === "function") {
    Intl.supportedValuesOf("timeZone").forEach(function (zone) {
      var option = document.createElement("option");
      option.value = zone;
      zones.appendChild(option);
    });
  }
}());
