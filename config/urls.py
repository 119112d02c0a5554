from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from alerts import api as alerts_api
from finance import api as finance_api
from leasing import api as leasing_api
from portal import views as portal_views
from projects import api as projects_api
from registry.api import AssetViewSet, UnitViewSet
from supervision import api as supervision_api
from trail.urls import urlpatterns as log_urls
from visits.api import RouteViewSet, SiteViewSet

router = DefaultRouter()
router.register("assets", AssetViewSet, basename="asset")
router.register("projects", projects_api.ProjectViewSet, basename="project")
router.register("sites", SiteViewSet, basename="site")
router.register("routes", RouteViewSet, basename="route")
router.register("units", UnitViewSet, basename="unit")
leasing_api.register(router)
projects_api.register(router)
supervision_api.register(router)
alerts_api.register(router)
finance_api.register(router)

urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, the API docs).
    path("favicon.ico", RedirectView.as_view(url=lazy(static_url, str)("img/favicon.svg"))),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch is on every page. It carries no CSRF token, so that a page can be the
    # same for every visitor and cached (a plaque scanned by a crowd): the worst a forged
    # request can do is change a visitor's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start-up script comes from its own URL (?script) and ReDoc's page loads no
    # fonts from Google: both pages work under the Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("api/token/", obtain_auth_token, name="api-token"),
    path("", include("opendata.urls")),
    path("api/", include(router.urls)),
    # Before qr's and the field app's: /e/<code>/report/ and /field/cases/ are supervision's.
    path("", include("supervision.urls")),
    path("alerts/", include("alerts.urls")),
    path("dashboard/", include("alerts.dashboard_urls")),
    path("", include("finance.urls")),
    path("e/", include("qr.urls")),
    path("log/", include(([path("", portal_views.log, name="browse"), *log_urls], "log"))),
    path("field/", include("fieldapp.offline_urls")),
    path("field/", include("fieldapp.urls")),
    path("visit/", include("visits.urls")),
    path("transfer/", include("transfer.urls")),
    path("staff/", include("projects.urls")),
    path("", include("leasing.urls")),
    path("", include("maps.urls")),
    path("", include("portal.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
