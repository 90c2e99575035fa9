// Hall check-in: scan a badge's QR code with the camera (jsQR, served from static/) or type its
// code; the server answers with a translated outcome that is shown big. Without JavaScript the
// form posts and the page shows the same answer.
(function () {
  "use strict";
  var root = document.getElementById("hall-checkin");
  if (!root) { return; }
  var form = root.querySelector("[data-checkin-form]");
  var input = form.querySelector("input[name=code]");
  var box = root.querySelector("[data-answer]");
  var camera = root.querySelector(".hall-camera");
  var video = root.querySelector("[data-video]");
  var canvas = root.querySelector("[data-canvas]");
  var toggle = root.querySelector("[data-camera-toggle]");
  var cameraState = root.querySelector("[data-camera-state]");
  var stream = null;
  var lastCode = "";
  var lastAt = 0;
  var busy = false;

  function show(answer) {
    box.className = "hall-answer outcome-" + answer.outcome;
    box.querySelector("[data-answer-title]").textContent = answer.title;
    box.querySelector("[data-answer-name]").textContent = answer.name || "";
    box.querySelector("[data-answer-org]").textContent = answer.organisation || "";
    box.querySelector("[data-answer-detail]").textContent = answer.detail || "";
    if (navigator.vibrate) { navigator.vibrate(answer.admitted ? 80 : [80, 60, 80]); }
  }

  function fail(text) {
    show({ outcome: "unknown", title: text, admitted: false });
  }

  function send(code) {
    if (busy) { return; }
    busy = true;
    var body = new FormData(form);
    body.set("code", code);
    fetch(window.location.pathname, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(show).catch(function (error) {
      fail(error instanceof TypeError ? root.dataset.offline : root.dataset.error);
    }).then(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    if (!code) { input.focus(); return; }
    send(code);
    input.value = "";
    input.focus();
  });

  function tick() {
    if (!stream) { return; }
    if (video.readyState >= 2 && window.jsQR) {
      var width = video.videoWidth;
      var height = video.videoHeight;
      canvas.width = width;
      canvas.height = height;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, width, height);
      var found = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, {
        inversionAttempts: "dontInvert",
      });
      var now = Date.now();
      // The same badge held in front of the camera is sent once every three seconds at most.
      if (found && found.data && (found.data !== lastCode || now - lastAt > 3000)) {
        lastCode = found.data;
        lastAt = now;
        send(found.data);
      }
    }
    window.requestAnimationFrame(tick);
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    camera.classList.remove("on");
    toggle.textContent = toggle.dataset.start;
    cameraState.textContent = root.dataset.cameraOff;
  }

  toggle.addEventListener("click", function () {
    if (stream) { stop(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraState.textContent = root.dataset.cameraUnavailable;
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.play();
        camera.classList.add("on");
        toggle.textContent = toggle.dataset.stop;
        cameraState.textContent = "";
        window.requestAnimationFrame(tick);
      })
      .catch(function () { cameraState.textContent = root.dataset.cameraUnavailable; });
  });

  document.addEventListener("visibilitychange", function () { if (document.hidden) { stop(); } });
  input.focus();
})();
