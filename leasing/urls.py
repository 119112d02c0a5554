"""Public auctions (/auctions/) and the staff screen of the auction day."""

from django.urls import path

from leasing import views as auction_views

app_name = "auctions"
urlpatterns = [
    path("auctions/", auction_views.auction_list, name="list"),
    path("auctions/<int:pk>/", auction_views.auction_detail, name="detail"),
    path("staff/auctions/<int:pk>/", auction_views.auction_day, name="day"),
]
