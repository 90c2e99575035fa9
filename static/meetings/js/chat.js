// Live chat of a meeting room, written against docs/websocket-protocol.md, on the shared
// window.FairSocket (static/fairsite/js/socket.js: reconnect, backoff, answers by id).
// Configuration comes from the data attributes of templates/meetings/_chat.html.
// Message text is always shown with textContent, never as HTML.

const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 4000;

function newClientId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

class ChatClient {
  constructor(el) {
    this.el = el;
    this.strings = el.dataset;
    this.userId = Number(el.dataset.userId);
    this.log = el.querySelector(".chat-log");
    this.banner = el.querySelector(".chat-banner");
    this.presenceList = el.querySelector(".chat-presence-list");
    this.typingLine = el.querySelector(".chat-typing");
    this.errorLine = el.querySelector(".chat-error");
    this.form = el.querySelector(".chat-form");
    this.input = el.querySelector("textarea");
    this.olderButton = el.querySelector(".chat-older");
    // Times in the account's zone and language (the page knows both), not the device's.
    const zone = el.dataset.timeZone || undefined;
    const language = document.documentElement.lang || undefined;
    // 24-hour, like every time on the site.
    this.timeFormat = new Intl.DateTimeFormat(language, {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    this.dateTimeFormat = new Intl.DateTimeFormat(language, {
      timeZone: zone,
      dateStyle: "medium",
      timeStyle: "short",
      hourCycle: "h23",
    });

    this.messages = new Map(); // message id -> <li>
    this.pending = new Map(); // client_id -> {text, li}
    this.lastId = 0;
    this.firstId = null;
    this.presenceVersion = -1;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.typingUserId = null;
    this.catchingUp = Promise.resolve();
    this.stopped = false;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.typed());
    this.olderButton.addEventListener("click", () => this.loadOlder());

    this.socket = new window.FairSocket(el.dataset.wsPath, {
      onEvent: (name, data) => this.onEvent(name, data),
      onState: (state, { code }) => this.onState(state, code),
      onPing: (data) => {
        // A message whose announcement was lost: the room's last id is ahead of ours.
        if (data && data.last_id > this.lastId) this.catchUpFrom(this.lastId);
      },
      onResync: (data) => this.catchUpFrom(Math.min(data.after ?? this.lastId, this.lastId)),
    });
  }

  // --- Connection -------------------------------------------------------------------------

  // An answer as {ok, data, error}, or null when offline (the request never reached a server).
  ask(type, data) {
    return this.socket.request(type, data).then(
      (reply) => ({ ok: true, data: reply }),
      (error) => (error && error.code === "client.offline" ? null : { ok: false, error }),
    );
  }

  onState(state, code) {
    if (state === "open") return; // the hello follows
    this.el.classList.remove("online");
    if (state === "stopped") {
      this.stopped = true;
      this.showBanner(code === 4401 ? this.strings.strSignedOut : this.strings.strForbidden);
      this.input.disabled = true;
    } else if (state === "offline") {
      this.showBanner(this.strings.strOffline);
    }
  }

  showBanner(text) {
    this.banner.textContent = text || "";
    this.banner.hidden = !text;
  }

  onEvent(name, data) {
    switch (name) {
      case "hello":
        this.onHello(data);
        break;
      case "chat.message":
        this.addMessage(data);
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
        break; // "resync" is handled by onResync; unknown events are ignored (section 2.3)
    }
  }

  async onHello(hello) {
    this.showBanner("");
    this.el.classList.add("online");
    this.input.maxLength = hello.limits.max_chars;
    if (!hello.can_write) {
      this.form.hidden = true;
      this.showError(this.strings.strWatching);
    }
    // A new hello's presence is a snapshot: always applied (section 4.1).
    this.presenceVersion = -1;
    this.showPresence(hello.presence);
    const hadSeen = this.lastId;
    if (this.firstId === null) this.olderButton.hidden = !hello.more;
    for (const message of hello.messages) this.addMessage(message);
    if (hadSeen) await this.catchUpFrom(hadSeen);
    for (const [clientId, item] of this.pending) this.sendPending(clientId, item.text);
  }

  // chat.since from `after`, one run at a time (a resync during a catch-up queues another).
  catchUpFrom(after) {
    this.catchingUp = this.catchingUp.then(() => this.catchUp(after));
    return this.catchingUp;
  }

  async catchUp(after) {
    for (let round = 0; round < 100; round += 1) {
      const answer = await this.ask("chat.since", { after });
      if (!answer || !answer.ok) return;
      for (const message of answer.data.messages) this.addMessage(message);
      if (!answer.data.more || answer.data.messages.length === 0) return;
      after = answer.data.messages[answer.data.messages.length - 1].id;
    }
  }

  async loadOlder() {
    if (this.firstId === null) return;
    const answer = await this.ask("chat.history", { before: this.firstId });
    if (!answer || !answer.ok) return;
    for (const message of answer.data.messages) this.addMessage(message);
    this.olderButton.hidden = !answer.data.more;
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
    const answer = await this.ask("chat.send", { client_id: clientId, text });
    if (!answer) return; // offline: resent after the next hello
    const item = this.pending.get(clientId);
    if (answer.ok) {
      this.pending.delete(clientId);
      if (item) item.li.remove();
      this.addMessage(answer.data.message);
      this.showError("");
      return;
    }
    const error = answer.error;
    if (error.code === "chat.rate_limited" || error.code === "server.error") {
      // Still pending: send again later, with the same client_id.
      const wait = ((error.details && error.details.retry_after) || 2) * 1000;
      setTimeout(() => this.sendPending(clientId, text), wait);
    } else {
      // It can never be stored: give the text back to the person.
      this.pending.delete(clientId);
      if (item) item.li.remove();
      this.input.value = this.input.value || text;
    }
    this.showError(error.message);
  }

  addMessage(message) {
    if (message.sender.id === this.typingUserId) this.clearTyping();
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
    if (message.sender.name) {
      const name = document.createElement("span");
      name.className = "chat-sender";
      name.textContent = message.sender.name;
      meta.append(name);
    }
    if (message.created_at) {
      const created = new Date(message.created_at);
      const time = document.createElement("time");
      time.dateTime = message.created_at;
      time.title = this.dateTimeFormat.format(created);
      time.textContent = this.timeFormat.format(created);
      meta.append(time);
    }
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
    this.ask("typing");
  }

  showTyping(person) {
    if (person.id === this.userId) return;
    this.typingUserId = person.id;
    this.typingLine.textContent = this.strings.strTyping.replace("%(name)s", person.name);
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.clearTyping(), TYPING_SHOWN_MS);
  }

  // The hint ends when that person's message arrives, or after a while without another hint.
  clearTyping() {
    clearTimeout(this.typingTimer);
    this.typingUserId = null;
    this.typingLine.textContent = "";
  }
}

function start() {
  const root = document.querySelector("section.chat[data-ws-path]");
  if (root && !root.chat && window.FairSocket) root.chat = new ChatClient(root);
}

// socket.js is a deferred script: it has run by DOMContentLoaded whatever the order.
if (window.FairSocket) start();
else document.addEventListener("DOMContentLoaded", start);
