"""The dashboards for townships and the city, and their public version."""

from django.urls import path, re_path

from alerts import dashboard_views as views

app_name = "dashboard"
CHART_FILE = r"(?P<chart>[a-z0-9-]+)\.(?P<fmt>csv|xlsx)$"
urlpatterns = [
    path("", views.public, name="public"),
    path("staff/", views.staff, name="staff"),
    re_path(rf"^staff/{CHART_FILE}", views.staff_download, name="staff-download"),
    re_path(rf"^{CHART_FILE}", views.public_download, name="download"),
]
