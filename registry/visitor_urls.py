"""Pages for visitors: education bases, culture sites and their routes."""

app_name = "visit"
urlpatterns: list = []
