// Organisers' dashboard: refetch the live counts every 10 seconds and update the page.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) { return; }
  var url = root.getAttribute("data-stats-url");
  var state = root.querySelector("[data-refresh-state]");

  function pick(data, path) {
    return path.split(".").reduce(function (value, key) {
      return value === null || value === undefined ? undefined : value[key];
    }, data);
  }

  function fillRows(tbody, rows, keys) {
    if (!tbody) { return; }
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      keys.forEach(function (key) {
        var td = document.createElement("td");
        td.textContent = row[key];
        tr.appendChild(td);
      });
      fragment.appendChild(tr);
    });
    tbody.replaceChildren(fragment);
  }

  function apply(data) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-stat]"), function (node) {
      var value = pick(data, node.getAttribute("data-stat"));
      if (value !== undefined) { node.textContent = value; }
    });
    fillRows(root.querySelector("[data-per-day]"), data.visits.per_day, ["day", "onsite", "online"]);
    fillRows(root.querySelector("[data-per-currency]"), data.deals.per_currency, ["currency", "count", "display"]);
    if (state) { state.classList.remove("stale"); }
  }

  function refresh() {
    if (document.hidden) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(apply)
      .catch(function () { if (state) { state.classList.add("stale"); } });
  }

  window.setInterval(refresh, 10000);
})();
