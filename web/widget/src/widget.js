/*
 * Klagomålsguiden chat widget.
 *
 * Talks to Rasa's socket.io channel (bot/credentials.yml: user_message_evt "user_uttered",
 * bot_message_evt "bot_uttered", session_persistence: true).
 *
 * Embed with ONE script tag:
 *   <script src="https://backend.example/static/dist/klagomalsguiden.js"
 *           data-socket-url="https://bot.example" data-backend-url="https://backend.example" defer></script>
 * Optional attributes:
 *   data-target="#css-selector"   render inline into that element (otherwise a floating chat button)
 *   data-socket-path="/socket.io/" data-init-payload="/greet" data-lang="sv|en"
 *   data-storage="session|local|none"  (where the session id and the visible log are kept; default session,
 *                                       so that the conversation ends with the tab on a shared computer)
 *   data-transports="websocket,polling" data-open="true" (floating mode: start opened)
 * or set window.KlagomalsguidenConfig = {...} (same names in camelCase) before the script runs.
 * window.Klagomalsguiden.mount(element, config) mounts another instance by hand.
 */
import { io } from "socket.io-client";
import css from "./widget.css";

const STRINGS = {
  sv: {
    title: "Klagomålsguiden",
    subtitle: "Lämna synpunkter eller klagomål på vården",
    privacy:
      "Om dina uppgifter: Det du skriver används bara för ditt ärende. Vi frågar efter namn och " +
      "personnummer först när det behövs, och inget skickas förrän du har godkänt det.",
    privacyStored: "Samtalet finns kvar i den här fliken tills du stänger den eller trycker på \"Avsluta och rensa\".",
    privacyLink: "Så hanterar vi dina personuppgifter",
    logLabel: "Samtal med Klagomålsguiden",
    botSays: "Klagomålsguiden:",
    youSay: "Du:",
    inputLabel: "Ditt meddelande",
    inputHint: "Tryck Enter för att skicka. Skift + Enter ger en ny rad.",
    send: "Skicka",
    choices: "Svarsalternativ",
    typing: "Klagomålsguiden skriver…",
    connecting: "Ansluter till Klagomålsguiden…",
    connected: "Anslutningen är tillbaka.",
    disconnected: "Anslutningen bröts. Vi försöker ansluta igen. Det du har skrivit finns kvar.",
    unreachable:
      "Just nu går det inte att nå Klagomålsguiden. Vi försöker igen automatiskt. " +
      "Om du behöver vård, ring 1177. Vid fara för liv, ring 112.",
    pending: "Skickas när anslutningen är tillbaka",
    restart: "Avsluta och rensa",
    restartConfirm:
      "Vill du avsluta och rensa samtalet? Det du har skrivit här försvinner från skärmen och från " +
      "webbläsaren. Ett ärende som du redan har skickat in påverkas inte.",
    cleared: "Samtalet är avslutat och rensat från den här webbläsaren.",
    handedOver: "Det du skrev före det här har tagits bort från webbläsaren.",
    followCase: "Följ ett ärende du redan har skickat in",
    safetyHeading: "Viktigt",
    call: (n, who) => (who ? `Ring ${who} ${n}` : `Ring ${n}`),
    suicideLine: "Självmordslinjen",
    open: "Chatta med Klagomålsguiden",
    close: "Stäng",
    closeLabel: "Stäng chatten",
    newTab: "(öppnas i ny flik)",
    eidNewWindow: "(öppnas i ett nytt fönster)",
    eidDone: "Inloggad med e-legitimation",
    eidBlocked: "Fönstret för inloggningen kunde inte öppnas. Tillåt popup-fönster för den här sidan och försök igen, eller fortsätt utan.",
    image: "Bild från Klagomålsguiden",
    empty: "Skriv ett meddelande först.",
  },
  en: {
    title: "Klagomålsguiden",
    subtitle: "Give feedback or make a complaint about healthcare",
    privacy:
      "About your data: what you write is only used for your case. We ask for your name and " +
      "personal identity number only when needed, and nothing is sent until you have approved it.",
    privacyStored: "The conversation is kept in this tab until you close it or press \"End and clear\".",
    privacyLink: "How we handle your personal data",
    logLabel: "Conversation with Klagomålsguiden",
    botSays: "Klagomålsguiden:",
    youSay: "You:",
    inputLabel: "Your message",
    inputHint: "Press Enter to send. Shift + Enter adds a new line.",
    send: "Send",
    choices: "Choices",
    typing: "Klagomålsguiden is typing…",
    connecting: "Connecting to Klagomålsguiden…",
    connected: "The connection is back.",
    disconnected: "The connection was lost. We are reconnecting. What you wrote is kept.",
    unreachable:
      "Klagomålsguiden cannot be reached right now. We keep trying. " +
      "If you need care, call 1177. If a life is in danger, call 112.",
    pending: "Will be sent when the connection is back",
    restart: "End and clear",
    restartConfirm:
      "End and clear the conversation? What you wrote disappears from the screen and from this " +
      "browser. A case you have already submitted is not affected.",
    cleared: "The conversation has ended and is cleared from this browser.",
    handedOver: "What you wrote before this has been removed from this browser.",
    followCase: "Follow a case you have already submitted",
    safetyHeading: "Important",
    call: (n, who) => (who ? `Call ${who} ${n}` : `Call ${n}`),
    suicideLine: "the suicide helpline",
    open: "Chat with Klagomålsguiden",
    close: "Close",
    closeLabel: "Close the chat",
    newTab: "(opens in a new tab)",
    eidNewWindow: "(opens in a new window)",
    eidDone: "Logged in with e-ID",
    eidBlocked: "The log-in window could not be opened. Allow pop-ups for this page and try again, or continue without.",
    image: "Image from Klagomålsguiden",
    empty: "Write a message first.",
  },
};

