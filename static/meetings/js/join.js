// Join links outside the meeting room (overview, agenda): each is shown disabled until its
// window opens (data-opens … data-closes) and a click on a disabled one does nothing. The server
// refuses a join outside the window anyway; this only spares a useless tab.
(function () {
  "use strict";
  var links = document.querySelectorAll("a.join-button[data-opens]");
  if (!links.length) { return; }

  function update() {
    var now = Date.now();
    Array.prototype.forEach.call(links, function (link) {
      var opens = Date.parse(link.getAttribute("data-opens"));
      var closes = Date.parse(link.getAttribute("data-closes"));
      var open = !isNaN(opens) && !isNaN(closes) && now >= opens && now < closes;
      link.classList.toggle("disabled", !open);
      link.setAttribute("aria-disabled", open ? "false" : "true");
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.join-button") : null;
    if (link && link.getAttribute("aria-disabled") === "true") { event.preventDefault(); }
  });
  update();
  window.setInterval(update, 15000);
})();
