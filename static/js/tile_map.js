/* The township asset map: styles of the vector tile layers, popups, and search.
 *
 * gis/maps.py builds the map with folium and calls QinglianTileMap.styles.<layer>(palette)
 * for each Leaflet.VectorGrid layer, then QinglianTileMap.attach(map, layers, config).
 * Every text shown comes from the server in the visitor's language; names are written with
 * textContent, never innerHTML, so a record's name cannot inject markup.
 */
(function () {
  "use strict";

  // --- WGS84 -> GCJ-02 (the same published transform as gis/chinacoords.py) ----------------
  // Tiles are shifted on the server; only search results (WGS84 GeoJSON) are shifted here.
  var A = 6378245.0;
  var EE = 0.00669342162296594323;

  function inChina(lon, lat) {
    return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
  }

  function dLat(x, y) {
    var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
    r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
    return r;
  }

  function dLon(x, y) {
    var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
    r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
    r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
    return r;
  }

  function wgs84ToGcj02(lon, lat) {
    if (!inChina(lon, lat)) return [lon, lat];
    var rad = (lat / 180.0) * Math.PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sqrtMagic = Math.sqrt(magic);
    var y = (dLat(lon - 105.0, lat - 35.0) * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
    var x = (dLon(lon - 105.0, lat - 35.0) * 180.0) / ((A / sqrtMagic) * Math.cos(rad) * Math.PI);
    return [lon + x, lat + y];
  }

  // --- Styles: each returns VectorGrid's style function (properties, zoom) ----------------

  // `zoom` is the tile zoom; between whole zooms Leaflet draws the nearer tiles scaled by up to
  // 0.7, so points are sized for that and stay large enough to tap.
  function pointRadius(zoom, big) {
    var r = zoom >= 17 ? 9 : zoom >= 15 ? 7.5 : zoom >= 13 ? 6 : 4;
    return big ? r + 1.5 : r;
  }

  var styles = {
    units: function (palette) {
      var colour = palette.unit;
      return function (p, zoom) {
        var inside = palette.focus && p.code.indexOf(palette.focus) === 0;
        if (p.level === "city") return { weight: 3, color: colour.city, fill: false };
        if (p.level === "township") {
          return {
            weight: inside ? 3 : 1.5,
            color: inside ? colour.township : colour.other_township,
            fill: false,
          };
        }
        return inside
          ? { weight: zoom >= 14 ? 1.5 : 1, color: colour.village, dashArray: "4 3", fill: false }
          : {
              weight: 0.8,
              color: colour.other_village,
              fill: true,
              fillColor: colour.other_fill,
              fillOpacity: 0.18,
            };
      };
    },
    assets: function (palette) {
      return function (p, zoom) {
        var outline = palette.status[p.status] || "#1e293b";
        var dashed = palette.dashed.indexOf(p.status) >= 0;
        var retired = p.status === "retired";
        if (p.kind === "parcel") {
          return {
            fill: true,
            fillColor: palette.landUse[p.land_use] || "#a8a29e",
            fillOpacity: retired ? 0.12 : palette.parcelOpacity,
            color: outline,
            weight: zoom >= 15 ? 2 : 1.2,
            dashArray: dashed ? "6 4" : null,
          };
        }
        return {
          radius: pointRadius(zoom, false),
          fill: true,
          fillColor: palette.kind[p.kind] || "#334155",
          fillOpacity: retired ? 0.35 : 0.9,
          color: outline,
          weight: zoom >= 15 ? 2 : 1.5,
          dashArray: dashed ? "3 2" : null,
        };
      };
    },
    routes: function (palette) {
      return function (p, zoom) {
        return { color: palette.route, weight: zoom >= 15 ? 4 : 3, opacity: 0.85, dashArray: "8 6" };
      };
    },
    projects: function (palette) {
      return function (p, zoom) {
        return {
          radius: pointRadius(zoom, true),
          fill: true,
          fillColor: palette.stage[p.stage] || "#334155",
          fillOpacity: 0.95,
          color: palette.projectRing,
          weight: 2,
        };
      };
    },
    sites: function (palette) {
      return function (p, zoom) {
        return {
          radius: pointRadius(zoom, true),
          fill: true,
          fillColor: palette.site,
          fillOpacity: 1,
          color: palette.siteRing,
          weight: 3,
        };
      };
    },
  };

  // --- Popups ----------------------------------------------------------------------------

  function line(box, text, className) {
    if (!text) return;
    var div = document.createElement("div");
    div.className = className || "map-popup-detail";
    div.textContent = text;
    box.appendChild(div);
  }

  function joined(parts) {
    return parts.filter(Boolean).join(" · ");
  }

  function popupContent(layerName, p, config) {
    var labels = config.labels;
    var text = config.text;
    var box = document.createElement("div");
    var title = document.createElement(p.url ? "a" : "strong");
    title.className = "map-popup-title";
    title.textContent = p.name;
    if (p.url) title.href = p.url;
    box.appendChild(title);
    if (layerName === "assets") {
      line(box, joined([labels.kind[p.kind], labels.status[p.status]]));
      line(box, labels.landUse[p.land_use] || labels.buildingUse[p.building_use]);
      if (p.area_m2) {
        line(box, text.area + " " + Math.round(p.area_m2).toLocaleString(document.documentElement.lang) + " m²");
      }
    } else if (layerName === "projects") {
      line(box, joined([labels.stage[p.stage], text.progress + " " + (p.progress_percent || 0) + "%"]));
      line(box, labels.category[p.category]);
    } else if (layerName === "sites") {
      line(box, labels.siteKind[p.kind]);
    }
    return box;
  }

  function recordUrl(config, layerName, id) {
    var parts = config.recordUrls[layerName];
    return parts ? parts[0] + id + parts[1] : "";
  }

  // --- Search ----------------------------------------------------------------------------

  // An electronic ID (e.g. P-102201-0001-T), typed or pasted however (full-width, any dash, a
  // plaque URL: js/codes.js reads it as the server does): let the form go to /e/?code=, which
  // resolves it or suggests the code meant.
  var CODE = /^[BDFPS][0-9OIL]{10}[0-9A-Z]$/;

  function looksLikeCode(text) {
    if (window.QinglianCodes) return window.QinglianCodes.plaqueCode(text) !== null;
    return CODE.test(text.replace(/[\s-]/g, "").toUpperCase());
  }

  function toLatLng(config) {
    return function (coords) {
      var c = config.shift === "gcj02" ? wgs84ToGcj02(coords[0], coords[1]) : coords;
      return L.latLng(c[1], c[0]);
    };
  }

  function show(map, config, layerName, feature) {
    var shape = L.geoJSON(feature, { coordsToLatLng: toLatLng(config) });
    var bounds = shape.getBounds();
    var centre = bounds.getCenter();
    var props = Object.assign({}, feature.properties, {
      id: feature.id,
      url: recordUrl(config, layerName, feature.id),
    });
    map.flyToBounds(bounds, { maxZoom: 17, padding: [24, 24], duration: 0.8 });
    L.popup({ autoPan: false }).setLatLng(centre).setContent(popupContent(layerName, props, config)).openOn(map);
  }

  function fetchLayer(url, params) {
    return fetch(url + "?" + new URLSearchParams(params), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      });
  }

  function setUpSearch(map, config) {
    var form = document.querySelector("[data-map-search]");
    var out = document.querySelector("[data-map-results]");
    if (!form || !out) return;
    var input = form.querySelector("input");
    form.addEventListener("submit", function (event) {
      var text = input.value.trim();
      if (!text || looksLikeCode(text)) return;
      event.preventDefault();
      out.textContent = config.text.searching;
      var params = { q: text, township: config.search.township, page_size: 10 };
      var names = Object.keys(config.search.layers);
      Promise.all(names.map(function (name) { return fetchLayer(config.search.layers[name], params); }))
        .then(function (answers) {
          var found = [];
          answers.forEach(function (answer, i) {
            answer.features.forEach(function (f) { found.push([names[i], f]); });
          });
          out.textContent = "";
          if (!found.length) {
            out.textContent = config.text.none;
            return;
          }
          var list = document.createElement("ul");
          found.forEach(function (item) {
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = item[1].properties.name;
            button.title = config.text[item[0]];
            button.addEventListener("click", function () { show(map, config, item[0], item[1]); });
            var li = document.createElement("li");
            li.appendChild(button);
            list.appendChild(li);
          });
          out.appendChild(list);
          if (found.length === 1) show(map, config, found[0][0], found[0][1]);
        })
        .catch(function () {
          out.textContent = config.text.failed;
        });
    });
  }

  // --- Wiring ----------------------------------------------------------------------------

  // VectorGrid 1.3 draws points as CircleMarkers that have no latlng. For a small CircleMarker
  // Leaflet 1.9 takes the event position from getLatLng(), so a tap on a point throws instead
  // of firing "click". Without getLatLng, Leaflet uses the pointer position, as for polygons.
  if (window.L && L.VectorGrid) {
    var createLayer = L.VectorGrid.prototype._createLayer;
    L.VectorGrid.prototype._createLayer = function () {
      var layer = createLayer.apply(this, arguments);
      if (layer instanceof L.CircleMarker) layer.getLatLng = null;
      return layer;
    };
  }

  function attach(map, layers, config) {
    Object.keys(layers).forEach(function (name) {
      layers[name].on("click", function (event) {
        L.popup()
          .setLatLng(event.latlng)
          .setContent(popupContent(name, event.layer.properties, config))
          .openOn(map);
      });
    });
    setUpSearch(map, config);
  }

  window.QinglianTileMap = { styles: styles, attach: attach, wgs84ToGcj02: wgs84ToGcj02 };
})();
