"""Open data: the OC4IDS project package, projects, leases and auctions as CSV and Excel."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from gis import spreadsheets
from gis.http import conditional, make_etag
from opendata import oc4ids, selectors
from trail.selectors import data_version

JSON = "application/json"


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/index.html",
        {
            "tables": [
                (name, spec.model._meta.verbose_name_plural)
                for name, spec in selectors.TABLES.items()
            ],
            "oc4ids_version": oc4ids.VERSION,
        },
    )


@require_safe
def oc4ids_projects(request: HttpRequest) -> HttpResponse:
    """Every project as one OC4IDS package; tagged by the head of the log, which dates it."""

    def build() -> HttpResponse:
        return HttpResponse(oc4ids.package_json(), content_type=JSON)

    etag = make_etag("oc4ids", oc4ids.VERSION, settings.PUBLIC_BASE_URL, data_version())
    response = conditional(request, etag, build)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def table(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """A table as CSV (streamed) or Excel; `?header=keys` gives field names and codes instead.

    Leases show rent due and arrears as of today, so the tag changes with the date too.
    """
    spec = selectors.TABLES[name]
    keys = request.GET.get("header") == "keys"
    today = timezone.localdate()

    def build() -> HttpResponse:
        header, rows = spec.header(keys=keys), spec.rows(on=today, keys=keys)
        return spreadsheets.download(name, fmt, header, rows)

    language = "keys" if keys else translation.get_language()
    etag = make_etag("open-data", name, fmt, language, today, data_version())
    response = conditional(request, etag, build, vary=("Accept-Language", "Cookie"))
    response["Access-Control-Allow-Origin"] = "*"
    return response
