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
