"""Public maps built with folium, loading only Leaflet and our own CSS from our static files.

folium's stock Map pulls jQuery, Bootstrap and Font Awesome from CDNs and styles the whole
page as a full-screen map; `LocalMap` keeps only what a phone needs and embeds in a page.
"""

from dataclasses import dataclass

import folium
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from folium.template import Template

from gis.basemaps import Basemap, current_basemap

LEAFLET = "vendor/leaflet-1.9.4"
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

# A popup made with textContent, never innerHTML, so names can't inject markup.
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
    layer.bindTooltip(p.name, {sticky: true});
}
"""


class LocalMap(folium.Map):
    """A Leaflet map that embeds in our pages and loads nothing from a CDN."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>#{{ this.get_name() }} {position: relative; width: 100%; height: 100%;}</style>
            <script>L_NO_TOUCH = false; L_DISABLE_3D = false;</script>
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
    current language.
    """
    m = LocalMap(location=RUIAN_CENTRE, zoom_start=zoom)
    if units:
        folium.GeoJson(
            units,
            name=labels["units"],
            style_function=lambda _f: UNIT_STYLE,
            on_each_feature=folium.JsCode(POPUP_JS),
            zoom_on_click=False,
        ).add_to(m)
    if assets:
        _layer(
            assets,
            labels["assets"],
            lambda f: {
                "color": KIND_COLOURS.get(f["properties"]["kind"], "#334155"),
                "fillColor": KIND_COLOURS.get(f["properties"]["kind"], "#334155"),
                "weight": 1,
                "fillOpacity": 0.55,
            },
        ).add_to(m)
    if projects:
        _layer(
            projects,
            labels["projects"],
            lambda f: {
                "color": "#ffffff",
                "fillColor": STAGE_COLOURS.get(f["properties"]["stage"], "#334155"),
                "weight": 2,
                "fillOpacity": 0.95,
            },
        ).add_to(m)
    if sites:
        _layer(
            sites,
            labels["sites"],
            lambda _f: {"color": "#ffffff", "fillColor": "#b91c1c", "weight": 2, "fillOpacity": 1},
        ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if bounds:
        min_x, min_y, max_x, max_y = bounds
        m.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return render(m)
