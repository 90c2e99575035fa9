// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The language select submits itself; the button stays for browsers without scripts.
  document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) select.form.submit();
    });
  });

  // Time-zone selects: when left on "Other" with nothing typed, suggest the browser's zone.
  document.querySelectorAll("select[data-timezone-select]").forEach(function (select) {
    var other = document.getElementById(select.getAttribute("data-timezone-other"));
    // Picking a zone from the list replaces whatever was typed (or suggested) under "Other".
    select.addEventListener("change", function () {
      if (select.value && other) other.value = "";
    });
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone || select.value || (other && other.value)) return;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (known) {
      select.value = zone;
    } else if (other) {
      other.value = zone;
    }
  });

  // Buttons that ask before doing something final.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (event) {
      if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
})();
