// "All" / "None" buttons tick or untick every time of one day.
(function () {
  "use strict";
  function setDay(day, value) {
    document.querySelectorAll('input[name="slots"][data-day="' + day + '"]').forEach(function (box) {
      box.checked = value;
    });
  }
  document.querySelectorAll(".mm-all, .mm-none").forEach(function (button) {
    button.addEventListener("click", function () {
      setDay(button.getAttribute("data-day"), button.classList.contains("mm-all"));
    });
  });
})();
