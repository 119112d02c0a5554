"""Map pages and vector tiles.

The int converters keep anything non-numeric (or negative) from ever reaching the tile view.
"""

from django.urls import path

from maps import views

app_name = "gis"
urlpatterns = [
    path("tiles/<str:layer>/<int:z>/<int:x>/<int:y>.mvt", views.tile, name="tile"),
    path("maps/", views.township_map_list, name="township-map-list"),
    path("maps/<str:code>/", views.township_map, name="township-map"),
]
