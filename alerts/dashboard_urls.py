"""The dashboards for townships and the city, and their public version."""

app_name = "dashboard"
urlpatterns: list = []
