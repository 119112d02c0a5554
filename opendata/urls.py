"""Open data downloads: the OC4IDS project package and tables as CSV and Excel."""

from django.urls import path, re_path

from opendata import views

app_name = "open_data"
urlpatterns = [
    path("data/", views.index, name="index"),
    re_path(
        r"^data/(?P<name>projects|leases|auctions)\.(?P<fmt>csv|xlsx)$",
        views.table,
        name="table",
    ),
    path("api/oc4ids/projects.json", views.oc4ids_projects, name="oc4ids-projects"),
]
