// Organisers' dashboard: draws the figures from the page's JSON, then redraws whenever the
// organisers' socket says "stats.changed" (at most once a second, throttled on the server) by
// fetching the data endpoint. No polling; after a reconnect it fetches once in case it missed
// an announcement. Socket client: window.FairSocket (static/fairsite/js/socket.js).
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var url = root.dataset.statsUrl;
  var lang = document.documentElement.lang || "en";
  var L = root.dataset;
  var state = root.querySelector("[data-live-state]");
  var updated = root.querySelector("[data-updated]");
  var charts = {};
  var formats = {
    usd: new Intl.NumberFormat(lang, { style: "currency", currency: "USD" }),
    vnd: new Intl.NumberFormat(lang, { style: "currency", currency: "VND", maximumFractionDigits: 0 }),
    n: new Intl.NumberFormat(lang),
  };

  function pick(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === null || value === undefined ? undefined : value[key];
    }, data);
  }

  function show(value, kind) {
    if (value === null || value === undefined || value === "") { return ""; }
    if (kind === "usd") { return formats.usd.format(value / 100); }
    if (kind === "vnd") { return formats.vnd.format(value); }
    return typeof value === "number" ? formats.n.format(value) : String(value);
  }

  function fillRows(tbody, rows) {
    var cols = tbody.dataset.cols.split(" ");
    var fragment = document.createDocumentFragment();
    (rows || []).forEach(function (row) {
      var tr = document.createElement("tr");
      cols.forEach(function (col) {
        var parts = col.split(":");
        var td = document.createElement("td");
        td.textContent = show(row[parts[0]], parts[1]);
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    if (!rows || rows.length === 0) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.className = "muted";
      td.textContent = L.lNone;
      tr.appendChild(td);
      fragment.appendChild(tr);
    }
    tbody.replaceChildren(fragment);
  }

  function chart(name, config) {
    var canvas = root.querySelector('[data-chart="' + name + '"]');
    if (!canvas || !window.Chart) { return; }
    if (charts[name]) {
      charts[name].data = config.data;
      charts[name].update("none");
      return;
    }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts[name] = new window.Chart(canvas, config);
  }

  function drawCharts(data) {
    var hours = data.visits.per_hour;
    chart("hours", {
      type: "bar",
      data: {
        labels: hours.map(function (r) { return r.day.slice(5) + " " + String(r.hour).padStart(2, "0") + ":00"; }),
        datasets: [
          { label: L.lOnsite, data: hours.map(function (r) { return r.onsite; }), backgroundColor: "#0b5cad" },
          { label: L.lOnline, data: hours.map(function (r) { return r.online; }), backgroundColor: "#7fb3e6" },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });
    var days = data.meetings.per_day;
    chart("days", {
      type: "bar",
      data: {
        labels: days.map(function (r) { return r.day; }),
        datasets: ["held", "scheduled", "no_show", "cancelled"].map(function (key, i) {
          return { label: L["l" + key.charAt(0).toUpperCase() + key.slice(1)] || key,
            data: days.map(function (r) { return r[key]; }),
            backgroundColor: ["#1e8e3e", "#0b5cad", "#c79100", "#b00020"][i] };
        }).concat([{ label: L.lBooth, data: data.contacts.per_day.map(function (r) { return r.booth; }), backgroundColor: "#7a4fb3" }]),
      },
      options: { scales: { y: { beginAtZero: true } } },
    });
    [["countries", data.deals.by_country], ["sectors", data.deals.by_sector]].forEach(function (pair) {
      chart(pair[0], {
        type: "bar",
        data: {
          labels: pair[1].map(function (r) { return r.label; }),
          datasets: [{ label: L.lUsd, data: pair[1].map(function (r) { return r.usd_cents / 100; }), backgroundColor: "#0b5cad" }],
        },
        options: { indexAxis: "y", plugins: { legend: { display: false } } },
      });
    });
  }

  function apply(data) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-v]"), function (node) {
      node.textContent = show(pick(data, node.dataset.v), node.dataset.money);
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-rows]"), function (tbody) {
      fillRows(tbody, pick(data, tbody.dataset.rows));
    });
    drawCharts(data);
    if (updated) {
      updated.textContent = L.lUpdated + " " + new Date(data.generated_at).toLocaleTimeString(lang);
    }
    root.dataset.generatedAt = data.generated_at;
  }

  var fetching = false;
  var again = false;
  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(apply)
      .catch(function () {})
      .then(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  // Export links carry the chosen day.
  var exportsForm = document.querySelector("[data-exports]");
  if (exportsForm) {
    var daySelect = exportsForm.querySelector("select[name=day]");
    daySelect.addEventListener("change", function () {
      Array.prototype.forEach.call(exportsForm.querySelectorAll("[data-export]"), function (link) {
        var href = link.getAttribute("href").split("?")[0];
        link.setAttribute("href", daySelect.value ? href + "?day=" + daySelect.value : href);
      });
    });
  }

  var initial = document.getElementById("dashboard-data");
  if (initial) { apply(JSON.parse(initial.textContent)); }

  var labels = { connecting: L.lConnecting, open: L.lLive, offline: L.lOffline, stopped: L.lStopped };
  if (window.FairSocket) {
    new window.FairSocket(root.dataset.socketPath, {
      onEvent: function (name) { if (name === "stats.changed") { refresh(); } },
      onOpen: function (info) { if (info.reconnected) { refresh(); } },
      onState: function (name) {
        if (state) { state.textContent = labels[name] || name; state.className = "live-state " + name; }
      },
    });
  }
})();
