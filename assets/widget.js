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
 * Every host page pays for it: `cargo xtask assets` serves it minified (terser), and
 * `cargo xtask test` fails past 3,072 bytes gzip (xtask/src/size.rs). Written for browsers
 * of the last five years (ES2020: arrows, `?.`, `catch {}`), as the app itself needs.
 *
 * API (usable before this script has loaded, through the usual queue stub):
 *   Tidings('open' | 'close' | 'toggle' | 'shutdown')
 *   Tidings('identify', { name, email, user_id, user_hash })
 *   Tidings('on', 'open' | 'close' | 'message' | 'unread', callback)
 */
(() => {
  const w = window, d = document;
  if (w.Tidings?.loaded) return;

  const script = d.currentScript ||
    [...d.querySelectorAll("script[src]")].reverse().find((s) => /\/widget\.js(\?|#|$)/.test(s.src));
  const data = script?.dataset || {};
  let server = data.server || (script ? new URL(script.src, location.href).origin : location.origin);
  try { server = new URL(server).origin; } catch { return; }
  // The app checks the colour by the same rule (src/settings.rs).
  const color = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$|^[a-z]{1,20}$/i.test(data.color || "") ? data.color : "#4f46e5";
  // The app checks the locale and falls back to the browser's language, then English.
  const locale = data.locale || d.documentElement.lang;
  // Arabic reads right to left: its launcher sits on the left unless the page says.
  // The language the app will speak, as far as the loader needs it (the app decides).
  const lang = (locale || navigator.language).split(/[-_]/)[0].toLowerCase();
  const side = (data.position || lang == "ar" && "left") == "left" ? "left" : "right";
  const title = data.title || { ar: "تحدث معنا", de: "Schreiben Sie uns", es: "Chatea con nosotros", fr: "Discutez avec nous" }[lang] || "Chat with us";

  // Open state survives navigation in this tab only; "returning" and the last known
  // unread count are remembered for the site (the app cannot see the host's storage).
  const store = (kind, key, value) => {
    try {
      const s = w[kind];
      if (value === undefined) return s.getItem(key);
      if (value === null) s.removeItem(key); else s.setItem(key, value);
    } catch { /* storage blocked: behave as a first visit */ }
  };
  const OPEN = "tidings:open", RETURNING = "tidings:returning", UNREAD = "tidings:unread";
  // The app's keys, when it has no storage of its own; locks held for it by id.
  const NS = "tidings:" + server + ":", held = {};

  const snapshot = () => {
    const items = {};
    let ok = false;
    try {
      const s = w.localStorage;
      s.setItem(NS, "1");
      s.removeItem(NS);
      ok = true;
      for (const k of Object.keys(s)) if (k.startsWith(NS)) items[k.slice(NS.length)] = s.getItem(k);
    } catch { /* the app keeps it in memory */ }
    return { type: "store", ok, items };
  };
  const keep = (m) => {
    try {
      if (m.type === "set") w.localStorage.setItem(NS + m.key, m.value);
      else w.localStorage.removeItem(NS + m.key);
    } catch (e) { post({ type: "store-failed", reason: String(e) }); }
  };
  const lock = (name, id) => {
    const granted = () => post({ type: "locked", id });
    try {
      navigator.locks.request(NS + name, () => {
        granted();
        return new Promise((release) => { held[id] = release; });
      }).catch(granted);
    } catch { granted(); }
  };
  const unlock = (id) => {
    const release = held[id];
    delete held[id];
    release?.();
  };

  // `all:initial!important` on the host resets every property the page could set on it
  // (display, size, visibility, opacity, transform, …), and the shadow root's important
  // rules win over the page's: only what differs from the initial values follows. Fixed,
  // the host is a block whose children are all fixed too: it takes no room and no clicks.
  // The launcher's icon is white or black, whichever contrasts more with the site's colour:
  // LCH lightness about 49.4 is where both give the same ratio (the widget's CSS does the
  // same for text on the accent).
  const css =
    `:host{all:initial!important;position:fixed!important;bottom:0!important;` +
    `${side}:0!important;z-index:2147483000!important;pointer-events:none!important}` +
    `*{box-sizing:border-box}` +
    `.l{position:fixed;bottom:20px;${side}:20px;width:60px;height:60px;` +
    `border:0;border-radius:50%;background:${color};color:lch(from ${color} calc((49.4 - l)*9e9) 0 0);cursor:pointer;` +
    `display:flex;align-items:center;justify-content:center;pointer-events:auto;` +
    `box-shadow:0 4px 14px #0004}` +
    `.l:focus-visible{outline:3px solid #111;outline-offset:3px}` +
    `svg{width:28px;height:28px;fill:currentColor}` +
    `.b{position:absolute;top:-4px;${side}:-4px;min-width:22px;` +
    `height:22px;padding:0 6px;border-radius:11px;background:#e11d48;color:#fff;` +
    `font:700 12px/22px system-ui;text-align:center}` +
    `.p{position:fixed;bottom:92px;${side}:20px;width:380px;height:600px;` +
    `max-height:calc(100vh - 112px);border-radius:16px;overflow:hidden;background:#fff;` +
    `box-shadow:0 8px 32px #0004;pointer-events:auto}` +
    `iframe{display:block;width:100%;height:100%;border:0}` +
    `@media (max-width:639px){.p{inset:0;width:100%;height:100%;max-height:none;` +
    `border-radius:0;z-index:1}}`;

  const host = d.createElement("tidings-chat");
  const root = host.attachShadow({ mode: "open" });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // A browser without constructable stylesheets.
    el("style", {}, root).textContent = css;
  }

  // An element (of SVG's namespace with `ns`) with these attributes, in `parent`.
  function el(tag, attrs, parent, ns) {
    const e = ns ? d.createElementNS("http://www.w3.org/2000/svg", tag) : d.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  const ICON_CHAT = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";
  // Two crossed bars.
  const ICON_CLOSE = "M5 6.4 6.4 5 19 17.6 17.6 19zm0 11.2L17.6 5 19 6.4 6.4 19z";
  // Their state (hidden, labels, expanded) is set by `render`, before the host is shown.
  const panel = el("div", { class: "p", id: "tidings-panel", role: "dialog", "aria-label": title }, root);
  const launcher = el("button", {
    class: "l", type: "button", "data-testid": "tidings-launcher", "aria-controls": "tidings-panel"
  }, root);
  const icon = el("path", {}, el("svg", { viewBox: "0 0 24 24", "aria-hidden": "true" }, launcher, 1), 1);
  const badge = el("span", { class: "b", "data-testid": "tidings-unread", "aria-live": "polite" }, launcher);

  // `labels`: the launcher's labels closed and open and the panel's title, in the visitor's
  // language, once the app has said them (English until then).
  let frame = null, ready = false, isOpen = false, unread = 0, labels;
  const outbox = [], listeners = {};
  let baseTitle = d.title.replace(/^\(\d+\) /, "");

  const emit = (name, arg) => {
    [...listeners[name] || []].forEach((cb) => {
      try { cb(arg); } catch (e) { setTimeout(() => { throw e; }); }
    });
  };
  function post(message) {
    message.tidings = 1;
    if (ready && frame) frame.contentWindow.postMessage(message, server);
    else outbox.push(message);
  }
  const ensureFrame = () => {
    if (frame) return;
    // The script tag's settings (title and greeting only when set: else the app shows its
    // own, in the visitor's language), over which the checked colour and locale.
    const q = new URLSearchParams({ ...data, origin: location.origin, page: location.href, color, locale: locale || "" });
    frame = el("iframe", {
      "data-testid": "tidings-frame", title, allow: "autoplay",
      src: server + "/chat/?" + q
    }, panel);
  };

  const render = () => {
    const shown = unread > 0 && !isOpen;
    badge.textContent = shown ? (unread > 99 ? "99+" : unread) : "";
    badge.hidden = !shown;
    const count = shown ? "(" + unread + ") " : "";
    if (d.title !== count + baseTitle) {
      if (!/^\(\d+\) /.test(d.title)) baseTitle = d.title;
      d.title = count + baseTitle;
    }
    launcher.setAttribute("aria-expanded", isOpen);
    launcher.setAttribute("aria-label", labels?.[+isOpen] || title);
    icon.setAttribute("d", isOpen ? ICON_CLOSE : ICON_CHAT);
    panel.hidden = !isOpen;
  };

  // `restoring`: reopened after a navigation; the panel shows but keeps its hands off focus.
  const open = (restoring) => {
    if (isOpen) return;
    ensureFrame();
    isOpen = true;
    store("sessionStorage", OPEN, "1");
    render();
    post({ type: "open", focus: !restoring });
    if (!restoring) frame.focus();
    emit("open");
  };
  const close = () => {
    if (!isOpen) return;
    const hadFocus = root.activeElement === frame;
    isOpen = false;
    store("sessionStorage", OPEN, "0");
    render();
    post({ type: "close" });
    if (hadFocus || d.activeElement === host) launcher.focus();
    emit("close");
  };
  const toggle = () => isOpen ? close() : open(false);

  const onMessage = (e) => {
    const m = e.data;
    if (e.origin !== server || !frame || e.source !== frame.contentWindow || m?.tidings !== 1) return;
    const type = m.type;
    if (type === "ready") {
      // A new document in the frame (it reloaded): the locks held for the one before go.
      for (const id in held) unlock(id);
      ready = true;
      if (m.store) post(snapshot());
      outbox.splice(0).forEach(post);
      post({ type: isOpen ? "open" : "close", focus: false });
    } else if (type === "state") {
      const n = m.unread;
      labels = m.labels;
      // The panel's and the frame's title in the visitor's language too (an app from before
      // it said one sends two labels).
      panel.setAttribute("aria-label", frame.title = labels?.[2] || title);
      if (m.has_conversation) store("localStorage", RETURNING, "1");
      store("localStorage", UNREAD, n);
      n !== unread && emit("unread", unread = n);
      render();
    } else if (type === "message") {
      emit("message", { body: m.body, author: m.author, createdAt: m.created_at });
    } else if (type === "close") {
      close();
    } else if (type === "forgotten") {
      remove();
    } else if ((type === "set" || type === "remove") && typeof m.key === "string") {
      keep(m);
    } else if (type === "lock") {
      lock(m.name, m.id);
    } else if (type === "unlock") {
      unlock(m.id);
    }
  };
  // Other tabs' changes to the app's keys.
  const onStorage = (e) => {
    if (!ready) return;
    if (e.key === null) post(snapshot());
    else if (e.key.startsWith(NS)) post({ type: "change", key: e.key.slice(NS.length), value: e.newValue });
  };

  // In-page navigations (history.pushState, back/forward, the hash) are noticed within a
  // second by comparing the URL: fewer bytes than patching history's methods, and it
  // cannot break the page's own navigation. The app tells the server (the visitor's page).
  let at = location.href;
  setInterval(() => at !== (at = location.href) && frame && post({ type: "page", page: at }), 999);
  launcher.addEventListener("click", toggle);
  root.addEventListener("keydown", (e) => { if (e.key === "Escape" && isOpen) close(); });
  w.addEventListener("message", onMessage);
  w.addEventListener("storage", onStorage);

  const api = (command, arg, cb) => {
    if (command === "open") open(false);
    else if (command === "close") close();
    else if (command === "toggle") toggle();
    else if (command === "identify" && arg) {
      // user_hash: the site backend's signature of user_id (docs/embedding.md). A non-object
      // argument has none of these keys: an identify that changes nothing.
      const m = { type: "identify" };
      for (const k of ["name", "email", "user_id", "user_hash"]) m[k] = arg[k] == null ? null : String(arg[k]);
      post(m);
    } else if (command === "on" && typeof cb === "function") {
      (listeners[arg] ||= []).push(cb);
    } else if (command === "shutdown") {
      // Ends the visitor's session in this browser (e.g. at logout): the app forgets its
      // token and outbox (asked first if it may have one), then everything goes.
      w.Tidings = () => {};
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
    for (const id in held) unlock(id);
    host.remove();
    frame = null;
    d.title = baseTitle;
    store("sessionStorage", OPEN, null);
    // Every key of ours: "returning", the unread count and the app's (under NS).
    try {
      for (const k of Object.keys(w.localStorage)) if (k.startsWith("tidings:")) w.localStorage.removeItem(k);
    } catch { /* nothing was kept here */ }
  }
  api.loaded = true;
  const queued = w.Tidings?.q || [];
  w.Tidings = api;

  const mount = () => {
    (d.body || d.documentElement).appendChild(host);
    unread = Math.max(0, store("localStorage", UNREAD) | 0);
    render();
    queued.forEach((args) => api(...args));
    if (store("sessionStorage", OPEN) === "1") open(true);
    else if (store("localStorage", RETURNING) === "1") {
      // A returning visitor: load the app when the page is idle, so the badge is live.
      (w.requestIdleCallback || ((f) => setTimeout(f, 1500)))(ensureFrame, { timeout: 3000 });
    }
  };
  if (d.body) mount(); else d.addEventListener("DOMContentLoaded", mount);
})();
