"""Public maps built with folium, loading only Leaflet and our own CSS from our static files.

folium's stock Map pulls jQuery, Bootstrap and Font Awesome from CDNs and styles the whole
page as a full-screen map; `LocalMap` keeps only what a phone needs and embeds in a page.
"""

import json
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from folium.elements import JSCSSMixin
from folium.plugins import VectorGridProtobuf
from folium.template import Template

from gis.basemaps import Basemap, current_basemap
from gis.chinacoords import shift_coordinates, wgs84_to_gcj02

LEAFLET = "vendor/leaflet-1.9.4"
VECTORGRID_JS = "vendor/leaflet.vectorgrid-1.3.0/Leaflet.VectorGrid.bundled.min.js"
TILE_MAP_JS = "js/tile_map.js"
RUIAN_CENTRE = (27.78, 120.55)

KIND_COLOURS = {"building": "#c2410c", "parcel": "#15803d", "facility": "#7c3aed"}
STAGE_COLOURS = {
    "proposal": "#64748b",
    "budget": "#0891b2",
    "contracting": "#2563eb",
    "construction": "#d97706",
    "acceptance": "#16a34a",
    "settlement": "#15803d",
}
UNIT_STYLE = {"color": "#334155", "weight": 1.5, "fillColor": "#e2e8f0", "fillOpacity": 0.25}
# Parcels are filled by land use (after the usual land-survey colours) and outlined by status.
LAND_USE_COLOURS = {
    "farmland": "#eab308",
    "forest": "#16a34a",
    "water": "#0ea5e9",
    "construction": "#e11d48",
    "other": "#a8a29e",
}
STATUS_COLOURS = {"in_use": "#1e293b", "leased": "#2563eb", "idle": "#d97706", "retired": "#9ca3af"}
DASHED_STATUSES = ("idle", "retired")
SITE_COLOUR = "#b91c1c"
SITE_RING = "#fde68a"  # the sites' outline on the tile map, so they stand out from projects
ROUTE_COLOUR = "#be123c"
PROJECT_RING = "#ffffff"
# Boundaries on the tile map: the township shown, its villages, and the units around it, dimmed.
UNIT_COLOURS = {
    "city": "#334155",
    "township": "#0f172a",
    "other_township": "#64748b",
    "village": "#475569",
    "other_village": "#94a3b8",
    "other_fill": "#64748b",
}
PARCEL_FILL_OPACITY = 0.45  # tile map parcels; a retired one is fainter
# Tile layers from the bottom up: outlines under parcels, points on top so they stay tappable.
TILE_LAYER_ORDER = ("units", "assets", "routes", "projects", "sites")

# Popup and tooltip are DOM nodes filled with textContent: Leaflet inserts a string given to
# bindPopup or bindTooltip as HTML, so a record's name passed as a string could run a script.
POPUP_JS = """
function (feature, layer) {
    var p = feature.properties, box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url; link.textContent = p.name; link.className = "map-popup-title";
    box.appendChild(link);
    if (p.label) {
        var s = document.createElement("div");
        s.textContent = p.label;
        box.appendChild(s);
    }
    layer.bindPopup(box);
    var tip = document.createElement("span");
    tip.textContent = p.name;
    layer.bindTooltip(tip, {sticky: true});
}
"""


DEFAULT_COLOUR = "#334155"  # a kind or stage with no colour of its own


def asset_style(kind: str) -> dict:
    """How the folium maps draw an asset of this kind (its Leaflet path options)."""
    colour = KIND_COLOURS.get(kind, DEFAULT_COLOUR)
    return {"color": colour, "fillColor": colour, "weight": 1, "fillOpacity": 0.55}


def project_style(stage: str) -> dict:
    colour = STAGE_COLOURS.get(stage, DEFAULT_COLOUR)
    return {"color": PROJECT_RING, "fillColor": colour, "weight": 2, "fillOpacity": 0.95}


SITE_STYLE = {"color": PROJECT_RING, "fillColor": SITE_COLOUR, "weight": 2, "fillOpacity": 1}


@dataclass(frozen=True)
class Swatch:
    """One legend entry's sample, drawn with the values the layer itself is styled with.

    `shape` is "area" (a square), "point" (a dot) or "line". `css` is the inline style of the
    sample, so a legend needs no colour of its own in a stylesheet.
    """

    shape: str
    fill: str = ""
    fill_opacity: float = 1.0
    stroke: str = ""
    stroke_width: float = 0
    dashed: bool = False

    @classmethod
    def of(cls, style: dict, shape: str) -> "Swatch":
        """The sample of a Leaflet path style (`color`, `weight`, `fillColor`, …)."""
        return cls(
            shape,
            fill=style.get("fillColor", ""),
            fill_opacity=style.get("fillOpacity", 1.0),
            stroke=style.get("color", ""),
            stroke_width=style.get("weight", 0),
            dashed=bool(style.get("dashArray")),
        )

    @property
    def css(self) -> str:
        border = "dashed" if self.dashed else "solid"
        width = f"{max(self.stroke_width, 1):g}px"
        if self.shape == "line":
            return f"border-top: {width} {border} {self.stroke}"
        parts = [f"background: {_rgba(self.fill, self.fill_opacity)}"]
        if self.stroke and self.stroke_width:
            parts.append(f"border: {width} {border} {self.stroke}")
        return "; ".join(parts)


