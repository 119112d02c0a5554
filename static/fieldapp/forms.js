/* Field forms: photos shrunk before upload (keeping the camera's EXIF time and GPS), one submission per tap, the phone's position put
 * into forms that ask for it (form[data-locate]), and progress sliders that fill their number.
 *
 * A static file rather than an inline script: the Content-Security-Policy runs only scripts
 * from our origin (or carrying the request's nonce), and never inline event handlers.
 */
(function () {
  "use strict";
  var MAX = 1600;
  var ORIENTATION = 0x0112;

  // The EXIF segment (APP1 "Exif\0\0") of a JPEG's bytes, or null. The camera's time and GPS
  // are in it; a canvas drops it, so the shrunk copy carries this one instead.
  function exifSegment(bytes) {
    if (bytes[0] !== 0xFF || bytes[1] !== 0xD8) return null;
    var offset = 2;
    while (offset + 10 <= bytes.length && bytes[offset] === 0xFF) {
      var marker = bytes[offset + 1];
      var length = (bytes[offset + 2] << 8) | bytes[offset + 3];
      if (marker === 0xDA || marker === 0xD9 || length < 2) return null;
      if (marker === 0xE1 && bytes[offset + 4] === 0x45 && bytes[offset + 5] === 0x78 &&
          bytes[offset + 6] === 0x69 && bytes[offset + 7] === 0x66 && bytes[offset + 8] === 0 &&
          bytes[offset + 9] === 0) {
        var segment = bytes.slice(offset, offset + 2 + length);
        uprightOrientation(segment);
        return segment;
      }
      offset += 2 + length;
    }
    return null;
  }

  // The browser drew the pixels upright already: the copy's Orientation tag must say so (1),
  // or a viewer would turn them a second time.
  function uprightOrientation(segment) {
    var tiff = 10;
    if (segment.length < tiff + 8) return;
    var view = new DataView(segment.buffer, segment.byteOffset, segment.byteLength);
    var little = view.getUint16(tiff) === 0x4949;
    var ifd = tiff + view.getUint32(tiff + 4, little);
    if (ifd + 2 > segment.length) return;
    var count = view.getUint16(ifd, little);
    for (var i = 0; i < count; i++) {
      var entry = ifd + 2 + i * 12;
      if (entry + 12 > segment.length) return;
      if (view.getUint16(entry, little) === ORIENTATION) { view.setUint16(entry + 8, 1, little); return; }
    }
  }

  // The canvas's JPEG with the original's EXIF segment right after its start-of-image marker.
  function withExif(blob, segment) {
    if (!segment) return Promise.resolve(blob);
    return blob.arrayBuffer().then(function (buffer) {
      var shrunk = new Uint8Array(buffer);
      return new Blob([shrunk.slice(0, 2), segment, shrunk.slice(2)], {type: "image/jpeg"});
    });
  }

  function shrink(input) {
    if (!window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) return;
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) return;
    input.dataset.busy = "1";
    Promise.all(files.map(function (file) {
      return new Promise(function (resolve) {
        if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { resolve(file); return; }
        var img = new Image();
        var url = URL.createObjectURL(file);
        img.onload = function () {
          URL.revokeObjectURL(url);
          var scale = Math.min(1, MAX / Math.max(img.width, img.height));
          if (scale === 1 && file.type === "image/jpeg") { resolve(file); return; }
          var canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          var exif = file.type === "image/jpeg"
            ? file.slice(0, 131072).arrayBuffer().then(function (head) { return exifSegment(new Uint8Array(head)); })
            : Promise.resolve(null);
          canvas.toBlob(function (blob) {
            if (!blob) { resolve(file); return; }
            exif.then(function (segment) { return withExif(blob, segment); }).then(function (smaller) {
              if (smaller.size >= file.size) { resolve(file); return; }
              var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
              resolve(new File([smaller], name, {type: "image/jpeg", lastModified: file.lastModified}));
            }, function () { resolve(file); });
          }, "image/jpeg", 0.8);
        };
        img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
        img.src = url;
      });
    })).then(function (smaller) {
      var transfer = new DataTransfer();
      smaller.forEach(function (f) { transfer.items.add(f); });
      input.files = transfer.files;
      delete input.dataset.busy;
    });
  }
  document.querySelectorAll('input[type="file"]').forEach(function (input) {
    input.addEventListener("change", function () { shrink(input); });
  });
  // When the work was done, by this phone's clock: set at the tap, in the capturing phase so it
  // is in the form before anything else (the offline outbox) reads it. Kept on a retry.
  document.addEventListener("submit", function (event) {
    var made = event.target.querySelector && event.target.querySelector('input[name="made_at"]');
    if (made && !made.value) made.value = new Date().toISOString();
  }, true);
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.querySelector("[data-busy]")) { event.preventDefault(); setTimeout(function () { form.requestSubmit(); }, 300); return; }
      var button = form.querySelector("[data-once]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
  var locate = document.querySelector("form[data-locate]");
  if (locate && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      locate.querySelector('[name="lon"]').value = pos.coords.longitude.toFixed(6);
      locate.querySelector('[name="lat"]').value = pos.coords.latitude.toFixed(6);
      var note = locate.querySelector("[data-located]");
      if (note) note.hidden = false;
    }, function () {}, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
  }
  // A range input[data-slider] drives the number input after it, and follows it when typed in.
  document.querySelectorAll("input[data-slider]").forEach(function (slider) {
    var number = slider.nextElementSibling;
    if (!number) return;
    slider.addEventListener("input", function () { number.value = slider.value; });
    number.addEventListener("input", function () { if (number.value !== "") slider.value = number.value; });
  });
})();
