"""The field app's case pages for station members and the township office, under /field/cases/
(mounted before the field app's own /field/<kind>/<pk>/ pages)."""

from django.urls import path

from supervision import field_views as views

urlpatterns = [
    path("field/cases/", views.case_list, name="field-case-list"),
    path("field/cases/<int:pk>/", views.case_detail, name="field-case"),
    path("field/cases/<int:pk>/move/", views.case_move, name="field-case-move"),
    path("field/cases/<int:pk>/merge/", views.case_merge, name="field-case-merge"),
    path("field/cases/<int:pk>/ask/", views.case_ask, name="field-case-ask"),
    path("field/cases/<int:pk>/publish/", views.case_publish, name="field-case-publish"),
    path("field/cases/<int:pk>/task/", views.case_task, name="field-case-task"),
    path("field/cases/<int:pk>/photos/", views.case_photos, name="field-case-photos"),
    path(
        "field/cases/photo/<int:pk>.jpg",
        views.case_photo,
        {"size": "full"},
        name="field-case-photo",
    ),
    path(
        "field/cases/photo/<int:pk>-thumb.jpg",
        views.case_photo,
        {"size": "thumb"},
        name="field-case-thumb",
    ),
]
