// One small WebSocket client shared by every live page (chat, notifications, dashboard), written
// against docs/websocket-protocol.md: request/answer by id, server events, reconnect with
// exponential backoff and jitter. A feature resumes what it missed in onOpen({reconnected: true}).
//
//   const socket = new FairSocket("/ws/notifications/", {
//     onEvent(name, data) {},          // every server event frame, "hello" and "resync" included
//     onOpen({ reconnected }) {},       // after the hello of each connection
//     onState(state, { code }) {},      // "connecting" | "open" | "offline" | "stopped";
//                                       // code: the close code that led to "offline"/"stopped"
//     onPing(data) {},                  // each keep-alive ping's reply (a room's has last_id)
//     onResync(data) {},                // the server says events may have been lost (section 7)
//   });
//   socket.request("ping").then((data) => ...).catch((error) => error.code);
//   socket.close();
//
// Close codes 4401 (signed out), 4403 (forbidden) and 4404 (no such socket) stop reconnecting;
// 1001 (the server is shutting down) and every other code reconnect with backoff.

(function () {
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_CAP_MS = 30000;
  const PING_EVERY_MS = 25000;
  const NO_RECONNECT = new Set([4401, 4403, 4404]);

  class FairSocket {
    constructor(path, handlers = {}) {
      this.url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
      this.handlers = handlers;
      this.attempt = 0;
      this.seq = 0;
      this.waiting = new Map();
      this.opened = false;
      this.stopped = false;
      this.socket = null;
      this.pingTimer = null;
      this.connect();
    }

    state(name, code = null) {
      if (this.handlers.onState) this.handlers.onState(name, { code });
    }

    connect() {
      if (this.stopped) return;
      this.state("connecting");
      const socket = new WebSocket(this.url);
      this.socket = socket;
      socket.addEventListener("message", (event) => this.onFrame(event.data));
      socket.addEventListener("close", (event) => this.onClose(socket, event.code));
    }

    onClose(socket, code) {
      if (socket !== this.socket) return;
      clearInterval(this.pingTimer);
      for (const { reject } of this.waiting.values()) reject({ code: "client.offline" });
      this.waiting.clear();
      if (this.stopped || NO_RECONNECT.has(code)) {
        this.stopped = true;
        this.state("stopped", code);
        return;
      }
      this.state("offline", code);
      const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
      this.attempt += 1;
      setTimeout(() => this.connect(), ceiling * (0.5 + Math.random() / 2));
    }

    request(type, data) {
      return new Promise((resolve, reject) => {
        if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
          reject({ code: "client.offline" });
          return;
        }
        this.seq += 1;
        const id = `r${this.seq}`;
        this.waiting.set(id, { resolve, reject });
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
        const waiter = this.waiting.get(frame.id);
        this.waiting.delete(frame.id);
        if (!waiter) return;
        if (frame.type === "reply") waiter.resolve(frame.data);
        else waiter.reject(frame.error || { code: "server.error" });
        return;
      }
      if (frame.type !== "event") return;
      if (this.handlers.onEvent) this.handlers.onEvent(frame.event, frame.data);
      if (frame.event === "resync" && this.handlers.onResync) this.handlers.onResync(frame.data);
      if (frame.event === "hello") {
        const reconnected = this.opened;
        this.opened = true;
        this.attempt = 0;
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.ping(), PING_EVERY_MS);
        this.state("open");
        if (this.handlers.onOpen) this.handlers.onOpen({ reconnected });
      }
    }

    ping() {
      return this.request("ping")
        .then((data) => {
          if (this.handlers.onPing) this.handlers.onPing(data);
        })
        .catch(() => {});
    }

    close() {
      this.stopped = true;
      clearInterval(this.pingTimer);
      if (this.socket) this.socket.close(1000);
    }
  }

  window.FairSocket = FairSocket;
})();
