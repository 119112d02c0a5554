/* Starts the admin's map widgets (gis/widgets.py) from the options each one carries as JSON.
 *
 * Django 5.2's widget template starts its map with an inline script, which the
 * Content-Security-Policy refuses; this file does the same from a static URL. The base layer is
 * an empty vector layer when the basemap is "none" (works offline), else the configured tiles.
 */
/* global ol, MapWidget */
(function () {
  "use strict";

  function baseLayer(layers) {
    if (!layers.length) return new ol.layer.Vector({source: new ol.source.Vector()});
    return new ol.layer.Group({
      layers: layers.map(function (layer) {
        return new ol.layer.Tile({
          source: new ol.source.XYZ({url: layer.url, attributions: layer.attribution}),
        });
      }),
    });
  }

  function start(wrapper) {
    if (wrapper.dataset.started) return;
    var data = document.getElementById(wrapper.dataset.mapWidget);
    if (!data) return;
    wrapper.dataset.started = "1";
    var options = JSON.parse(data.textContent);
    var module = options.module;
    options.base_layer = baseLayer(options.base_layers);
    delete options.base_layers;
    delete options.module;
    // The global name Django's own template gives the widget, for scripts that look it up.
    window[module] = new MapWidget(options);
  }

  function startAll(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-map-widget]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { startAll(document); });
  } else {
    startAll(document);
  }
  // Inline formsets add forms (and their widgets) after the page has loaded.
  document.addEventListener("formset:added", function (event) { startAll(event.target); });
})();
