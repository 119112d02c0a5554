"""Pages for visitors: education bases, culture sites and their routes."""

from django.urls import path

from visits import views as visitor_views

app_name = "visit"
urlpatterns = [
    path("", visitor_views.site_list, name="sites"),
    path("routes/<int:pk>/", visitor_views.route_detail, name="route-detail"),
    path("routes/<int:pk>.gpx", visitor_views.route_gpx, name="route-gpx"),
    path("routes/<int:pk>.geojson", visitor_views.route_geojson, name="route-geojson"),
]
