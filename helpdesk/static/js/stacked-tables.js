// Phone width: tables become stacked rows (app.css). Each cell gets its column's name as
// data-label, also in rows that arrive live, so a stacked cell still says what it is.
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (heads[index] && cell.dataset.label !== heads[index]) { cell.dataset.label = heads[index]; }
      });
    });
  }
  function labelAll() { document.querySelectorAll("main table").forEach(label); }
  labelAll();
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; labelAll(); });
  }).observe(document.querySelector("main") || document.body, { childList: true, subtree: true });
}());
