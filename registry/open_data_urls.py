"""Open data downloads: OC4IDS and CSV/XLSX. Filled by the open data work."""

app_name = "open_data"
urlpatterns: list = []
