"""Staff pages of the warnings: the list, one warning and what staff do with it."""

app_name = "alerts"
urlpatterns: list = []
