from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
    path("assets/<int:pk>/", views.asset_detail, name="asset-detail"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("places/<str:kind>/<int:pk>.svg", views.place_map, name="place-map"),
]
