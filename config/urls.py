from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from registry.api import AssetViewSet, ProjectViewSet

router = DefaultRouter()
router.register("assets", AssetViewSet, basename="asset")
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include(router.urls)),
    path("e/", include("qr.urls")),
    path("visit/", include("registry.visitor_urls")),
    path("transfer/", include("gis.transfer_urls")),
    path("", include("gis.urls")),
    path("", include("registry.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
