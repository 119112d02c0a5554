from django.urls import path

from trail import views as log_views

app_name = "log"
# With `portal.views.log` at "" (config/urls.py): the page that names records needs them all.
urlpatterns = [
    path("head", log_views.head, name="head"),
    path("events.jsonl", log_views.events_jsonl, name="events"),
    path("heads", log_views.heads, name="heads"),
]
