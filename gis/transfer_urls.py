"""Import and export of layers (filled in by the import/export work)."""

app_name = "transfer"
urlpatterns: list = []
