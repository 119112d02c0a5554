"""Public auctions (/auctions/) and the staff screens of the auction day. Filled by the auctions work."""

app_name = "auctions"
urlpatterns: list = []
