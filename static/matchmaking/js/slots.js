// At most N proposed times: further boxes are disabled once N are ticked.
(function () {
  "use strict";
  var form = document.getElementById("slot-form");
  if (!form) return;
  var max = parseInt(form.getAttribute("data-max-slots") || "3", 10);
  var boxes = form.querySelectorAll('input[type="checkbox"][name="slots"]');
  function update() {
    var ticked = 0;
    boxes.forEach(function (box) { if (box.checked) ticked += 1; });
    boxes.forEach(function (box) { box.disabled = !box.checked && ticked >= max; });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
})();
