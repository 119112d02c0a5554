/* Starts the admin's map widgets (gis/widgets.py) from the options each one carries as JSON.
 *
 * Django 5.2's widget template starts its map with an inline script, which the
 * Content-Security-Policy refuses; this file does the same from a static URL. The base layer is
 * an empty vector layer when the basemap is "none" (works offline), else the configured tiles.
 *
 * Around the drawing it shows the record's surroundings from our own admin (registry.admin):
 * the chosen village's boundary, dashed, and what is already mapped in it, in grey, named when
 * zoomed in. They follow the village chosen in the form, frame the map while nothing is drawn,
 * and new vertices snap to them, so neighbouring parcels share their edges.
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

  // Names of what is around are written once the map shows less than this many metres a pixel:
  // an asset's from a few streets across, a village's from a township across.
  var NAMES_BELOW_RESOLUTION = {assets: 1.5, units: 40};
  var AROUND_METRES = 300; // the least margin shown around a record's drawing

  function withAlpha(colour, alpha) {
    var rgba = ol.color.asArray(colour).slice();
    rgba[3] = alpha;
    return rgba;
  }

  function surroundingStyles(colours) {
    var unit = new ol.style.Style({
      stroke: new ol.style.Stroke({color: colours.unit, width: 2, lineDash: [8, 6]}),
      fill: new ol.style.Fill({color: withAlpha("#ffffff", 0.55)}),
    });
    var others = {
      // Assets in grey, as the record's neighbours.
      assets: new ol.style.Style({
        stroke: new ol.style.Stroke({color: colours.others, width: 1}),
        fill: new ol.style.Fill({color: withAlpha(colours.others, 0.3)}),
        image: new ol.style.Circle({
          radius: 5,
          fill: new ol.style.Fill({color: withAlpha(colours.others, 0.6)}),
          stroke: new ol.style.Stroke({color: colours.others, width: 1}),
        }),
      }),
      // Villages of a township: outlines only, the record lies in one of them.
      units: new ol.style.Style({
        stroke: new ol.style.Stroke({color: colours.others, width: 1.5}),
      }),
    };
    return {
      unit: unit,
      others: function (kind) {
        var plain = others[kind] || others.assets;
        var namesBelow = NAMES_BELOW_RESOLUTION[kind] || NAMES_BELOW_RESOLUTION.assets;
        var named = {}; // one style a feature, made the first time its name is shown
        return function (feature, resolution) {
          if (resolution >= namesBelow || !feature.get("name")) return plain;
          var key = ol.util.getUid(feature);
          if (!named[key]) {
            named[key] = plain.clone();
            named[key].setText(new ol.style.Text({
              text: feature.get("name"),
              font: "12px sans-serif",
              offsetY: feature.getGeometry().getType() === "Point" ? -12 : 0,
              overflow: true,
              fill: new ol.style.Fill({color: colours.unit}),
              stroke: new ol.style.Stroke({color: "#ffffff", width: 3}),
            }));
          }
          return named[key];
        };
      },
    };
  }

  function showSurroundings(widget, surroundings) {
    var map = widget.map;
    var format = new ol.format.GeoJSON({
      dataProjection: "EPSG:4326",
      featureProjection: map.getView().getProjection(),
    });
    var styles = surroundingStyles(surroundings.colours);
    var unitSource = new ol.source.Vector();
    var otherSource = new ol.source.Vector();
    // Managed layers sit above the base layer and below the widget's own drawing.
    map.addLayer(new ol.layer.Vector({source: unitSource, style: styles.unit}));
    var otherLayer = new ol.layer.Vector({source: otherSource, declutter: true});
    map.addLayer(otherLayer);
    // Added after the widget's Draw and Modify interactions, as OpenLayers asks of Snap.
    map.addInteraction(new ol.interaction.Snap({source: otherSource}));
    map.addInteraction(new ol.interaction.Snap({source: unitSource}));

    var input = document.getElementById(surroundings.unit_input);
    var asked = 0;
    function load() {
      var unit = input ? input.value : surroundings.unit;
      var ask = ++asked;
      unitSource.clear();
      otherSource.clear();
      if (!unit) return;
      var params = new URLSearchParams({unit: unit});
      if (surroundings.exclude) params.set("exclude", surroundings.exclude);
      fetch(surroundings.url + "?" + params, {headers: {Accept: "application/json"}})
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (ask !== asked) return; // another village was chosen meanwhile
          otherLayer.setStyle(styles.others(data.others_are));
          unitSource.addFeatures(format.readFeatures(data.unit));
          otherSource.addFeatures(format.readFeatures(data.others));
          var extent = unitSource.getExtent();
          if (!widget.featureCollection.getLength() && !ol.extent.isEmpty(extent)) {
            map.getView().fit(extent, {padding: [16, 16, 16, 16]});
          }
        })
        .catch(function () {}); // the widget still draws without its surroundings
    }
    if (input) input.addEventListener("change", load);
    load();
  }

  function start(wrapper) {
    if (wrapper.dataset.started) return;
    var data = document.getElementById(wrapper.dataset.mapWidget);
    if (!data) return;
    wrapper.dataset.started = "1";
    var options = JSON.parse(data.textContent);
    var module = options.module;
    var surroundings = options.surroundings;
    var titles = options.control_titles || {};
    delete options.control_titles;
    options.base_layer = baseLayer(options.base_layers);
    delete options.base_layers;
    delete options.module;
    delete options.surroundings;
    // The global name Django's own template gives the widget, for scripts that look it up.
    var widget = new MapWidget(options);
    window[module] = widget;
    nameControls(widget.map.getTargetElement(), titles);
    if (surroundings) {
      showAround(widget);
      showSurroundings(widget, surroundings);
    }
  }

  // The buttons OpenLayers titles in English get the page's language (options.control_titles).
  function nameControls(element, titles) {
    Object.keys(titles).forEach(function (selector) {
      Array.prototype.forEach.call(element.querySelectorAll(selector), function (button) {
        button.title = titles[selector];
        button.setAttribute("aria-label", titles[selector]);
      });
    });
  }

  // Django fits the view to the drawing alone; leave room around it for its neighbours.
  function showAround(widget) {
    var extent = ol.extent.createEmpty();
    widget.featureCollection.forEach(function (feature) {
      ol.extent.extend(extent, feature.getGeometry().getExtent());
    });
    if (ol.extent.isEmpty(extent)) return;
    var margin = Math.max(ol.extent.getWidth(extent), ol.extent.getHeight(extent), AROUND_METRES);
    widget.map.getView().fit(ol.extent.buffer(extent, margin), {minResolution: 1});
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
