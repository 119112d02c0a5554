"""The field app's case pages for station members and the township office."""

urlpatterns: list = []
