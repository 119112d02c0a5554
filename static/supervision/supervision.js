/* Supervision's pages: copy the receipt code, and mark a place on the report form's map.
 * The map is folium's: its Leaflet map object is the global named by the map element's id. */
(function () {
  "use strict";

  var copy = document.querySelector("[data-copy]");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var text = document.querySelector(copy.dataset.copy).textContent.trim();
      navigator.clipboard.writeText(text).then(function () {
        copy.textContent = copy.dataset.copied;
      });
    });
  }

  var frame = document.querySelector("[data-pick-map]");
  var element = frame && frame.querySelector(".folium-map");
  var map = element && window[element.id];
  if (!map || !window.L) return;
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var village = document.getElementById("id_village");
  var status = document.querySelector("[data-pick-status]");
  var marker = null;

  function mark(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.circleMarker(latlng, {radius: 9, color: "#fff", weight: 3, fillColor: "#b91c1c", fillOpacity: 1}).addTo(map);
    }
  }

  if (lat.value && lon.value) mark([parseFloat(lat.value), parseFloat(lon.value)]);
  map.on("click", function (event) {
    var point = event.latlng.wrap();
    lat.value = point.lat.toFixed(6);
    lon.value = point.lng.toFixed(6);
    mark(point);
    if (village) village.value = "";
    if (status) status.textContent = status.dataset.marked;
  });
  if (village) {
    village.addEventListener("change", function () {
      if (!village.value) return;
      lat.value = "";
      lon.value = "";
      if (status) status.textContent = "";
      if (marker) { map.removeLayer(marker); marker = null; }
    });
  }
})();

/* The report form: a resent form keeps its submission id, photos are made small on the phone,
 * and the text shows how much room is left. */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) return;
  var MAX_SIDE = 1600;

  // A form sent, then sent again after Back (the page is not cached, so it comes with a new
  // id) must find the first report: the same text of the same page keeps the first id.
  var submission = form.querySelector("input[name=client_uuid]");
  var text = form.querySelector("textarea[name=text]");
  function signature() {
    var category = form.querySelector("input[name=category]:checked");
    var value = (category ? category.value : "") + "|" + (text ? text.value.trim() : "");
    var hash = 2166136261;
    for (var i = 0; i < value.length; i++) {
      hash ^= value.charCodeAt(i);
      hash = Math.imul(hash, 16777619) >>> 0;
    }
    return String(hash);
  }
  var key = "qinglian-report:" + location.pathname + location.search;
  form.addEventListener("submit", function () {
    if (!submission || !window.sessionStorage) return;
    var sig = signature();
    try {
      var kept = JSON.parse(sessionStorage.getItem(key) || "null");
      if (kept && kept.sig === sig) submission.value = kept.uuid;
      else sessionStorage.setItem(key, JSON.stringify({sig: sig, uuid: submission.value}));
    } catch (e) { /* private mode: no storage, the server still stops exact resends */ }
  });

  // Photos: re-drawn at most 1600 px on a side, which also leaves the camera's metadata
  // (make, model, place) on the phone; the server keeps only pixels anyway.
  var input = form.querySelector("input[type=file][name=photos]");
  var busy = false;
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !HTMLCanvasElement.prototype.toBlob) {
        resolve(file); return;
      }
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () {
        URL.revokeObjectURL(url);
        var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, {type: "image/jpeg", lastModified: file.lastModified}));
        }, "image/jpeg", 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }
  if (input && window.DataTransfer) {
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      if (!files.length) return;
      busy = true;
      Promise.all(files.map(shrink)).then(function (smaller) {
        var transfer = new DataTransfer();
        smaller.forEach(function (f) { transfer.items.add(f); });
        input.files = transfer.files;
        busy = false;
      });
    });
    form.addEventListener("submit", function (event) {
      if (!busy) return;
      event.preventDefault();
      var wait = setInterval(function () {
        if (!busy) { clearInterval(wait); form.requestSubmit(); }
      }, 200);
    });
  }

  // Room left in the text: the server refuses more than the limit and says so.
  var counter = document.querySelector("[data-text-counter]");
  if (text && counter) {
    var limit = parseInt(counter.dataset.limit, 10);
    var update = function () {
      var left = limit - text.value.length;
      counter.textContent = left >= 0
        ? counter.dataset.template.replace("{n}", String(left))
        : counter.dataset.over.replace("{n}", String(-left));
      counter.classList.toggle("sv-error", left < 0);
    };
    text.addEventListener("input", update);
    update();
  }
})();
