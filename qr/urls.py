from django.urls import path

from qr import views

app_name = "qr"
urlpatterns = [
    path("", views.code_entry, name="entry"),
    path("<str:code>", views.record, name="record"),
    path("<str:code>/qr.svg", views.qr_svg, name="qr-svg"),
    path("<str:code>/qr.png", views.qr_png, name="qr-png"),
    path("<str:code>/report/", views.report, name="report"),
    path("<str:code>/", views.without_slash),
]
