"""GeoDjango's admin map widget, served from our own static files with our basemap setting.

Django renders widget templates without the request, so the widget cannot carry the CSP nonce
of an inline script: its options go into the page as JSON (`json_script`) and
static/js/map_widget.js starts each map from them, as Django 6 does for its own widget.
"""

from django.contrib.gis.forms.widgets import OSMWidget
from django.utils.translation import gettext as _

from gis.basemaps import Basemap, current_basemap

OL = "vendor/ol-7.2.2"
# What the widget draws around a record (static/js/map_widget.js) and the key under it.
SURROUNDINGS_COLOURS = {"unit": "#1e293b", "others": "#64748b"}


class MapWidget(OSMWidget):
    template_name = "gis/map_widget.html"
    default_lon = 120.65
    default_lat = 27.78
    default_zoom = 11
    # Where the map finds what surrounds the record, set by the admin (registry.admin): `url`
    # answers GeoJSON `unit` and `others` for `?unit=<id>&exclude=<id>`; the unit is the value
    # of the form field `unit_input`, else `unit`; `exclude` is the record being edited.
    surroundings: dict | None = None

    class Media:
        extend = False
        css = {"all": (f"{OL}/ol.css", "gis/css/ol3.css", "css/map_widget.css")}
        js = (f"{OL}/ol.js", "gis/js/OLMapWidget.js", "js/map_widget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        basemap = current_basemap()
        # Staff must draw on WGS84: shapes drawn over GCJ-02 tiles would be stored hundreds of
        # metres off, so a shifted basemap gives way to the plain one here.
        if basemap.is_shifted:
            basemap = Basemap("none")
        context["widget_options"] = {
            "geom_name": context["geom_type"],
            "id": context["id"],
            "map_id": f"{context['id']}_map",
            "map_srid": context["map_srid"],
            "name": context["name"],
            "module": context["module"],
            "default_lon": context["default_lon"],
            "default_lat": context["default_lat"],
            "default_zoom": context["default_zoom"],
            "base_layers": [
                {
                    "url": layer.url.replace("{s}", layer.subdomains[:1]),
                    "attribution": layer.attribution,
                }
                for layer in basemap.layers
            ],
            "surroundings": self.surroundings
            and {**self.surroundings, "colours": SURROUNDINGS_COLOURS},
            # OpenLayers names its buttons in English; the page's language names them here.
            "control_titles": {
                ".ol-zoom-in": _("Zoom in"),
                ".ol-zoom-out": _("Zoom out"),
                ".ol-rotate-reset": _("Reset rotation"),
                ".ol-attribution button": _("Attributions"),
            },
        }
        context["widget_options_id"] = f"{context['id']}_options"
        return context
