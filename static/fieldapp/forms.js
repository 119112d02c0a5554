/* Field forms: photos shrunk before upload, one submission per tap, the phone's position put
 * into forms that ask for it (form[data-locate]), and progress sliders that fill their number.
 *
 * A static file rather than an inline script: the Content-Security-Policy runs only scripts
 * from our origin (or carrying the request's nonce), and never inline event handlers.
 */
(function () {
  "use strict";
  var MAX = 1600;
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
          canvas.toBlob(function (blob) {
            if (!blob || blob.size >= file.size) { resolve(file); return; }
            var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
            resolve(new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified}));
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
