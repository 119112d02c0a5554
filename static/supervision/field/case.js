/* A case's evidence form: how far the phone is from the place of the case, before the photo is
 * taken (the geofence note). The photo's own GPS is what the server stores and compares.
 * A static file: the Content-Security-Policy runs no inline script.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-case-geofence]");
  if (!form) return;
  var farM = parseFloat(form.getAttribute("data-far-m")) || 200;
  var note = form.querySelector("[data-geofence-note]");
  var lon = parseFloat(form.getAttribute("data-case-lon"));
  var lat = parseFloat(form.getAttribute("data-case-lat"));
  if (!note || isNaN(lon) || isNaN(lat)) return;

  function metres(lon1, lat1, lon2, lat2) {
    var rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad;
    var dLon = (lon2 - lon1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 6371008.8 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  function say(name, m) {
    note.textContent = (note.getAttribute("data-text-" + name) || "").replace("{m}", m);
    note.className = "small geofence" + (name === "far" ? " far" : "");
  }

  if (!navigator.geolocation) { say("nogps"); return; }
  navigator.geolocation.watchPosition(function (pos) {
    var m = Math.round(metres(lon, lat, pos.coords.longitude, pos.coords.latitude));
    say(m > farM ? "far" : "near", m);
  }, function () { say("nogps"); }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
})();
