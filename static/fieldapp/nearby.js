/* "Nearby": fill the form with the phone's position and ask for the records near it. */
(function () {
  "use strict";
  var form = document.getElementById("nearby-form");
  if (!form || !navigator.geolocation || form.lon.value) return;
  var note = document.getElementById("locating");
  note.hidden = false;
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.lon.value = pos.coords.longitude.toFixed(6);
    form.lat.value = pos.coords.latitude.toFixed(6);
    note.hidden = true;
    form.requestSubmit();
  }, function () {
    note.hidden = true;
    var refused = document.getElementById("no-position");
    if (refused) refused.hidden = false;
  }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
})();
