"""Map pages and vector tiles (filled in by the tiles work)."""

app_name = "gis"
urlpatterns: list = []
