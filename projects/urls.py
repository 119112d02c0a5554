from django.urls import path

from projects import views as staff_views

app_name = "staff"
urlpatterns = [
    path("projects/", staff_views.project_list, name="projects"),
    path("projects/<int:pk>/", staff_views.project_procedure, name="project"),
    path("documents/<int:pk>/", staff_views.document_file, name="document"),
    path("documents/<int:pk>/check", staff_views.document_check, name="document-check"),
]