@dataclass(frozen=True)
class LegendItem:
    label: str
    swatch: Swatch


@dataclass(frozen=True)
class LegendGroup:
    title: str
    items: list[LegendItem]


def _rgba(colour: str, opacity: float) -> str:
    """`#rrggbb` at an opacity, as CSS; no colour is transparent."""
    if not colour:
        return "transparent"
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity:g})"


class LocalMap(folium.Map):
    """A Leaflet map that embeds in our pages and loads nothing from a CDN."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} {position: relative; width: 100%; height: 100%;}</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {
                center: {{ this.location|tojson }},
                crs: L.CRS.{{ this.crs }},
                ...{{ this.options|tojavascript }}
            });
            L.control.scale({imperial: false}).addTo({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, basemap: Basemap | None = None, **kwargs):
        self.default_js = [("leaflet", static(f"{LEAFLET}/leaflet.js"))]
        self.default_css = [("leaflet_css", static(f"{LEAFLET}/leaflet.css"))]
        super().__init__(tiles=None, control_scale=False, prefer_canvas=True, **kwargs)
        basemap = basemap or current_basemap()
        for source in basemap.layers:
            folium.TileLayer(
                tiles=source.url,
                attr=source.attribution,
                subdomains=source.subdomains or "abc",
                overlay=source.overlay,
                control=False,
                max_zoom=19,
            ).add_to(self)


@dataclass(frozen=True)
class RenderedMap:
    header: SafeString
    html: SafeString
    script: SafeString


def render(m: folium.Map) -> RenderedMap:
    """Split a folium map into the three parts a Django template places."""
    root = m.get_root()
    root.render()
    return RenderedMap(
        header=mark_safe(root.header.render()),  # noqa: S308 - folium output, data escaped by it
        html=mark_safe(root.html.render()),  # noqa: S308
        script=mark_safe(root.script.render()),  # noqa: S308
    )


class VectorTileLayer(VectorGridProtobuf):
    """folium's VectorGrid layer, loading Leaflet.VectorGrid from our static files.

    The URL is written as JSON (folium's own template pastes it raw into a JS string). The
    default SVG renderer is kept: VectorGrid 1.3's canvas renderer calls `L.DomEvent.fakeStop`,
    which Leaflet 1.8 removed, so clicks on canvas tiles throw.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) -%}
            var {{ this.get_name() }} = L.vectorGrid.protobuf(
                {{ this.url|tojson }}, {{ this.options|tojavascript }}
            );
        {%- endmacro %}
        """
    )

    def __init__(self, url: str, *, name: str, options: dict, show: bool = True):
        super().__init__(url, name=name, options=options, show=show)
        self.default_js = [("vectorgrid", static(VECTORGRID_JS))]


class TileMapScript(JSCSSMixin, MacroElement):
    """Loads our tile_map.js and hands it the map, its layers and the page's settings.

    Popups, search and the GCJ-02 shift of search results live in that one small file rather
    than in strings here, so they can be read, linted and cached like any other script.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            QinglianTileMap.attach(
                {{ this._parent.get_name() }}, {{ this.layers|tojavascript }}, {{ this.config }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, layers: dict[str, VectorTileLayer], config: dict):
        super().__init__()
        self._name = "TileMapScript"
        self.default_js = [("tile_map", static(TILE_MAP_JS))]
        self.layers = dict(layers)
        self.config = js_json(config)


def js_json(value: object) -> str:
    """JSON that is safe inside a <script> element (no closing tags, no entities)."""
    return (
        json.dumps(value, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


# Tiles are requested only within a layer's data bounds, widened by this much (degrees, about
# 500 m) so a point's symbol at the edge is not cut off by a tile left unloaded.
TILE_BOUNDS_MARGIN = 0.005


def tile_palette(focus: str = "") -> dict:
    """The colours tile_map.js styles each tile layer with; the legend reads the same ones."""
    return {
        "landUse": LAND_USE_COLOURS,
        "parcelOpacity": PARCEL_FILL_OPACITY,
        "status": STATUS_COLOURS,
        "dashed": DASHED_STATUSES,
        "kind": KIND_COLOURS,
        "stage": STAGE_COLOURS,
        "projectRing": PROJECT_RING,
        "site": SITE_COLOUR,
        "siteRing": SITE_RING,
        "route": ROUTE_COLOUR,
        "unit": UNIT_COLOURS,
        "focus": focus,
    }


def tile_map(
    *,
    tile_urls: dict[str, str],
    labels: dict[str, str],
    config: dict,
    bounds: tuple[float, float, float, float] | None = None,
    focus: str = "",
    basemap: Basemap | None = None,
    layer_bounds: dict[str, tuple[float, float, float, float]] | None = None,
) -> RenderedMap:
    """A whole-township map drawn from our vector tiles instead of one large GeoJSON.

    `tile_urls` maps tile layers to URL templates (already carrying `?shift=gcj02` when the
    basemap needs it); `labels` names them in the current language; `config` goes to
    tile_map.js as it is (choice labels, texts, search and record URLs). `focus` is the
    division code whose villages stay bright while the rest is dimmed. `bounds` are WGS84 and
    are shifted here when the basemap is GCJ-02. `layer_bounds` are where each layer has data
    (WGS84): Leaflet asks for no tile outside them, tiles that could only answer 204.
    """
    basemap = basemap or current_basemap()
    m = LocalMap(
        location=RUIAN_CENTRE,
        zoom_start=12,
        basemap=basemap,
        min_zoom=8,
        max_zoom=19,
        zoom_snap=1,  # whole zooms: a fractional first view fetched tiles at two levels
    )
    palette = js_json(tile_palette(focus))
    layer_bounds = layer_bounds or {}
    layers = {}
    for name in TILE_LAYER_ORDER:
        if name not in tile_urls:
            continue
        options = {
            "vectorTileLayerStyles": {
                name: folium.JsCode(f"QinglianTileMap.styles.{name}({palette})")
            },
            "interactive": name != "units",
            "maxZoom": 19,
        }
        if name in layer_bounds:
            options["bounds"] = _latlng_bounds(layer_bounds[name], basemap, TILE_BOUNDS_MARGIN)
        layers[name] = VectorTileLayer(tile_urls[name], name=labels[name], options=options)
        layers[name].add_to(m)
    TileMapScript(layers, {**config, "shift": basemap.crs if basemap.is_shifted else ""}).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if bounds:
        m.fit_bounds(_latlng_bounds(bounds, basemap))
    return render(m)


def _latlng_bounds(
    bounds: tuple[float, float, float, float], basemap: Basemap, margin: float = 0.0
) -> list[list[float]]:
    """(min lon, min lat, max lon, max lat) in WGS84 as Leaflet's [[south, west], [north, east]]
    on this basemap, widened by `margin` degrees."""
    if basemap.is_shifted:
        bounds = bounds_to_gcj02(bounds)
    min_x, min_y, max_x, max_y = bounds
    return [
        [round(min_y - margin, 6), round(min_x - margin, 6)],
        [round(max_y + margin, 6), round(max_x + margin, 6)],
    ]


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _layer(data: dict, name: str, style, *, show: bool = True) -> folium.GeoJson:
    return folium.GeoJson(
        data,
        name=name,
        style_function=style,
        marker=folium.CircleMarker(radius=6, weight=1, fill=True, fill_opacity=0.85),
        on_each_feature=folium.JsCode(POPUP_JS),
        show=show,
        zoom_on_click=False,
        embed=True,
    )


def record_map(
    *,
    units: dict | None = None,
    assets: dict | None = None,
    projects: dict | None = None,
    sites: dict | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    labels: dict[str, str],
    zoom: int = 10,
) -> RenderedMap:
    """The standard public map: unit outlines, assets by kind, projects by stage, sites.

    `bounds` is (min lon, min lat, max lon, max lat); `labels` names the layers in the
    current language. On a GCJ-02 basemap (AMap) the features and bounds are shifted onto
    its streets here, at display time; the callers and the database stay in WGS84.
    """
    basemap = current_basemap()
    if basemap.is_shifted:
        units, assets, projects, sites = (
            to_gcj02(data) for data in (units, assets, projects, sites)
        )
        bounds = bounds and bounds_to_gcj02(bounds)
    m = LocalMap(location=RUIAN_CENTRE, zoom_start=zoom, basemap=basemap)
    if units:
        folium.GeoJson(
            units,
            name=labels["units"],
            style_function=lambda _f: UNIT_STYLE,
            on_each_feature=folium.JsCode(POPUP_JS),
            zoom_on_click=False,
        ).add_to(m)
    if assets:
        _layer(assets, labels["assets"], lambda f: asset_style(f["properties"]["kind"])).add_to(m)
    if projects:
        _layer(
            projects, labels["projects"], lambda f: project_style(f["properties"]["stage"])
        ).add_to(m)
    if sites:
        _layer(sites, labels["sites"], lambda _f: SITE_STYLE).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if bounds:
        min_x, min_y, max_x, max_y = bounds
        m.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return render(m)


def _shift_geometry(geometry: dict) -> dict:
    if geometry.get("type") == "GeometryCollection":
        return {**geometry, "geometries": [_shift_geometry(g) for g in geometry["geometries"]]}
    return {**geometry, "coordinates": shift_coordinates(geometry["coordinates"], wgs84_to_gcj02)}


def to_gcj02(data: dict | None) -> dict | None:
    """A copy of a FeatureCollection moved to GCJ-02; the caller's dict is left as it was."""
    if not data:
        return data
    features = [
        {**feature, "geometry": _shift_geometry(feature["geometry"])}
        if feature.get("geometry")
        else feature
        for feature in data["features"]
    ]
    return {**data, "features": features}


def bounds_to_gcj02(
    bounds: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    min_x, min_y = wgs84_to_gcj02(bounds[0], bounds[1])
    max_x, max_y = wgs84_to_gcj02(bounds[2], bounds[3])
    return (min_x, min_y, max_x, max_y)
