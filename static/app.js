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
    var copy = e.target.closest("[data-copy], [data-copy-text]");
    if (copy) { copyFrom(copy); return; }
    var nav = e.target.closest("[data-nav-toggle]");
    if (nav) {
      var expanded = nav.getAttribute("aria-expanded") === "true";
      nav.setAttribute("aria-expanded", expanded ? "false" : "true");
      document.getElementById(nav.getAttribute("aria-controls")).classList.toggle("is-open", !expanded);
      return;
    }
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
    if (e.key === "?") {
      if (document.getElementById("shortcuts-dialog")) { e.preventDefault(); openDialog("shortcuts-dialog"); }
      return;
    }
    var b = document.querySelector('[data-hotkey="' + e.key.toLowerCase() + '"]');
    if (b && b.offsetParent !== null) { e.preventDefault(); b.click(); }
  }

  // ---- Live queue: server-sent events ask open regions to refresh, only while visible. ----
  // The Live pill says whether changes are heard: on, reconnecting (the stream dropped;
  // the browser retries), paused (tab hidden). After a drop, every region refreshes once
  // the stream is back, so nothing created during the gap is missed.
  var source = null, pendingRefresh = null, timer = 0, pendingIds = [], liveState = "off", dropped = false, retryTimer = 0;

  function liveBadge(state) {
    liveState = state;
    var b = document.getElementById("live");
    if (!b) return;
    b.setAttribute("data-state", state);
    var t = b.querySelector(".live-text");
    if (t) t.textContent = state === "retry" ? "Reconnecting…" : state === "paused" ? "Live · paused" : "Live";
  }

  function refresh(ids) {
    pendingRefresh = null;
    var open = document.querySelector("dialog[open]");
    if (open) {
      pendingRefresh = ids;
      watchOpenRequest(open, ids);
      return;
    }
    document.querySelectorAll("[data-live-region]").forEach(function (el) {
      var only = el.getAttribute("data-live-id");
      if (only && ids !== "*" && ids.indexOf(only) < 0) return;
      htmx.trigger(el, "agentgate:refresh");
    });
  }

  // A decision dialog open on a request that changes hears about it at once: the page
  // behind it is fetched (not swapped, so the reason typed stays) and, when the person
  // may no longer decide, the dialog says why and confirming is turned off.
  function watchOpenRequest(dialog, ids) {
    var region = document.getElementById("request");
    var live = dialog.querySelector("[data-dialog-live]");
    if (!region || !live || !region.contains(dialog)) return;
    var id = region.getAttribute("data-live-id");
    if (ids !== "*" && ids.indexOf(id) < 0) return;
    fetch("/requests/" + encodeURIComponent(id), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var now = new DOMParser().parseFromString(html, "text/html").getElementById("request");
        if (!now || !dialog.open || now.getAttribute("data-may-decide") === "true") return;
        var line = now.querySelector("#request-status");
        live.textContent = "Decided elsewhere while this was open: " + (line ? line.textContent.trim() : "it can no longer be decided") + " Your decision would not count.";
        live.hidden = false;
        var confirm = dialog.querySelector("button[type=submit]");
        if (confirm) { confirm.disabled = true; confirm.setAttribute("aria-disabled", "true"); }
      })
      .catch(function () { /* the refresh after closing shows it */ });
  }

  function schedule(ids) {
    clearTimeout(timer);
    var all = pendingIds === "*" || ids === "*" ? "*" : pendingIds.concat(ids);
    pendingIds = all;
    timer = setTimeout(function () { var i = pendingIds; pendingIds = []; refresh(i); }, 120);
  }

  function connect() {
    var url = document.body.getAttribute("data-events");
    clearTimeout(retryTimer);
    if (!url || source || !window.EventSource) return;
    source = new EventSource(url);
    source.onopen = function () {
      liveBadge("on");
      if (dropped) { dropped = false; schedule("*"); }
    };
    source.onerror = function () {
      dropped = true;
      liveBadge("retry");
      // A stream the browser gave up on (a refused reconnect) is retried here, gently.
      if (source && source.readyState === 2) { source.close(); source = null; retryTimer = setTimeout(connect, 3000); }
    };
    source.addEventListener("change", function (e) { schedule(e.data === "*" ? "*" : e.data.split(" ")); });
    source.addEventListener("signout", function () { window.location.assign("/login"); });
  }

  function disconnect() {
    clearTimeout(retryTimer);
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
  // A filter form that fires "change" without changing anything (leaving the search field
  // after typing, which already searched) asks for nothing: swapping the same list again
  // would take focus from whoever has moved on into it.
  document.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.verb !== "get") return;
    var p = e.detail.parameters;
    Object.keys(p).forEach(function (k) { if (p[k] === "") delete p[k]; });
    var t = e.detail.triggeringEvent;
    if (t && t.type === "change" && sameQuery(p, location.search) && e.detail.path.split("?")[0] === location.pathname) e.preventDefault();
  });

  function sameQuery(params, search) {
    var a = [], b = [];
    Object.keys(params).forEach(function (k) { [].concat(params[k]).forEach(function (v) { a.push(k + "=" + v); }); });
    new URLSearchParams(search).forEach(function (v, k) { if (v !== "") b.push(k + "=" + v); });
    return a.sort().join("&") === b.sort().join("&");
  }

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
    var again = document.querySelector("dialog[data-open-now]");
    if (again) { again.removeAttribute("data-open-now"); openDialog(again.id); }
    var r = document.getElementById("request");
    if (r && r.getAttribute("data-title")) document.title = r.getAttribute("data-title");
  });

  // A swap brings a fresh Live pill; it keeps saying what the stream is doing.
  document.addEventListener("htmx:afterSwap", function () { liveBadge(liveState); });

  // Whatever is being sent shows it: the element that sent it is busy until the answer.
  document.addEventListener("htmx:beforeRequest", function (e) { if (e.detail.elt) e.detail.elt.setAttribute("aria-busy", "true"); });
  document.addEventListener("htmx:afterRequest", function (e) { if (e.detail.elt) e.detail.elt.removeAttribute("aria-busy"); });

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
    say(msg);
  });
  document.addEventListener("htmx:sendError", function () { say("Could not reach the server; check your connection and try again."); });

  // say shows a message in the open dialog when there is one (the toast would be behind
  // it), else as a toast. The dialog stays open with what was typed.
  function say(msg) {
    var live = document.querySelector("dialog[open] [data-dialog-live]");
    if (live) { live.textContent = msg; live.hidden = false; return; }
    toast(msg);
  }

  // ---- Copy to the clipboard: a secret from its field (data-copy="#field"), or the value
  // a button carries itself (data-copy-text, beside params). ----
  function copyFrom(btn) {
    var field = btn.getAttribute("data-copy");
    var input = field && document.querySelector(field);
    if (field && !input) return;
    var done = function () {
      var label = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(function () { btn.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input ? input.value : btn.getAttribute("data-copy-text"))
        .then(done, function () { if (input) input.select(); else toast("Copying is not allowed here."); });
    } else if (input) {
      input.select();
      if (document.execCommand("copy")) done();
    } else {
      toast("Copying needs a secure (https) page.");
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

  document.documentElement.classList.add("js");
  window.agentgate = { openDialog: openDialog };
  if (document.visibilityState !== "hidden") connect(); else liveBadge("paused");
})();
