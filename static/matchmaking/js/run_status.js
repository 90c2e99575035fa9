// The scheduler run page while a schedule is being published: the status section
// (id="run-status", data-refresh-every="<seconds>") is re-fetched from ?part=progress and
// replaced in place until the fresh one no longer asks to be refreshed (published).
// The fair-wide schedule.published event refreshes it at once as well (data-live-refresh,
// static/fairsite/js/notifications.js).
(function () {
  function schedule() {
    const box = document.querySelector("#run-status[data-refresh-every]");
    if (!box) return;
    const seconds = Number(box.dataset.refreshEvery) || 2;
    setTimeout(refresh, seconds * 1000);
  }

  function refresh() {
    const url = new URL(location.href);
    url.searchParams.set("part", "progress");
    fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("run-status");
        const box = document.getElementById("run-status");
        if (fresh && box) box.replaceWith(document.importNode(fresh, true));
      })
      .catch(() => {})
      .finally(schedule);
  }

  schedule();
})();
