/* The field app's plaque scanner (/field/scan/).
 *
 * Reads a plaque's QR code with the rear camera: the browser's BarcodeDetector where it reads
 * QR codes, otherwise jsQR (vendored), which is loaded only then. A typed code is the fallback.
 * What was read becomes a code as the server reads it (codes.js).
 * A code of my work opens its field page from the page's map (#plaque-urls), which works offline
 * because the service worker keeps those pages; any other code opens its public page, which
 * needs a connection. Texts come from data-text-* attributes, translated by the server.
 */
(function () {
  "use strict";

  var root = document.getElementById("scan");
  if (!root) return;
  var video = root.querySelector(".scan-video");
  var statusLine = root.querySelector(".scan-status");
  var messageLine = root.querySelector(".scan-message");
  var startButton = root.querySelector(".scan-start");
  var form = root.querySelector(".scan-code-form");
  var mapScript = document.getElementById("plaque-urls");
  var plaqueUrls = mapScript ? JSON.parse(mapScript.textContent) : {};
  var plaqueCode = window.QinglianCodes.plaqueCode;

  var SCAN_EVERY_MS = 200;
  var MAX_SIDE = 800; // frames are scaled down to this before jsQR reads them

  // ---- Messages -----------------------------------------------------------------------------

  function text(name, code) {
    return (root.getAttribute("data-text-" + name) || "").split("{code}").join(code || "");
  }

  function status(name, code) {
    statusLine.textContent = name ? text(name, code) : "";
  }

  var shown = null; // what the message line says, so a QR held still does not repeat it

  function say(name, code) {
    var message = text(name, code);
    if (message === shown) return;
    shown = message;
    messageLine.textContent = message;
    messageLine.hidden = false;
    root.setAttribute("data-message", name);
  }

  function clear() {
    shown = null;
    messageLine.hidden = true;
    root.removeAttribute("data-message");
  }

  // ---- Opening what was read ----------------------------------------------------------------

  function go(url, code) {
    wanted = false;
    stop();
    clear();
    status("opening", code);
    root.setAttribute("data-opening", url);
    location.assign(url);
  }

  // Opens the record `content` names; false (with a message) when it names none.
  function open(content, fromCamera) {
    var found = plaqueCode(content);
    if (!found) {
      say(fromCamera ? "not-plaque" : "not-code");
      return false;
    }
    var url = plaqueUrls[found.code];
    if (found.valid && url) {
      go(url, found.code);
    } else if (navigator.onLine === false) {
      say(found.valid ? "offline" : "typo", found.code);
      return false;
    } else if (found.valid) {
      go(root.getAttribute("data-record-url").replace("CODE", encodeURIComponent(found.code)), found.code);
    } else {
      // The server knows which real codes are one slip away from it.
      go(root.getAttribute("data-entry-url") + "?code=" + encodeURIComponent(content), found.code);
    }
    return true;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    open(form.elements.code.value, false);
  });

  // ---- Camera and decoder -------------------------------------------------------------------

  var stream = null;
  var timer = null;
  var detect = null; // function(video) -> Promise of the text read, or null
  var wanted = true; // the camera should run while the page is shown
  var canvas = null;

  function nativeDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    var formats = window.BarcodeDetector.getSupportedFormats ?
      window.BarcodeDetector.getSupportedFormats() : Promise.resolve(["qr_code"]);
    return formats.then(function (list) {
      if (list.indexOf("qr_code") === -1) return null;
      var detector = new window.BarcodeDetector({formats: ["qr_code"]});
      root.setAttribute("data-decoder", "native");
      return function (source) {
        return detector.detect(source).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    })["catch"](function () { return null; });
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root.getAttribute("data-decoder");
      script.onload = function () { return window.jsQR ? resolve(window.jsQR) : reject(); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function jsQRDetector(jsQR) {
    canvas = canvas || document.createElement("canvas");
    var context = canvas.getContext("2d", {willReadFrequently: true});
    root.setAttribute("data-decoder", "jsqr");
    return function (source) {
      var scale = Math.min(1, MAX_SIDE / Math.max(source.videoWidth, source.videoHeight));
      var width = Math.round(source.videoWidth * scale);
      var height = Math.round(source.videoHeight * scale);
      if (!width || !height) return Promise.resolve(null);
      canvas.width = width;
      canvas.height = height;
      context.drawImage(source, 0, 0, width, height);
      var found = jsQR(context.getImageData(0, 0, width, height).data, width, height,
        {inversionAttempts: "dontInvert"}); // plaques are printed dark on light
      return Promise.resolve(found ? found.data : null);
    };
  }

  function decoder() {
    if (detect) return Promise.resolve(detect);
    return nativeDetector().then(function (native) {
      return native || loadJsQR().then(jsQRDetector);
    }).then(function (found) {
      detect = found;
      return found;
    });
  }

  function tick() {
    timer = null;
    if (!stream) return;
    var read = video.readyState >= 2 ? detect(video) : Promise.resolve(null);
    read.then(function (content) {
      if (stream && content !== null && content !== "") open(content, true);
    }, function () { /* a frame the decoder could not take: try the next */ }).then(function () {
      if (stream && !timer) timer = setTimeout(tick, SCAN_EVERY_MS);
    });
  }

  function failed(error) {
    stop();
    var denied = !!error && (error.name === "NotAllowedError" || error.name === "SecurityError");
    say(denied ? "denied" : "no-camera");
    // Allowed later in the settings, the camera can be tried again; with none, nothing can.
    startButton.hidden = !denied;
    status("");
  }

  function start() {
    wanted = true;
    if (stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      failed(null);
      return;
    }
    clear();
    status("starting");
    root.setAttribute("data-camera", "starting");
    startButton.hidden = true;
    var camera = navigator.mediaDevices.getUserMedia({
      // The rear camera, sharp enough for a plaque read from a step away.
      video: {facingMode: {ideal: "environment"}, width: {ideal: 1280}, height: {ideal: 720}},
      audio: false
    });
    Promise.all([camera, decoder()]).then(function (got) {
      var media = got[0];
      if (!wanted || document.hidden) {
        media.getTracks().forEach(function (track) { track.stop(); });
        return;
      }
      stream = media;
      video.srcObject = media;
      root.setAttribute("data-camera", "on");
      status("point");
      var playing = video.play();
      if (playing && playing["catch"]) playing["catch"](function () { /* muted: plays anyway */ });
      tick();
    }, function (error) {
      camera.then(function (media) {
        media.getTracks().forEach(function (track) { track.stop(); });
      }, function () { /* there was no camera to stop */ });
      failed(error);
    });
  }

  function stop() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    root.setAttribute("data-camera", "off");
    startButton.hidden = false;
  }

  startButton.addEventListener("click", start);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else if (wanted) {
      start();
    }
  });
  window.addEventListener("pagehide", function () {
    wanted = false;
    stop();
  });
  window.addEventListener("pageshow", function (event) {
    // Back from the record (the page kept in memory): the camera was stopped when it left.
    if (event.persisted) {
      root.removeAttribute("data-opening");
      start();
    }
  });

  start();
})();
