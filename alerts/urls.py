"""Staff pages of the warnings: the list, one warning and what staff do with it."""

from django.urls import path

from alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("<int:pk>/", views.alert_detail, name="alert-detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="alert-acknowledge"),
    path("<int:pk>/dismiss/", views.dismiss, name="alert-dismiss"),
    path("<int:pk>/action/", views.record_action, name="alert-action"),
    path("<int:pk>/case/", views.open_case, name="alert-case"),
]