const STORAGE_VERSION = 1;
const STORAGE_TTL_MS = 12 * 60 * 60 * 1000; // a forgotten conversation on a shared computer expires
const MAX_LOG = 400;
const SAFETY_RE = /(^|[^\d])(112|90101)(?!\d)/;

let instanceCounter = 0;

// ------------------------------------------------------------------------------------------------
// configuration
// ------------------------------------------------------------------------------------------------
function camel(name) {
  return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

function readConfig(script, overrides) {
  const cfg = {};
  if (script) {
    for (const attr of Array.from(script.attributes)) {
      if (attr.name.startsWith("data-")) cfg[camel(attr.name.slice(5))] = attr.value;
    }
  }
  Object.assign(cfg, window.KlagomalsguidenConfig || {}, overrides || {});
  let scriptOrigin = null;
  try {
    if (script && script.src) scriptOrigin = new URL(script.src, document.baseURI).origin;
  } catch (_) { /* ignore */ }
  const here = window.location;
  const lang = (cfg.lang || document.documentElement.lang || "sv").slice(0, 2).toLowerCase();
  return {
    socketUrl: (cfg.socketUrl || `${here.protocol}//${here.hostname}:5005`).replace(/\/+$/, ""),
    socketPath: cfg.socketPath || "/socket.io/",
    backendUrl: (cfg.backendUrl || scriptOrigin || here.origin).replace(/\/+$/, ""),
    target: cfg.target || null,
    initPayload: cfg.initPayload === undefined ? "/greet" : cfg.initPayload,
    lang: STRINGS[lang] ? lang : "sv",
    storage: ["local", "session", "none"].includes(cfg.storage) ? cfg.storage : "session",
    transports: (cfg.transports || "websocket,polling").split(",").map((s) => s.trim()).filter(Boolean),
    open: String(cfg.open) === "true",
    privacyUrl: cfg.privacyUrl || null,
    caseUrl: cfg.caseUrl || null,
  };
}

// ------------------------------------------------------------------------------------------------
// storage (session id + the visible log, so a reload shows the same conversation)
// ------------------------------------------------------------------------------------------------
function makeStore(kind, key) {
  let backend = null;
  try {
    if (kind === "local") backend = window.localStorage;
    else if (kind === "session") backend = window.sessionStorage;
    if (backend) {
      backend.setItem("kg:probe", "1");
      backend.removeItem("kg:probe");
    }
  } catch (_) {
    backend = null; // private mode, blocked third-party storage … keep working without it
  }
  return {
    load() {
      if (!backend) return null;
      try {
        const raw = JSON.parse(backend.getItem(key) || "null");
        if (!raw || raw.v !== STORAGE_VERSION) return null;
        if (Date.now() - (raw.updated || 0) > STORAGE_TTL_MS) {
          backend.removeItem(key);
          return null;
        }
        return raw;
      } catch (_) {
        return null;
      }
    },
    save(state) {
      if (!backend) return;
      try {
        backend.setItem(key, JSON.stringify({ v: STORAGE_VERSION, updated: Date.now(), ...state }));
      } catch (_) { /* quota: the live conversation still works */ }
    },
    clear() {
      if (backend) try { backend.removeItem(key); } catch (_) { /* ignore */ }
    },
  };
}

// Personnummer / samordningsnummer and the case's access code (ABCD-EFGH-JKLM) are never kept in
// browser storage: the stored copy is masked.
const CODE_RE = /\b[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}\b/g;
function maskForStorage(text) {
  if (typeof text !== "string") return text;
  return text
    .replace(/\b(\d{2})?(\d{6})[-+ ]?\d{4}\b/g, (m, cent, ymd) => `${cent || ""}${ymd}-****`)
    .replace(CODE_RE, "****-****-****");
}

function newSessionId() {
  const bytes = new Uint8Array(16);
  (window.crypto || window.msCrypto).getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ------------------------------------------------------------------------------------------------
// DOM helpers
// ------------------------------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function safeUrl(url) {
  try {
    const u = new URL(url, window.location.href);
    if (["http:", "https:", "mailto:", "tel:"].includes(u.protocol)) return u.href;
  } catch (_) { /* fallthrough */ }
  return null;
}

// A very small, safe subset of Markdown: [text](url), bare URLs, **bold**, paragraphs.
// No innerHTML anywhere: every piece becomes a text node or an element we build.
const INLINE_RE = /\[([^\]\n]{1,200})\]\(([^)\s]{1,500})\)|\*\*([^*\n]{1,300})\*\*|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

