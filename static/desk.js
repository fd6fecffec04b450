// AgentGate approver's desk: keyboard triage (J/K/Enter/X), batch selection, ticking
// expiry times, and remembering which queue a decision moves on in. Loaded after app.js;
// like it, no inline script and everything hangs off data- attributes.
(function () {
  "use strict";

  // ---- J/K move through the rows of a list; Enter opens (the row's link has focus). ----
  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-nav-row]"), function (r) { return r.offsetParent !== null; });
  }

  function linkOf(row) {
    return row.matches("a") ? row : row.querySelector("a.stretched, a");
  }

  function move(step) {
    var list = rows();
    if (!list.length) return false;
    var at = list.findIndex(function (r) { return r.classList.contains("is-cursor"); });
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + step, 0), list.length - 1);
    list.forEach(function (r) { r.classList.remove("is-cursor"); });
    list[next].classList.add("is-cursor");
    var a = linkOf(list[next]);
    if (a) { a.focus(); a.scrollIntoView({ block: "nearest" }); }
    return true;
  }

  function cursorRow() {
    var f = document.activeElement;
    return (f && f.closest && f.closest("[data-nav-row]")) || document.querySelector("[data-nav-row].is-cursor");
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || document.querySelector("dialog[open]")) return;
    var t = e.target;
    if (t.closest && t.closest("input,textarea,select,[contenteditable]")) return;
    var k = e.key.toLowerCase();
    if ((k === "j" || k === "k") && move(k === "j" ? 1 : -1)) { e.preventDefault(); return; }
    if (k === "x") {
      var row = cursorRow();
      var box = row && row.querySelector("[data-pick]");
      if (box) { e.preventDefault(); box.checked = !box.checked; last = box; picked(); }
    }
  }, true);

  // Focus and the cursor agree, whichever moved.
  document.addEventListener("focusin", function (e) {
    var row = e.target.closest && e.target.closest("[data-nav-row]");
    if (!row) return;
    document.querySelectorAll("[data-nav-row].is-cursor").forEach(function (r) { if (r !== row) r.classList.remove("is-cursor"); });
    row.classList.add("is-cursor");
  });

  // ---- Batch: pick rows (Shift-click picks a range), then decide them in one dialog. ----
  // The shift key is read from the pointer, since a click on a checkbox's label reaches the
  // checkbox as a click of its own.
  var last = null, pointerShift = false;

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("[data-pick]")); }
  function chosen() { return boxes().filter(function (b) { return b.checked; }); }

  document.addEventListener("pointerdown", function (e) { pointerShift = e.shiftKey; }, true);
  document.addEventListener("change", function (e) {
    var box = e.target.closest && e.target.closest("[data-pick]");
    if (!box) return;
    if (pointerShift && last && last !== box && last.isConnected) {
      var all = boxes(), a = all.indexOf(last), b = all.indexOf(box);
      all.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (x) { x.checked = box.checked; });
    }
    pointerShift = false;
    last = box;
    picked();
  });
  document.addEventListener("click", function (e) {
    var open = e.target.closest && e.target.closest("[data-batch-open]");
    if (open) openBatch(open.getAttribute("data-batch-open"), open);
  });

  // picked updates the batch bar: how many are chosen, and whether its buttons work.
  function picked() {
    var n = chosen().length;
    var count = document.querySelector("[data-batch-count]");
    if (count) count.textContent = n ? n + " selected" : "Select with X or a click";
    document.querySelectorAll("[data-batch-open]").forEach(function (b) { b.disabled = n === 0; });
  }

  function openBatch(id, opener) {
    var d = document.getElementById(id);
    var sel = chosen();
    if (!d || !sel.length) return;
    var list = d.querySelector("[data-batch-list]");
    var form = d.querySelector("form");
    list.textContent = "";
    form.querySelectorAll("input[name=id]").forEach(function (i) { i.remove(); });
    sel.forEach(function (b) {
      var li = document.createElement("li");
      li.textContent = (b.getAttribute("aria-label") || b.value).replace(/^Select /, "");
      list.appendChild(li);
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "id"; input.value = b.value;
      form.appendChild(input);
    });
    window.agentgate.openDialog(id, opener);
  }

  // ---- Where a decision moves on: the last list the person worked from. ----
  var queueKey = "agentgate.queue";

  function rememberQueue() {
    var q = document.querySelector("[data-queue]");
    if (q) { try { sessionStorage.setItem(queueKey, q.getAttribute("data-queue")); } catch (_) { /* private mode */ } }
  }

  document.addEventListener("htmx:configRequest", function (e) {
    if (!("queue" in e.detail.parameters)) return;
    try { e.detail.parameters.queue = sessionStorage.getItem(queueKey) || ""; } catch (_) { /* keep it empty */ }
  });
  document.addEventListener("submit", function (e) { // without htmx, the plain form
    var f = e.target.querySelector && e.target.querySelector("[data-queue-field]");
    if (f) { try { f.value = sessionStorage.getItem(queueKey) || ""; } catch (_) { /* keep it empty */ } }
  }, true);

  // ---- Time left ticks; under a quarter hour it turns urgent. ----
  var skew = 0;
  var serverNow = Date.parse(document.body.getAttribute("data-now") || "");
  if (!isNaN(serverNow)) skew = serverNow - Date.now();

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    if (s < 60) return s + " s";
    var m = Math.floor(s / 60);
    if (m < 15) return m + " min " + (s % 60) + " s";
    if (m < 60) return m + " min";
    var h = Math.floor(m / 60);
    if (h < 24) return m % 60 === 0 || h >= 10 ? h + " h" : h + " h " + (m % 60) + " min";
    var d = Math.floor(h / 24);
    return h % 24 === 0 || d >= 10 ? d + " d" : d + " d " + (h % 24) + " h";
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("time[data-expires]").forEach(function (t) {
      if (t.classList.contains("exp-quiet")) return;
      var left = Date.parse(t.getAttribute("data-expires")) - now;
      t.textContent = left <= 0 ? "expired" : t.hasAttribute("data-bare") ? span(left) : "in " + span(left);
      t.classList.toggle("exp-urgent", left < 15 * 60000);
      t.classList.toggle("exp-soon", left >= 15 * 60000 && left < 3600000);
      t.classList.toggle("exp-ok", left >= 3600000);
    });
  }

  document.addEventListener("htmx:afterSettle", function () { rememberQueue(); tick(); picked(); });
  rememberQueue();
  tick();
  setInterval(tick, 1000);
  if (window.agentgate) window.agentgate.desk = true; // the page answers keys from here on
})();
