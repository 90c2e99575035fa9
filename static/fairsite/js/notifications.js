// Live notifications on every signed-in page: a toast and the header's unread count when an
// event arrives on /ws/notifications/ (docs/websocket-protocol.md), and the catch-up after a
// reconnect from the stored notifications (GET feed.json?after=<last id seen>).
//
// Pages that show live data mark a container with data-live-refresh="request.,meeting.,schedule."
// (prefixes of event kinds) and an id: on a matching event the container is re-fetched over HTTP
// from the page's own address and replaced in place. Each event is also dispatched on document
// as a "fair:notification" CustomEvent for page scripts.
(function () {
  const script = document.getElementById("notifications-script");
  if (!script || !window.FairSocket) return;
  const feedUrl = script.dataset.feed;
  const badge = document.getElementById("notifications-unread");
  // On phones the menu folds the link away; its button carries the same count.
  const menuBadge = document.getElementById("nav-toggle-unread");
  const toasts = document.getElementById("toasts");
  const TOAST_MS = 8000;
  const MAX_CATCH_UP_TOASTS = 3;
  let lastId = 0;

  function setUnread(count) {
    if (!badge) return;
    badge.textContent = String(count);
    badge.classList.toggle("hidden", count <= 0);
    if (menuBadge) {
      menuBadge.textContent = String(count);
      menuBadge.classList.toggle("hidden", count <= 0);
    }
  }

  function toast(event) {
    if (!toasts || !event.text) return;
    const item = document.createElement("div");
    item.className = "toast";
    item.setAttribute("role", "status");
    const link = document.createElement("a");
    link.href = event.url || "#";
    link.textContent = event.text;
    item.appendChild(link);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "link toast-close";
    close.setAttribute("aria-label", "×");
    close.textContent = "×";
    close.addEventListener("click", () => item.remove());
    item.appendChild(close);
    toasts.appendChild(item);
    setTimeout(() => item.remove(), TOAST_MS);
  }

  let refreshing = null;
  function refreshLive(kind) {
    const targets = Array.from(document.querySelectorAll("[data-live-refresh][id]")).filter((el) =>
      el.dataset.liveRefresh.split(",").some((prefix) => prefix && kind.startsWith(prefix.trim()))
    );
    if (!targets.length || refreshing) return;
    refreshing = fetch(location.href, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const page = new DOMParser().parseFromString(html, "text/html");
        for (const target of targets) {
          const fresh = page.getElementById(target.id);
          if (fresh) target.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(() => {})
      .finally(() => {
        refreshing = null;
      });
  }

  // Returns whether the event is new (a live event and the catch-up may bring the same one).
  function arrived(event, { quiet = false } = {}) {
    if (typeof event.id === "number") {
      if (event.id <= lastId) return false;
      lastId = event.id;
    }
    if (!quiet) toast(event);
    refreshLive(event.kind || "");
    document.dispatchEvent(new CustomEvent("fair:notification", { detail: event }));
    return true;
  }

  function catchUp({ announce }) {
    return fetch(`${feedUrl}?after=${lastId}`, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        setUnread(data.unread);
        const missed = data.notifications || [];
        missed.forEach((event, index) => {
          if (announce) arrived(event, { quiet: index < missed.length - MAX_CATCH_UP_TOASTS });
          else lastId = Math.max(lastId, event.id);
        });
      })
      .catch(() => {});
  }

  new window.FairSocket("/ws/notifications/", {
    onOpen({ reconnected }) {
      // First connection: learn where we are; after a reconnect: show what was missed.
      catchUp({ announce: reconnected });
    },
    onEvent(name, data) {
      if (name === "notification") {
        if (arrived(data) && badge) setUnread(Number(badge.textContent || 0) + 1);
      } else if (name === "schedule.published") {
        // One fair-wide event; each person's own notification is fetched over HTTP.
        refreshLive("schedule.published");
        catchUp({ announce: true });
      }
    },
  });
})();
