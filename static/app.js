// AgentGate dashboard behaviour that htmx does not cover: dialogs, keyboard shortcuts, the
// live queue, copy buttons and error toasts. No build step, no inline script (the CSP
// forbids it); everything hangs off data- attributes the server renders.
(function () {
  "use strict";

  // ---- Dialogs: open from a button, trap focus, Escape closes, focus returns. ----
  var openers = new WeakMap();
  var focusable = 'a[href],button:not([disabled]),input:not([disabled]):not([type=hidden]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])';

  function openDialog(id, opener) {
    var d = document.getElementById(id);
    if (!d || d.open) return;
    openers.set(d, opener || document.activeElement);
    d.showModal();
  }

  document.addEventListener("click", function (e) {
    var open = e.target.closest("[data-dialog-open]");
    if (open) { e.preventDefault(); openDialog(open.getAttribute("data-dialog-open"), open); return; }
    var close = e.target.closest("[data-dialog-close]");
    if (close) { var d = close.closest("dialog"); if (d) d.close(); return; }
    var copy = e.target.closest("[data-copy]");
    if (copy) { copyFrom(copy); return; }
    var more = e.target.closest("[data-toggle-filters]");
    if (more) {
      var form = more.closest("form");
      var open = form.classList.toggle("is-open");
      more.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });

  // A dialog that closes gives focus back to what opened it, and runs any refresh that
  // waited for it.
  document.addEventListener("close", function (e) {
    var d = e.target;
    if (!(d instanceof HTMLDialogElement)) return;
    var opener = openers.get(d);
    if (opener && opener.isConnected) opener.focus();
    if (pendingRefresh) refresh(pendingRefresh);
  }, true);

  document.addEventListener("keydown", function (e) {
    var d = document.querySelector("dialog[open]");
    if (d) { dialogKeys(d, e); return; }
    hotkeys(e);
  });

  function dialogKeys(d, e) {
    if (e.key === "Tab") {
      var items = Array.prototype.filter.call(d.querySelectorAll(focusable), function (el) { return el.offsetParent !== null; });
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || !d.contains(document.activeElement))) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && (document.activeElement === last || !d.contains(document.activeElement))) { e.preventDefault(); first.focus(); }
    } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      var form = d.querySelector("form");
      if (form) { e.preventDefault(); form.requestSubmit(); }
    }
  }

  // ---- Shortcuts: "/" searches, letters press the button that names them. ----
  function hotkeys(e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    var t = e.target;
    if (t.closest && t.closest("input,textarea,select,[contenteditable]")) return;
    if (e.key === "/") {
      var s = document.querySelector("[data-hotkey-search]");
      if (s) { e.preventDefault(); s.focus(); s.select(); }
      return;
    }
    var b = document.querySelector('[data-hotkey="' + e.key.toLowerCase() + '"]');
    if (b && b.offsetParent !== null) { e.preventDefault(); b.click(); }
  }

  // ---- Live queue: server-sent events ask open regions to refresh, only while visible. ----
  var source = null, pendingRefresh = null, timer = 0, pendingIds = [];

  function liveBadge(state) {
    var b = document.getElementById("live");
    if (b) b.setAttribute("data-state", state);
  }

  function refresh(ids) {
    pendingRefresh = null;
    if (document.querySelector("dialog[open]")) { pendingRefresh = ids; return; }
    document.querySelectorAll("[data-live-region]").forEach(function (el) {
      var only = el.getAttribute("data-live-id");
      if (only && ids !== "*" && ids.indexOf(only) < 0) return;
      htmx.trigger(el, "agentgate:refresh");
    });
  }

  function schedule(ids) {
    clearTimeout(timer);
    var all = pendingIds === "*" || ids === "*" ? "*" : pendingIds.concat(ids);
    pendingIds = all;
    timer = setTimeout(function () { var i = pendingIds; pendingIds = []; refresh(i); }, 120);
  }
  function connect() {
    var url = document.body.getAttribute("data-events");
    if (!url || source || !window.EventSource) return;
    source = new EventSource(url);
    source.onopen = function () { liveBadge("on"); };
    source.onerror = function () { liveBadge(source && source.readyState === 2 ? "off" : "retry"); };
    source.addEventListener("change", function (e) { schedule(e.data === "*" ? "*" : e.data.split(" ")); });
    source.addEventListener("signout", function () { window.location.assign("/login"); });
  }

  function disconnect() {
    if (source) { source.close(); source = null; }
    liveBadge("paused");
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { disconnect(); return; }
    connect();
    schedule("*"); // changes while hidden were not heard
  });

  // ---- htmx hooks: tidy URLs, highlight rows that arrived live, focus, dialogs, errors. ----
  // Empty filters stay out of the query, so the address bar shows a clean, shareable link.
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get") return;
    var p = e.detail.parameters;
    Object.keys(p).forEach(function (k) { if (p[k] === "") delete p[k]; });
  });

  var seen = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var elt = e.detail.elt;
    seen = null;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-live-region")) {
      seen = new Set(Array.prototype.map.call(elt.querySelectorAll("[data-row-id]"), function (r) { return r.getAttribute("data-row-id"); }));
    }
    var d = elt && elt.closest ? elt.closest("dialog[open]") : null;
    if (d && e.detail.shouldSwap) d.close();
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (seen) {
      document.querySelectorAll("[data-row-id]").forEach(function (r) {
        if (!seen.has(r.getAttribute("data-row-id"))) r.classList.add("is-new");
      });
      seen = null;
    }
    var f = document.querySelector("[data-focus-now]");
    if (f) { f.removeAttribute("data-focus-now"); f.focus(); }
  });

  function toast(text) {
    var t = document.getElementById("toast");
    if (!t) return;
    t.textContent = text;
    t.classList.add("is-shown");
    clearTimeout(t._hide);
    t._hide = setTimeout(function () { t.classList.remove("is-shown"); }, 6000);
  }

  document.addEventListener("htmx:responseError", function (e) {
    var msg = "That did not work (" + e.detail.xhr.status + ").";
    try {
      var doc = new DOMParser().parseFromString(e.detail.xhr.responseText, "text/html");
      var m = doc.querySelector("[data-error-message]");
      if (m && m.textContent.trim()) msg = m.textContent.trim();
    } catch (_) { /* keep the generic message */ }
    toast(msg);
  });
  document.addEventListener("htmx:sendError", function () { toast("Could not reach the server; check your connection."); });

  // ---- Copy a secret to the clipboard. ----
  function copyFrom(btn) {
    var input = document.querySelector(btn.getAttribute("data-copy"));
    if (!input) return;
    var done = function () {
      var label = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
    } else {
      input.select();
      if (document.execCommand("copy")) done();
    }
  }

  // Typing a rate limit picks "At most".
  document.addEventListener("input", function (e) {
    if (e.target.classList && e.target.classList.contains("rate-input")) {
      var r = e.target.closest("label").querySelector('input[type="radio"]');
      if (r) r.checked = true;
    }
  });

  // "All events" covers every single event type, which then cannot be ticked apart.
  document.addEventListener("change", function (e) {
    var all = e.target;
    if (!all.hasAttribute || !all.hasAttribute("data-all-events")) return;
    all.closest("fieldset").querySelectorAll('input[name="events"]:not([data-all-events])').forEach(function (c) { c.disabled = all.checked; });
  });

  // On a narrow screen the navigation scrolls sideways: keep the current page in sight.
  var current = document.querySelector('.nav a[aria-current="page"]');
  if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });

  if (document.visibilityState !== "hidden") connect(); else liveBadge("paused");
})();
