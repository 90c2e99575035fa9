// Live chat of a meeting room, written against docs/websocket-protocol.md.
// Configuration comes from the data attributes of templates/meetings/_chat.html.
// Message text is always shown with textContent, never as HTML.

const root = document.querySelector("section.chat[data-ws-path]");

const PING_EVERY_MS = 25000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 4000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30000;
const NO_RECONNECT = new Set([4401, 4403]);

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

class ChatClient {
  constructor(el) {
    this.el = el;
    this.strings = el.dataset;
    this.userId = Number(el.dataset.userId);
    this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${el.dataset.wsPath}`;
    this.log = el.querySelector(".chat-log");
    this.banner = el.querySelector(".chat-banner");
    this.presenceList = el.querySelector(".chat-presence-list");
    this.typingLine = el.querySelector(".chat-typing");
    this.errorLine = el.querySelector(".chat-error");
    this.form = el.querySelector(".chat-form");
    this.input = el.querySelector("textarea");
    this.olderButton = el.querySelector(".chat-older");

    this.socket = null;
    this.attempt = 0;
    this.requestSeq = 0;
    this.waiting = new Map(); // request id -> callback(frame)
    this.messages = new Map(); // message id -> <li>
    this.pending = new Map(); // client_id -> {text, li}
    this.lastId = 0;
    this.firstId = null;
    this.presenceVersion = -1;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.typingUserId = null;
    this.pingTimer = null;
    this.stopped = false;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.typed());
    this.olderButton.addEventListener("click", () => this.loadOlder());
    this.connect();
  }

  // --- Connection -------------------------------------------------------------------------

  connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("message", (event) => this.onFrame(event.data));
    socket.addEventListener("close", (event) => this.onClose(socket, event.code));
  }

  onClose(socket, code) {
    if (socket !== this.socket) return;
    clearInterval(this.pingTimer);
    for (const callback of this.waiting.values()) callback(null);
    this.waiting.clear();
    this.el.classList.remove("online");
    if (NO_RECONNECT.has(code)) {
      this.stopped = true;
      this.showBanner(code === 4401 ? this.strings.strSignedOut : this.strings.strForbidden);
      this.input.disabled = true;
      return;
    }
    this.showBanner(this.strings.strOffline);
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = ceiling * (0.5 + Math.random() / 2);
    this.attempt += 1;
    setTimeout(() => this.connect(), delay);
  }

  showBanner(text) {
    this.banner.textContent = text || "";
    this.banner.hidden = !text;
  }

  request(type, data) {
    return new Promise((resolve) => {
      if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
        resolve(null);
        return;
      }
      this.requestSeq += 1;
      const id = `r${this.requestSeq}`;
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify(data === undefined ? { id, type } : { id, type, data }));
    });
  }

  onFrame(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (frame.type === "reply" || frame.type === "error") {
      const callback = this.waiting.get(frame.id);
      this.waiting.delete(frame.id);
      if (callback) callback(frame);
      return;
    }
    if (frame.type !== "event") return;
    const data = frame.data;
    switch (frame.event) {
      case "hello":
        this.onHello(data);
        break;
      case "chat.message":
        this.addMessage(data);
        this.clearTyping(data.sender.id);
        break;
      case "presence":
        this.showPresence(data);
        break;
      case "typing":
        this.showTyping(data.user);
        break;
      case "meeting.changed":
        // The room page (room.js) listens and refreshes the meeting's details.
        document.dispatchEvent(new CustomEvent("meeting.changed", { detail: data }));
        break;
      default:
        break; // unknown events are ignored (docs section 2.3)
    }
  }

  async onHello(hello) {
    this.attempt = 0;
    this.showBanner("");
    this.el.classList.add("online");
    this.input.maxLength = hello.limits.max_chars;
    if (!hello.can_write) {
      this.form.hidden = true;
      this.showError(this.strings.strWatching);
    }
    this.showPresence(hello.presence);
    const hadSeen = this.lastId;
    if (this.firstId === null) this.olderButton.hidden = !hello.more;
    for (const message of hello.messages) this.addMessage(message);
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => this.request("ping"), PING_EVERY_MS);
    if (hadSeen) await this.catchUp(hadSeen);
    for (const [clientId, item] of this.pending) this.sendPending(clientId, item.text);
  }

  async catchUp(after) {
    // Everything after the last message seen before the connection dropped.
    for (let round = 0; round < 100; round += 1) {
      const frame = await this.request("chat.since", { after });
      if (!frame || frame.type !== "reply") return;
      for (const message of frame.data.messages) this.addMessage(message);
      if (!frame.data.more || frame.data.messages.length === 0) return;
      after = frame.data.messages[frame.data.messages.length - 1].id;
    }
  }

  async loadOlder() {
    if (this.firstId === null) return;
    const frame = await this.request("chat.history", { before: this.firstId });
    if (!frame || frame.type !== "reply") return;
    for (const message of frame.data.messages) this.addMessage(message);
    this.olderButton.hidden = !frame.data.more;
  }

  // --- Messages ---------------------------------------------------------------------------

  submit() {
    const text = this.input.value;
    if (!text.trim() || this.stopped) return;
    const clientId = newClientId();
    const li = this.renderMessage({ sender: { id: this.userId, name: "" }, text }, true);
    this.log.append(li);
    this.scrollDown();
    this.pending.set(clientId, { text, li });
    this.input.value = "";
    this.sendPending(clientId, text);
  }

  async sendPending(clientId, text) {
    const frame = await this.request("chat.send", { client_id: clientId, text });
    if (!frame) return; // offline: resent after the next hello
    const item = this.pending.get(clientId);
    if (frame.type === "reply") {
      this.pending.delete(clientId);
      if (item) item.li.remove();
      this.addMessage(frame.data.message);
      this.showError("");
    } else {
      if (frame.error.code === "chat.rate_limited") {
        const wait = (frame.error.details.retry_after || 1) * 1000;
        setTimeout(() => this.sendPending(clientId, text), wait);
      } else {
        this.pending.delete(clientId);
        if (item) item.li.remove();
        this.input.value = this.input.value || text;
      }
      this.showError(frame.error.message);
    }
  }

  addMessage(message) {
    if (this.messages.has(message.id)) return;
    const pending = this.pending.get(message.client_id);
    if (pending && message.sender.id === this.userId) {
      pending.li.remove();
      this.pending.delete(message.client_id);
    }
    const li = this.renderMessage(message, false);
    this.messages.set(message.id, li);
    // Keep the log ordered by id, whatever the arrival order.
    let before = null;
    for (const [id, other] of this.messages) {
      if (id > message.id && (before === null || Number(before.dataset.id) > id)) before = other;
    }
    if (before) this.log.insertBefore(li, before);
    else {
      const firstPending = this.log.querySelector(".chat-message.pending");
      this.log.insertBefore(li, firstPending);
    }
    this.lastId = Math.max(this.lastId, message.id);
    this.firstId = this.firstId === null ? message.id : Math.min(this.firstId, message.id);
    this.scrollDown();
  }

  renderMessage(message, pending) {
    const li = document.createElement("li");
    li.className = "chat-message";
    if (message.sender.id === this.userId) li.classList.add("mine");
    if (pending) li.classList.add("pending");
    else li.dataset.id = String(message.id);
    const meta = document.createElement("span");
    meta.className = "chat-meta";
    const when = message.created_at ? this.timeOf(message.created_at) : "";
    meta.textContent = [message.sender.name, when].filter(Boolean).join(" · ");
    if (message.sender.id === this.userId) {
      const state = document.createElement("span");
      state.className = "chat-state";
      state.textContent = pending ? this.strings.strPending : this.strings.strSent;
      meta.append(state);
    }
    const body = document.createElement("span");
    body.className = "chat-text";
    body.textContent = message.text;
    li.append(meta, body);
    return li;
  }

  timeOf(iso) {
    // In the account's zone and the page's language, 24-hour like every time on the site.
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (this.strings.timeZone) options.timeZone = this.strings.timeZone;
    try {
      return new Date(iso).toLocaleTimeString(document.documentElement.lang || undefined, options);
    } catch (error) {
      delete options.timeZone; // a zone this browser does not know: its own
      return new Date(iso).toLocaleTimeString(undefined, options);
    }
  }

  scrollDown() {
    this.log.scrollTop = this.log.scrollHeight;
  }

  showError(text) {
    this.errorLine.textContent = text || "";
    this.errorLine.hidden = !text;
  }

  // --- Presence and typing ----------------------------------------------------------------

  showPresence(presence) {
    if (presence.version <= this.presenceVersion) return;
    this.presenceVersion = presence.version;
    const render = (tag) =>
      presence.users.map((person) => {
        const item = document.createElement(tag);
        item.className = "person";
        item.dataset.userId = String(person.id);
        item.dataset.role = person.role;
        item.textContent = person.name;
        return item;
      });
    this.presenceList.replaceChildren(...render("span"));
    // A page may show presence elsewhere too (the room page's side panel).
    for (const list of document.querySelectorAll("ul[data-presence]")) {
      list.replaceChildren(...render("li"));
    }
  }

  typed() {
    const now = Date.now();
    if (now - this.lastTypingSent < TYPING_EVERY_MS) return;
    this.lastTypingSent = now;
    this.request("typing");
  }

  showTyping(person) {
    if (person.id === this.userId) return;
    this.typingUserId = person.id;
    this.typingLine.textContent = this.strings.strTyping.replace("%(name)s", person.name);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.clearTyping(), TYPING_SHOWN_MS);
  }

  clearTyping(userId = null) {
    // With ``userId``: only if that person is the one shown typing (their message arrived).
    if (userId !== null && userId !== this.typingUserId) return;
    clearTimeout(this.typingTimer);
    this.typingUserId = null;
    this.typingLine.textContent = "";
  }
}

if (root) {
  root.chat = new ChatClient(root);
}
