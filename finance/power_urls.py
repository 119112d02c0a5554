"""The power list's public pages, under /finance/powers/ (namespace "finance")."""

from django.urls import path

from finance import power_views

urlpatterns = [
    path("", power_views.power_list, name="power-list"),
    path("risks/", power_views.power_risks, name="power-risks"),
    path("<int:number>/", power_views.power_item, name="power-item"),
    path("<int:number>.svg", power_views.power_flowchart, name="power-flowchart"),
]
