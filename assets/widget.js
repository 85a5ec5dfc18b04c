/*! Tidings loader: the chat launcher for any page. Hand-written, no dependencies.
 *
 * <script src="https://chat.example.com/widget.js" async
 *         data-color="#4f46e5" data-position="right" data-title="Chat with us"></script>
 *
 * Draws the launcher (and its unread badge) in an open shadow root, so the page's CSS
 * cannot touch it, with constructable stylesheets, so a strict CSP allows it. The chat
 * app is an iframe from the Tidings server, created only when needed: on the first open,
 * on Tidings('open'), or when idle for a returning visitor (for a live badge). Loader and
 * app talk by postMessage, origins checked both ways.
 * An app denied storage of its own (cross-site) uses the host page's storage and locks
 * through this loader: see docs/ARCHITECTURE.md.
 *
 * API (usable before this script has loaded, through the usual queue stub):
 *   Tidings('open' | 'close' | 'toggle' | 'shutdown')
 *   Tidings('identify', { name, email })
 *   Tidings('on', 'open' | 'close' | 'message' | 'unread', callback)
 */
(function () {
  "use strict";
  var w = window, d = document;
  if (w.Tidings && w.Tidings.loaded) return;

  var script = d.currentScript || (function () {
    var all = d.querySelectorAll("script[src]");
    for (var i = all.length - 1; i >= 0; i--) if (/\/widget\.js(\?|#|$)/.test(all[i].src)) return all[i];
  })();
  var data = (script && script.dataset) || {};
  var server = data.server || (script ? new URL(script.src, location.href).origin : location.origin);
  try { server = new URL(server).origin; } catch (e) { return; }
  // The app checks the colour by the same rule (src/settings.rs).
  var color = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$|^[a-z]{1,20}$/i.test(data.color || "") ? data.color : "#4f46e5";
  var side = data.position === "left" ? "left" : "right";
  var title = data.title || "Chat with us";

  // Open state survives navigation in this tab only; "returning" and the last known
  // unread count are remembered for the site (the app cannot see the host's storage).
  function store(kind, key, value) {
    try {
      var s = w[kind];
      if (value === undefined) return s.getItem(key);
      if (value === null) s.removeItem(key); else s.setItem(key, value);
    } catch (e) { /* storage blocked: behave as a first visit */ }
  }
  var OPEN = "tidings:open", RETURNING = "tidings:returning", UNREAD = "tidings:unread";
  // The app's keys, when it has no storage of its own; locks held for it by id.
  var NS = "tidings:" + server + ":", held = {};

  function snapshot() {
    var items = {}, ok = false;
    try {
      var s = w.localStorage;
      s.setItem(NS, "1");
      s.removeItem(NS);
      ok = true;
      for (var i = 0; i < s.length; i++) {
        var k = s.key(i);
        if (k && k.indexOf(NS) === 0) items[k.slice(NS.length)] = s.getItem(k);
      }
    } catch (e) { /* the app keeps it in memory */ }
    return { type: "store", ok: ok, items: items };
  }
  function keep(m) {
    try {
      if (m.type === "set") w.localStorage.setItem(NS + m.key, String(m.value));
      else w.localStorage.removeItem(NS + m.key);
    } catch (e) { post({ type: "store-failed", reason: String((e && e.message) || e) }); }
  }
  function lock(name, id) {
    var granted = function () { post({ type: "locked", id: id }); };
    try {
      navigator.locks.request(NS + name, function () {
        granted();
        return new Promise(function (release) { held[id] = release; });
      })["catch"](granted);
    } catch (e) { granted(); }
  }
  function unlock(id) {
    var release = held[id];
    delete held[id];
    if (release) release();
  }

  var css =
    ":host{all:initial!important;display:block!important;position:fixed!important;" +
    "bottom:0!important;" + side + ":0!important;width:0!important;height:0!important;" +
    "z-index:2147483000!important;visibility:visible!important;opacity:1!important;" +
    "transform:none!important;pointer-events:none!important}" +
    "*{box-sizing:border-box}[hidden]{display:none!important}" +
    ".l{position:fixed;bottom:20px;" + side + ":20px;width:60px;height:60px;margin:0;padding:0;" +
    "border:0;border-radius:50%;background:" + color + ";color:#fff;cursor:pointer;" +
    "display:flex;align-items:center;justify-content:center;pointer-events:auto;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);transition:transform .15s}" +
    ".l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid #111;outline-offset:3px}" +
    ".l svg{width:28px;height:28px;fill:currentColor}" +
    ".b{position:absolute;top:-4px;" + (side === "left" ? "left" : "right") + ":-4px;min-width:22px;" +
    "height:22px;padding:0 6px;border-radius:11px;background:#e11d48;color:#fff;" +
    "font:700 12px/22px system-ui,sans-serif;text-align:center}" +
    ".p{position:fixed;bottom:92px;" + side + ":20px;width:380px;height:600px;" +
    "max-height:calc(100vh - 112px);border-radius:16px;overflow:hidden;background:#fff;" +
    "box-shadow:0 8px 32px rgba(0,0,0,.25);pointer-events:auto}" +
    ".p iframe{display:block;width:100%;height:100%;border:0}" +
    "@media (max-width:639px){.p{inset:0;width:100%;height:100%;max-height:none;" +
    "border-radius:0;z-index:1}}" +
    "@media (prefers-reduced-motion:reduce){.l{transition:none}}";

  var host = d.createElement("tidings-chat");
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && w.CSSStyleSheet) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = d.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }

  function el(tag, attrs, parent) {
    var e = tag === "svg" || tag === "path"
      ? d.createElementNS("http://www.w3.org/2000/svg", tag) : d.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  var ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z";
  var panel = el("div", { "class": "p", id: "tidings-panel", role: "dialog", "aria-label": title, hidden: "" }, root);
  var launcher = el("button", {
    "class": "l", type: "button", "data-testid": "tidings-launcher",
    "aria-label": "Open chat: " + title, "aria-expanded": "false", "aria-controls": "tidings-panel"
  }, root);
  var icon = el("path", { d: ICON_CHAT }, el("svg", { viewBox: "0 0 24 24", "aria-hidden": "true" }, launcher));
  var badge = el("span", { "class": "b", "data-testid": "tidings-unread", "aria-live": "polite", hidden: "" }, launcher);

  var frame = null, ready = false, outbox = [], isOpen = false, unread = 0, listeners = {};
  var baseTitle = d.title.replace(/^\(\d+\) /, "");

  function emit(name, arg) {
    (listeners[name] || []).slice().forEach(function (cb) {
      try { cb(arg); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }
  function post(message) {
    message.tidings = 1;
    if (ready && frame) frame.contentWindow.postMessage(message, server);
    else outbox.push(message);
  }
  function ensureFrame() {
    if (frame) return;
    var q = new URLSearchParams({ origin: location.origin, page: location.href, title: title });
    if (data.greeting) q.set("greeting", data.greeting);
    // The app checks it and falls back to the browser's language, then English.
    var locale = data.locale || d.documentElement.lang;
    if (locale) q.set("locale", locale);
    q.set("color", color);
    frame = el("iframe", {
      "data-testid": "tidings-frame", title: title, allow: "autoplay",
      src: server + "/chat/?" + q.toString()
    }, panel);
  }

  function render() {
    var shown = unread > 0 && !isOpen;
    badge.textContent = shown ? String(unread > 99 ? "99+" : unread) : "";
    if (shown) badge.removeAttribute("hidden"); else badge.setAttribute("hidden", "");
    var wanted = shown ? "(" + unread + ") " + baseTitle : baseTitle;
    if (d.title !== wanted) {
      if (!/^\(\d+\) /.test(d.title)) baseTitle = d.title;
      d.title = shown ? "(" + unread + ") " + baseTitle : baseTitle;
    }
    launcher.setAttribute("aria-expanded", String(isOpen));
    launcher.setAttribute("aria-label", (isOpen ? "Close chat: " : "Open chat: ") + title +
      (shown ? " (" + unread + " unread)" : ""));
    icon.setAttribute("d", isOpen ? ICON_CLOSE : ICON_CHAT);
    if (isOpen) panel.removeAttribute("hidden"); else panel.setAttribute("hidden", "");
  }

  // `restoring`: reopened after a navigation; the panel shows but keeps its hands off focus.
  function open(restoring) {
    if (isOpen) return;
    ensureFrame();
    isOpen = true;
    store("sessionStorage", OPEN, "1");
    render();
    post({ type: "open", focus: !restoring });
    if (!restoring) try { frame.focus(); } catch (e) { /* the app focuses itself when ready */ }
    emit("open");
  }
  function close() {
    if (!isOpen) return;
    var hadFocus = root.activeElement === frame;
    isOpen = false;
    store("sessionStorage", OPEN, "0");
    render();
    post({ type: "close" });
    if (hadFocus || d.activeElement === host) launcher.focus();
    emit("close");
  }

  function onMessage(e) {
    var m = e.data;
    if (e.origin !== server || !frame || e.source !== frame.contentWindow || !m || m.tidings !== 1) return;
    if (m.type === "ready") {
      ready = true;
      if (m.store) post(snapshot());
      outbox.splice(0).forEach(post);
      post({ type: isOpen ? "open" : "close", focus: false });
    } else if (m.type === "state") {
      var n = Math.max(0, Math.floor(Number(m.unread) || 0));
      if (m.has_conversation) store("localStorage", RETURNING, "1");
      store("localStorage", UNREAD, String(n));
      if (n !== unread) { unread = n; render(); emit("unread", n); }
    } else if (m.type === "message") {
      emit("message", { body: String(m.body), author: m.author || null, createdAt: m.created_at });
    } else if (m.type === "close") {
      close();
    } else if (m.type === "forgotten") {
      remove();
    } else if ((m.type === "set" || m.type === "remove") && typeof m.key === "string") {
      keep(m);
    } else if (m.type === "lock") {
      lock(String(m.name), m.id);
    } else if (m.type === "unlock") {
      unlock(m.id);
    }
  }
  // Other tabs' changes to the app's keys.
  function onStorage(e) {
    if (!ready) return;
    if (e.key === null) post(snapshot());
    else if (e.key.indexOf(NS) === 0) post({ type: "change", key: e.key.slice(NS.length), value: e.newValue });
  }
  function onKey(e) {
    if (e.key === "Escape" && isOpen) close();
  }

  launcher.addEventListener("click", function () { isOpen ? close() : open(false); });
  root.addEventListener("keydown", onKey);
  w.addEventListener("message", onMessage);
  w.addEventListener("storage", onStorage);

  var api = function (command, arg, cb) {
    if (command === "open") open(false);
    else if (command === "close") close();
    else if (command === "toggle") isOpen ? close() : open(false);
    else if (command === "identify" && arg && typeof arg === "object") {
      post({ type: "identify", name: arg.name == null ? null : String(arg.name),
             email: arg.email == null ? null : String(arg.email) });
    } else if (command === "on" && typeof cb === "function") {
      (listeners[arg] = listeners[arg] || []).push(cb);
    } else if (command === "shutdown") {
      // Ends the visitor's session in this browser (e.g. at logout): the app forgets its
      // token and outbox (asked first if it may have one), then everything goes.
      w.Tidings = function () {};
      if (frame || store("localStorage", RETURNING) === "1") {
        ensureFrame();
        post({ type: "forget" });
        setTimeout(remove, 3000);
      } else remove();
    }
  };
  function remove() {
    if (!host.parentNode) return;
    w.removeEventListener("message", onMessage);
    w.removeEventListener("storage", onStorage);
    for (var id in held) unlock(id);
    host.parentNode.removeChild(host);
    d.title = baseTitle;
    store("localStorage", RETURNING, null);
    store("localStorage", UNREAD, null);
    store("sessionStorage", OPEN, null);
    try {
      for (var s = w.localStorage, i = s.length - 1; i >= 0; i--) if (s.key(i).indexOf(NS) === 0) s.removeItem(s.key(i));
    } catch (e) { /* nothing was kept here */ }
  }
  api.loaded = true;
  var queued = (w.Tidings && w.Tidings.q) || [];
  w.Tidings = api;

  function mount() {
    (d.body || d.documentElement).appendChild(host);
    unread = Math.max(0, Number(store("localStorage", UNREAD)) || 0);
    render();
    queued.forEach(function (args) { api.apply(null, args); });
    if (store("sessionStorage", OPEN) === "1") open(true);
    else if (store("localStorage", RETURNING) === "1") {
      // A returning visitor: load the app when the page is idle, so the badge is live.
      (w.requestIdleCallback || function (f) { setTimeout(f, 1500); })(function () {
        ensureFrame();
      }, { timeout: 3000 });
    }
  }
  if (d.body) mount(); else d.addEventListener("DOMContentLoaded", mount);
})();