function inline(text, t) {
  const out = [];
  let last = 0;
  let m;
  INLINE_RE.lastIndex = 0;
  while ((m = INLINE_RE.exec(text))) {
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    if (m[1] !== undefined) {
      out.push(link(m[1], m[2], t));
    } else if (m[3] !== undefined) {
      out.push(h("strong", { text: m[3] }));
    } else {
      out.push(link(m[4], m[4], t));
    }
    last = INLINE_RE.lastIndex;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}

function link(label, url, t) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(label);
  const external = /^https?:/.test(href) && new URL(href).origin !== window.location.origin;
  return h(
    "a",
    external ? { href, target: "_blank", rel: "noopener noreferrer" } : { href },
    label,
    external ? h("span", { class: "kg-sr", text: ` ${t.newTab}` }) : null,
  );
}

function paragraphs(text, t) {
  return String(text)
    .split(/\n{2,}/)
    .map((p) => h("p", null, inline(p, t)));
}

// ------------------------------------------------------------------------------------------------
// the widget
// ------------------------------------------------------------------------------------------------
class ChatWidget {
  constructor(hostEl, config) {
    this.cfg = config;
    this.t = STRINGS[config.lang];
    this.id = `kg${++instanceCounter}`;
    this.host = hostEl;
    this.store = makeStore(config.storage, `kg:chat:${config.socketUrl}`);
    const saved = this.store.load();
    this.sessionId = (saved && saved.sessionId) || newSessionId();
    this.log = (saved && Array.isArray(saved.log) && saved.log) || [];
    this.initSent = Boolean(saved && saved.initSent);
    // entries before this index are not stored: they came before a hand-over (see onBotMessage)
    this.storeFrom = 0;
    this.outbox = []; // messages typed while the connection is down
    this.confirmed = false;
    this.everConnected = false;
    this.typingTimer = null;
    this.floating = !config.target;
    this.root = hostEl.attachShadow ? hostEl.attachShadow({ mode: "open" }) : hostEl;
    this.onEidMessage = this.onEidMessage.bind(this);
    this.render();
    this.restoreLog();
    if (!this.floating || this.cfg.open) this.connect();
  }

