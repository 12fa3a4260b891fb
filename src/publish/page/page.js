(function () {
  "use strict";
  // How long ago each <time class="ago"> was, by this browser's clock.
  var now = Date.now();
  document.querySelectorAll("time.ago").forEach(function (el) {
    var hours = Math.floor((now - Date.parse(el.getAttribute("datetime"))) / 3600000);
    if (!(hours >= 0)) return;
    var text = hours < 48 ? hours + " hours ago" : Math.floor(hours / 24) + " days ago";
    el.insertAdjacentText("afterend", " (" + text + ")");
  });
  // Print every table behind the charts.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  var table = document.getElementById("tools");
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var fold = function (s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var texts = rows.map(function (r) { return fold(r.textContent); });
  var input = document.getElementById("tool-search");
  var status = document.getElementById("tool-count");
  var total = rows.length;
  document.getElementById("tool-search-box").hidden = false;
  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var hit = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      r.hidden = !hit;
      if (hit) shown++;
    });
    status.textContent = shown === total ? "All " + total + " rows shown." : shown + " of " + total + " rows match.";
  }
  input.addEventListener("input", filter);
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) return;
    button.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var numeric = th.classList.contains("num");
      var key = function (r) {
        var c = r.cells[col];
        return c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent;
      };
      var order = rows.map(function (r, i) { return i; });
      order.sort(function (a, b) {
        var x = key(rows[a]), y = key(rows[b]), d;
        if (numeric) {
          d = (x === "" ? -Infinity : Number(x)) - (y === "" ? -Infinity : Number(y));
          d = d > 0 ? 1 : d < 0 ? -1 : 0;
        } else {
          d = collator.compare(x, y);
        }
        return (up ? d : -d) || a - b;
      });
      var sorted = order.map(function (i) { return rows[i]; });
      var sortedTexts = order.map(function (i) { return texts[i]; });
      rows = sorted;
      texts = sortedTexts;
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
