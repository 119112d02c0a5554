"""GeoDjango's admin map widget, served from our own static files with our basemap setting."""

from django.contrib.gis.forms.widgets import OSMWidget

from gis.basemaps import Basemap, current_basemap

OL = "vendor/ol-7.2.2"


class MapWidget(OSMWidget):
    template_name = "gis/map_widget.html"
    default_lon = 120.65
    default_lat = 27.78
    default_zoom = 11

    class Media:
        extend = False
        css = {"all": (f"{OL}/ol.css", "gis/css/ol3.css")}
        js = (f"{OL}/ol.js", "gis/js/OLMapWidget.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        basemap = current_basemap()
        # Staff must draw on WGS84: shapes drawn over GCJ-02 tiles would be stored hundreds of
        # metres off, so a shifted basemap gives way to the plain one here.
        context["basemap"] = Basemap("none") if basemap.is_shifted else basemap
        return context
