from django.urls import path

from qr import views

app_name = "qr"
urlpatterns = [
    path("", views.code_entry, name="entry"),
    path("of/<str:model>/<int:pk>/", views.record_of, name="record-of"),
    path("plaques/<uuid:pk>/", views.plaque_job, name="plaque-job"),
    path("plaques/<uuid:pk>/plaques.pdf", views.plaque_job_download, name="plaque-job-download"),
    path("<str:code>", views.record, name="record"),
    path("<str:code>/qr.svg", views.qr_svg, name="qr-svg"),
    path("<str:code>/qr.png", views.qr_png, name="qr-png"),
    path("<str:code>/", views.without_slash),
]
