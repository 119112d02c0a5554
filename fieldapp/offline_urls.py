"""The field app's offline support, mounted at /field/ before the field pages."""

from django.urls import path

from fieldapp import offline

app_name = "fieldapp-offline"

urlpatterns = [
    path("sw.js", offline.service_worker, name="sw"),
    path("offline/", offline.offline_page, name="offline"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("outbox-probe/", offline.outbox_probe, name="probe"),
]
