from django.contrib.auth.views import LogoutView
from django.urls import path

from fieldapp import views

app_name = "fieldapp"

urlpatterns = [
    path("", views.my_work, name="my-work"),
    path("login/", views.FieldLogin.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="fieldapp:login"), name="logout"),
    path("nearby/", views.nearby, name="nearby"),
    path("scan/", views.scan, name="scan"),
    path("<str:kind>/<int:pk>/", views.subject, name="subject"),
    path("<str:kind>/<int:pk>/inspect/<int:checklist>/", views.inspect, name="inspect"),
    path("<str:kind>/<int:pk>/photos/", views.photos, name="photos"),
    path("<str:kind>/<int:pk>/note/", views.note, name="note"),
    path("project/<int:pk>/progress/", views.progress, name="progress"),
    path("inspection/<uuid:client_uuid>/", views.inspection_done, name="inspection-done"),
    path("progress/<uuid:client_uuid>/", views.progress_done, name="progress-done"),
    path("follow-up/<int:pk>/close/", views.close_follow_up, name="follow-up-close"),
    path("photo/<int:pk>/<str:size>.jpg", views.public_photo, name="public-photo"),
]
