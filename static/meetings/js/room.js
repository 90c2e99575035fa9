// The meeting room: enables the Join link inside its time window, asks before cancelling,
// and refreshes the meeting's details when the server announces a change.
// The chat script (chat.js) dispatches a "meeting.changed" event on document for every
// meeting.changed frame it receives; this file only listens.
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room) { return; }

  function updateJoinButton() {
    var button = room.querySelector(".join-button");
    if (!button) { return; }
    var opens = Date.parse(button.getAttribute("data-opens"));
    var closes = Date.parse(button.getAttribute("data-closes"));
    var now = Date.now();
    var open = !isNaN(opens) && !isNaN(closes) && now >= opens && now < closes;
    // Join is a link (a navigation, which the CSP allows, unlike a form's redirect): it is
    // shown disabled outside its window; the server refuses it there too.
    button.classList.toggle("disabled", !open);
    button.setAttribute("aria-disabled", open ? "false" : "true");
  }

  room.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".join-button") : null;
    if (link && link.getAttribute("aria-disabled") === "true") { event.preventDefault(); }
  });

  function bindConfirm() {
    var buttons = room.querySelectorAll("button[data-confirm]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (button.dataset.bound) { return; }
      button.dataset.bound = "1";
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  var refreshing = false;
  function refreshDetails() {
    if (refreshing) { return; }
    refreshing = true;
    fetch(room.getAttribute("data-room-url"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("meeting-details");
        var current = document.getElementById("meeting-details");
        if (fresh && current) {
          current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes).map(function (node) {
            return document.importNode(node, true);
          }));
          updateJoinButton();
          bindConfirm();
        }
      })
      .catch(function () { /* the next change or a reload will catch up */ })
      .then(function () { refreshing = false; });
  }

  function onChanged(event) {
    var detail = (event && event.detail) || {};
    var id = String(detail.meeting || detail.meeting_id || "");
    if (id && id !== room.getAttribute("data-meeting")) { return; }
    refreshDetails();
  }

  document.addEventListener("meeting.changed", onChanged);
  document.addEventListener("fair:meeting.changed", onChanged);
  updateJoinButton();
  bindConfirm();
  window.setInterval(updateJoinButton, 15000);
})();
