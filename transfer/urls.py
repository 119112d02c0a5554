"""Import of asset files (staff) and export of the public layers (anyone)."""

from django.urls import path, register_converter

from transfer import views


class LayerConverter:
    regex = "assets|projects|sites"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FormatConverter(LayerConverter):
    regex = r"geojson|gpkg|shp\.zip|csv|xlsx|kml|kmz"


register_converter(LayerConverter, "layer")
register_converter(FormatConverter, "exportformat")

app_name = "transfer"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:pk>/", views.import_job, name="import-job"),
    path("import/<uuid:pk>/apply/", views.import_apply, name="import-apply"),
    path("import/<uuid:pk>/columns/", views.import_columns, name="import-columns"),
    path("export/", views.export_index, name="export-index"),
    path("export/<layer:layer>.<exportformat:fmt>", views.export, name="export"),
]
