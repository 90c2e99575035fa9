// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // On phones the header's links fold behind a menu button; without scripts they stay a
  // wrapped list. Escape or a click outside closes the menu again.
  document.querySelectorAll(".site-header .nav-toggle").forEach(function (toggle) {
    var header = toggle.closest(".site-header");
    var setOpen = function (open) {
      header.classList.toggle("menu-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    header.classList.add("menu-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setOpen(!header.classList.contains("menu-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!header.contains(event.target)) setOpen(false);
    });
  });

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