  // ---- layout ---------------------------------------------------------------------------------
  render() {
    const t = this.t;
    const id = this.id;

    const privacyHref = this.cfg.privacyUrl || `${this.cfg.backendUrl}/om-personuppgifter`;
    const caseHref = this.cfg.caseUrl || `${this.cfg.backendUrl}/arende`;

    // role=log (polite live region) around an ordered list: screen readers read each new message
    this.logEl = h("ol", { class: "kg-list" });
    this.logBox = h("div", {
      class: "kg-log",
      id: `${id}-log`,
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": t.logLabel,
      tabindex: "0",
    }, this.logEl);
    this.connEl = h("div", { class: "kg-conn", role: "status", "aria-live": "polite" });
    this.typingEl = h(
      "div",
      { class: "kg-typing", "data-active": "false", role: "status", "aria-live": "polite" },
    );
    this.inputEl = h("textarea", {
      class: "kg-input",
      id: `${id}-input`,
      name: "message",
      rows: "2",
      autocomplete: "off",
      "aria-describedby": `${id}-hint`,
      maxlength: "5000",
    });
    this.sendEl = h("button", { class: "kg-send", type: "submit" }, t.send);
    this.formEl = h(
      "form",
      { class: "kg-form", novalidate: true, onsubmit: (e) => this.onSubmit(e) },
      h("label", { class: "kg-label", for: `${id}-input` }, t.inputLabel),
      this.inputEl,
      this.sendEl,
      h("p", { class: "kg-hint", id: `${id}-hint` }, t.inputHint),
    );
    this.inputEl.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.formEl.requestSubmit ? this.formEl.requestSubmit() : this.onSubmit(e);
      }
    });

    const headerChildren = [
      h(
        "div",
        { class: "kg-header-text" },
        h(this.floating ? "h2" : "h2", { class: "kg-title", id: `${id}-title` }, t.title),
        h("p", { class: "kg-subtitle" }, t.subtitle),
      ),
    ];
    if (this.floating) {
      headerChildren.push(
        h("button", {
          class: "kg-close", type: "button", "aria-label": t.closeLabel,
          onclick: () => this.setOpen(false),
        }, t.close),
      );
    }
    const privacyNote = h(
      "div",
      { class: "kg-privacy", id: `${id}-privacy` },
      h(
        "p",
        null,
        t.privacy,
        this.cfg.storage !== "none" ? ` ${t.privacyStored} ` : " ",
        link(t.privacyLink, privacyHref, t),
      ),
    );
    this.section = h(
      "section",
      { class: "kg", "aria-labelledby": `${id}-title`, lang: this.cfg.lang },
      h("header", { class: "kg-header" }, headerChildren),
      privacyNote,
      this.connEl,
      this.logBox,
      this.typingEl,
      this.formEl,
      h(
        "div",
        { class: "kg-tools" },
        link(t.followCase, caseHref, t),
        h("button", { class: "kg-end", type: "button", "data-testid": "kg-end", onclick: () => this.restart() }, t.restart),
      ),
    );

    // A constructed stylesheet is not an inline style, so a host page with a strict CSP (style-src 'self')
    // still styles the widget; older browsers get a <style> element.
    let adopted = false;
    try {
      if (this.root !== this.host && "adoptedStyleSheets" in this.root && "replaceSync" in CSSStyleSheet.prototype) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        this.root.adoptedStyleSheets = [sheet];
        adopted = true;
      }
    } catch (_) { /* fall back below */ }
    if (!adopted) this.root.append(h("style", null, css));
    if (this.floating) {
      this.launcher = h(
        "button",
        {
          class: "kg-launcher", type: "button", "aria-expanded": "false",
          "aria-controls": `${id}-panel`, onclick: () => this.setOpen(true),
        },
        t.open,
      );
      this.panel = h("div", { class: "kg-panel", id: `${id}-panel`, hidden: true }, this.section);
      this.panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape") this.setOpen(false);
      });
      this.root.append(this.launcher, this.panel);
      if (this.cfg.open) this.setOpen(true, false);
    } else {
      this.root.append(this.section);
    }
  }

  setOpen(open, focus = true) {
    if (!this.floating) return;
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      if (!this.socket) this.connect();
      this.scrollToEnd();
      if (focus) this.inputEl.focus();
    } else if (focus) {
      this.launcher.focus();
    }
  }

  // ---- connection -----------------------------------------------------------------------------
  connect() {
    this.setConn(this.t.connecting, "busy");
    const socket = io(this.cfg.socketUrl, {
      path: this.cfg.socketPath,
      transports: this.cfg.transports,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 10000,
      autoConnect: true,
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.confirmed = false;
      socket.emit("session_request", { session_id: this.sessionId });
    });
    socket.on("session_confirm", (data) => {
      const sid = typeof data === "string" ? data : data && data.session_id;
      if (sid && sid !== this.sessionId) {
        this.sessionId = sid;
      }
      this.confirmed = true;
      const recovered = this.everConnected && this.connEl.dataset.state === "down";
      this.everConnected = true;
      this.setConn(recovered ? this.t.connected : "", "ok");
      if (recovered) {
        clearTimeout(this.connTimer);
        this.connTimer = setTimeout(() => {
          if (this.connEl.dataset.state === "ok") this.setConn("", "ok");
        }, 4000);
      }
      this.persist();
      this.flushOutbox();
      if (!this.initSent && this.log.length === 0 && this.cfg.initPayload) {
        this.initSent = true;
        this.persist();
        this.emitUser(this.cfg.initPayload);
        this.setTyping(true);
      }
    });
    socket.on("bot_uttered", (msg) => this.onBotMessage(msg));
    socket.on("disconnect", (reason) => {
      this.confirmed = false;
      this.setTyping(false);
      this.setConn(this.t.disconnected, "down");
      if (reason === "io server disconnect") socket.connect(); // the server hung up: try again
    });
    socket.on("connect_error", () => {
      this.confirmed = false;
      this.setConn(this.everConnected ? this.t.disconnected : this.t.unreachable, "down");
    });
  }

  setConn(text, state) {
    this.connEl.dataset.state = state;
    if (this.connEl.textContent !== text) this.connEl.textContent = text;
    this.host.setAttribute("data-connection", state);
  }

  emitUser(message, meta) {
    this.socket.emit("user_uttered", {
      message,
      session_id: this.sessionId,
      metadata: { channel: "web-widget", lang: this.cfg.lang, ...(meta || {}) },
    });
  }

  flushOutbox() {
    const queued = this.outbox.splice(0);
    for (const item of queued) {
      this.emitUser(item.payload, item.meta);
      if (item.entry) {
        delete item.entry.pending;
        const li = this.logEl.querySelector(`[data-idx="${item.entry.idx}"]`);
        if (li) {
          li.classList.remove("kg-pending");
          const note = li.querySelector(".kg-pending-note");
          if (note) note.remove();
        }
      }
    }
    if (queued.length) {
      this.setTyping(true);
      this.persist();
    }
  }

  // ---- sending --------------------------------------------------------------------------------
  onSubmit(e) {
    if (e) e.preventDefault();
    const text = this.inputEl.value.trim();
    if (!text) {
      this.inputEl.setAttribute("aria-invalid", "true");
      this.setConn(this.t.empty, this.connEl.dataset.state === "down" ? "down" : "ok");
      this.inputEl.focus();
      return;
    }
    this.inputEl.removeAttribute("aria-invalid");
    this.inputEl.value = "";
    this.send(text, text);
    this.inputEl.focus();
  }

  /** Typed and clicked answers go through here, and look the same in the log. */
  send(title, payload, meta) {
    this.clearChoices();
    const entry = this.addEntry({ from: "user", text: title });
    if (this.socket && this.confirmed) {
      this.emitUser(payload, meta);
      this.setTyping(true);
    } else {
      entry.pending = true;
      entry.payload = payload;
      this.outbox.push({ payload, entry, meta });
      this.markPending(entry);
      if (!this.socket) this.connect();
    }
    this.persist();
  }

  // ---- receiving ------------------------------------------------------------------------------
  onBotMessage(msg) {
    if (!msg || typeof msg !== "object") return;
    this.setTyping(false);
    // custom payloads: Rasa 3.6's socket.io channel emits json_message["data"] as the message itself
    // (send_custom_json splats the dict into sio.emit), other setups may nest it in "custom" or "data"
    const nested = [msg.custom, msg.data].find((x) => x && typeof x === "object" && !Array.isArray(x));
    const custom = nested || msg;
    const kind = custom.kind || custom.type || null;

    // {"kind":"handover","keep":n}: the case has been filed (or the complaint stopped). The browser keeps
    // only the last n messages of this turn (the reference; the code is masked), nothing written before.
    const marker = kind === "handover" ? custom : custom.data && custom.data.kind === "handover" ? custom.data : null;
    if (marker) {
      const keep = Math.max(0, Math.min(Number(marker.keep) || 0, this.log.length));
      this.storeFrom = this.log.length - keep;
      this.persist();
      return;
    }
    // {"kind":"safety"} without text marks the bot's last messages of this turn as safety answers
    if (kind === "safety" && !msg.text && !custom.text) {
      this.markTurnAsSafety();
      return;
    }
    const text = msg.text || custom.text || "";
    const replies = (msg.quick_replies || msg.buttons || custom.buttons || custom.quick_replies || [])
      .filter((b) => b && (b.title || b.payload))
      .map((b) => ({ title: String(b.title || b.payload), payload: String(b.payload || b.title), url: b.url || null,
        eid: b.eid === true && kind === "eid" ? true : undefined }));
    // {"kind":"eid","login_path":"/e-legitimation/logga-in?for=chat"}: the log-in opens on the service's own site
    const eidLogin = kind === "eid" && typeof custom.login_path === "string" && /^\/[^/\\]/.test(custom.login_path)
      ? this.cfg.backendUrl + custom.login_path : null;
    const links = Array.isArray(custom.links) ? custom.links : [];
    const image = msg.attachment && msg.attachment.type === "image" && msg.attachment.payload
      ? msg.attachment.payload.src : msg.image || null;

    if (!text && !replies.length && !image && !links.length && kind !== "privacy") return;
    let style = null;
    if (kind === "safety" || SAFETY_RE.test(text)) style = "safety";
    else if (kind === "privacy" || kind === "note") style = "note";
    const entry = {
      from: "bot",
      text: text || (kind === "privacy" ? this.t.privacy : ""),
      style,
      buttons: replies.length ? replies : undefined,
      links: links.length ? links.map((l) => ({ title: String(l.title || l.url), url: String(l.url) })) : undefined,
      image: image || undefined,
      eidLogin: eidLogin || undefined,
    };
    this.addEntry(entry);
    this.persist();
  }

  markTurnAsSafety() {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const e = this.log[i];
      if (e.from !== "bot") break;
      if (e.style !== "safety") {
        e.style = "safety";
        const old = this.logEl.querySelector(`[data-idx="${e.idx}"]`);
        if (old) old.replaceWith(this.renderEntry(e, true));
      }
    }
    this.persist();
  }

  // ---- log ------------------------------------------------------------------------------------
  addEntry(entry) {
    entry.idx = this.log.length ? this.log[this.log.length - 1].idx + 1 : 0;
    this.log.push(entry);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    const li = this.renderEntry(entry, true);
    this.logEl.append(li);
    this.scrollToEnd();
    return entry;
  }

  restoreLog() {
    this.logEl.textContent = "";
    const lastUser = this.lastIndexOf("user");
    this.log.forEach((e, i) => {
      e.idx = i;
      this.logEl.append(this.renderEntry(e, i > lastUser));
    });
    // messages that never reached the server before the reload are sent again
    for (const e of this.log) {
      if (e.pending) this.outbox.push({ payload: e.payload || e.text, entry: e });
    }
    this.scrollToEnd(true);
  }

  lastIndexOf(from) {
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i].from === from) return i;
    return -1;
  }

  renderEntry(e, live) {
    const t = this.t;
    const li = h("li", { class: `kg-msg kg-${e.from}`, "data-idx": String(e.idx), "data-from": e.from });
    li.append(h("span", { class: "kg-sr" }, e.from === "user" ? t.youSay : t.botSays, " "));
    if (e.style === "safety") {
      li.classList.add("kg-safety");
      li.setAttribute("data-kind", "safety");
      li.append(
        h("p", { class: "kg-safety-heading" },
          h("span", { class: "kg-safety-icon", "aria-hidden": "true" }, "!"), t.safetyHeading),
        h("div", { class: "kg-safety-body" }, paragraphs(e.text, t)),
      );
      const calls = [];
      if (/(^|\D)112(?!\d)/.test(e.text)) calls.push(h("a", { href: "tel:112" }, t.call("112")));
      if (/(^|\D)90101(?!\d)/.test(e.text)) calls.push(h("a", { href: "tel:90101" }, t.call("90101", t.suicideLine)));
      if (/(^|\D)1177(?!\d)/.test(e.text) && calls.length) calls.push(h("a", { href: "tel:1177" }, t.call("1177")));
      if (calls.length) li.append(h("p", { class: "kg-call" }, calls));
    } else {
      if (e.style === "note") {
        li.classList.add("kg-note");
        li.setAttribute("data-kind", "note");
      }
      if (e.text) li.append(...paragraphs(e.text, t));
    }
    if (e.image) {
      const src = safeUrl(e.image);
      if (src) li.append(h("img", { src, alt: t.image, loading: "lazy" }));
    }
    if (e.links && e.links.length) {
      li.append(h("p", null, e.links.map((l, i) => [i ? " · " : "", link(l.title, l.url, t)])));
    }
    if (e.from === "user" && e.pending) {
      li.classList.add("kg-pending");
      li.append(h("span", { class: "kg-pending-note" }, t.pending));
    }
    if (e.buttons && e.buttons.length && live) {
      const group = h("div", { class: "kg-choices", role: "group", "aria-label": t.choices });
      for (const b of e.buttons) {
        const href = /^https?:\/\//.test(b.payload) ? safeUrl(b.payload) : b.url ? safeUrl(b.url) : null;
        if (b.eid && e.eidLogin) {
          group.append(h("button", {
            class: "kg-choice kg-eid", type: "button", "data-eid": "login",
            onclick: () => this.openEid(e.eidLogin),
          }, b.title, h("span", { class: "kg-sr", text: ` ${t.eidNewWindow}` })));
        } else if (href) {
          group.append(h("a", { class: "kg-choice", href, target: "_blank", rel: "noopener noreferrer" },
            b.title, h("span", { class: "kg-sr", text: ` ${t.newTab}` })));
        } else {
          group.append(h("button", {
            class: "kg-choice", type: "button", "data-payload": b.payload,
            onclick: () => {
              this.send(b.title, b.payload);
              this.inputEl.focus();
            },
          }, b.title));
        }
      }
      li.append(group);
    }
    return li;
  }

  // ---- e-ID (the log-in window; backend/web/static/js/eid.js posts the result back) ----------------
  openEid(url) {
    window.removeEventListener("message", this.onEidMessage);
    window.addEventListener("message", this.onEidMessage);
    // not noopener: the result page needs window.opener to hand the ticket back (to this origin only)
    const win = window.open(url, "kg-eid", "popup,width=520,height=720");
    if (!win) {
      this.addEntry({ from: "bot", text: this.t.eidBlocked, style: "note" });
      this.persist();
    }
  }

  onEidMessage(ev) {
    let expected = null;
    try { expected = new URL(this.cfg.backendUrl).origin; } catch (_) { return; }
    const data = ev.data;
    if (ev.origin !== expected || !data || typeof data !== "object" || data.type !== "kg-eid") return;
    window.removeEventListener("message", this.onEidMessage);
    if (data.ok && typeof data.ticket === "string" && data.ticket.length <= 100) {
      // the one-time ticket goes only as message metadata: never into the log or the browser's storage
      this.send(this.t.eidDone, "/inform", { kg_identity_ticket: data.ticket });
    } else if (data.message) {
      this.addEntry({ from: "bot", text: String(data.message), style: "note" });
      this.persist();
    }
  }

  markPending(entry) {
    const li = this.logEl.querySelector(`[data-idx="${entry.idx}"]`);
    if (li && !li.classList.contains("kg-pending")) {
      entry.payload = entry.payload || entry.text;
      li.classList.add("kg-pending");
      li.append(h("span", { class: "kg-pending-note" }, this.t.pending));
    }
  }

  clearChoices() {
    for (const g of this.logEl.querySelectorAll(".kg-choices")) g.remove();
  }

  scrollToEnd(instant) {
    const el = this.logBox;
    const go = () => { el.scrollTop = el.scrollHeight; };
    if (instant) go();
    else window.requestAnimationFrame(go);
  }

  setTyping(on) {
    clearTimeout(this.typingTimer);
    const el = this.typingEl;
    if (on) {
      if (el.dataset.active !== "true") {
        el.dataset.active = "true";
        el.textContent = "";
        el.append(
          h("span", { class: "kg-typing-inner" },
            h("span", { class: "kg-dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
            h("span", null, this.t.typing)),
        );
      }
      // never spin forever: a bot that stays silent must not leave the indicator on
      this.typingTimer = setTimeout(() => this.setTyping(false), 30000);
    } else if (el.dataset.active !== "false") {
      el.dataset.active = "false";
      el.textContent = "";
    }
    this.host.setAttribute("data-typing", String(Boolean(on)));
  }

  persist() {
    const kept = this.storeFrom > 0
      ? [{ from: "bot", style: "note", text: this.t.handedOver }, ...this.log.slice(this.storeFrom)]
      : this.log;
    const log = kept.map((e) => {
      const copy = { ...e, text: maskForStorage(e.text) };
      if (copy.payload) copy.payload = maskForStorage(copy.payload);
      if (copy.buttons) copy.buttons = copy.buttons.map((b) => ({ ...b, title: maskForStorage(b.title), payload: maskForStorage(b.payload) }));
      delete copy.idx;
      return copy;
    });
    this.store.save({ sessionId: this.sessionId, log, initSent: this.initSent });
  }

  /** "Avsluta och rensa": the conversation ends (the server is told to start over, which also removes
   *  it from the conversation store), the browser forgets it, and the next person gets a new session. */
  restart() {
    if (this.log.length && !window.confirm(this.t.restartConfirm)) return;
    const old = this.socket;
    if (old && this.confirmed && this.log.length) this.emitUser("/start_over");
    this.store.clear();
    this.log = [];
    this.outbox = [];
    this.storeFrom = 0;
    this.initSent = false;
    this.sessionId = newSessionId();
    this.logEl.textContent = "";
    this.setTyping(false);
    this.setConn(this.t.cleared, "ok");
    if (old) {
      // a new connection, so that nothing more of the old conversation reaches this page
      old.off();
      setTimeout(() => old.disconnect(), 300);
      this.socket = null;
      this.confirmed = false;
      this.connect();
    }
    this.inputEl.focus();
  }
}

// ------------------------------------------------------------------------------------------------
// bootstrap
// ------------------------------------------------------------------------------------------------
function mount(target, overrides, script) {
  const cfg = readConfig(script || null, overrides);
  let hostEl;
  if (target) {
    const container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) throw new Error(`Klagomålsguiden: hittar inte ${target}`);
    hostEl = document.createElement("div");
    hostEl.className = "klagomalsguiden-host";
    container.append(hostEl);
    cfg.target = target;
  } else {
    hostEl = document.createElement("div");
    hostEl.className = "klagomalsguiden-host klagomalsguiden-floating";
    document.body.append(hostEl);
  }
  const widget = new ChatWidget(hostEl, cfg);
  hostEl.klagomalsguiden = widget;
  return widget;
}

const currentScript = document.currentScript;
window.Klagomalsguiden = { mount, version: "0.1.0", instances: [] };

function autoMount() {
  const script = currentScript;
  if (script && script.hasAttribute("data-manual")) return;
  const cfg = readConfig(script, {});
  window.Klagomalsguiden.instances.push(mount(cfg.target, {}, script));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
else autoMount();
