"""Import and export pages: staff upload asset files, anyone downloads the public layers."""

import contextlib
import logging
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gis.http import conditional, make_etag
from registry.http import HtmxHttpRequest
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import ensure_may
from trail.selectors import data_version
from transfer import exporters, importers
from transfer import services as transfer_services
from transfer.forms import ImportForm
from transfer.models import ImportJob

logger = logging.getLogger(__name__)
RECENT_JOBS = 5


def importer_required(view: Callable) -> Callable:
    """Those who may import assets (registry.roles); a visitor is sent to log in, anyone else
    refused (403). The village chosen is then limited to the user's units, and every row is
    saved through the services, which ask again."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        ensure_may(request.user, Task.IMPORT_ASSETS)
        return view(request, *args, **kwargs)

    return wrapped


@importer_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HtmxHttpRequest) -> HttpResponse:
    """Upload a file; small files are checked at once, larger ones in the background."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = transfer_services.create_import_job(
            form.cleaned_data["file"],
            village=form.cleaned_data["village"],
            actor=request.user,
            default_kind=form.cleaned_data["kind"],
            srid=form.cleaned_data["srid"],
        )
        transfer_services.check_import(job)
        return redirect("transfer:import-job", pk=job.pk)
    context = {
        "form": form,
        "recent": ImportJob.objects.filter(requested_by=request.user).select_related("village")[
            :RECENT_JOBS
        ],
        "max_mb": importers.megabytes(importers.max_bytes()),
        "max_rows": importers.max_rows(),
        "columns": importers.column_help(),
    }
    return render(request, "transfer/import.html", context, status=400 if form.errors else 200)


def _own_job(request: HttpRequest, pk) -> ImportJob:
    jobs = ImportJob.objects.select_related("village", "village__parent")
    if not request.user.is_superuser:
        jobs = jobs.filter(requested_by=request.user)
    return get_object_or_404(jobs, pk=pk)


@importer_required
@require_safe
def import_job(request: HtmxHttpRequest, pk) -> HttpResponse:
    """A job's progress, then its report; the page polls itself while the job runs."""
    job = _own_job(request, pk)
    template = "transfer/import_job.html#progress" if request.htmx else "transfer/import_job.html"
    context = {"job": job, "report": job.report, "fields": importers.field_choices()}
    return render(request, template, context)


@importer_required
@require_POST
def import_apply(request: HtmxHttpRequest, pk) -> HttpResponse:
    """Import a checked file; the job page then shows the import's progress and report."""
    job = _own_job(request, pk)
    with contextlib.suppress(ValidationError):  # applied already, or nothing to apply:
        transfer_services.apply_import(job)  # the job page says which
    return redirect("transfer:import-job", pk=job.pk)


@importer_required
@require_POST
def import_columns(request: HtmxHttpRequest, pk) -> HttpResponse:
    """Check the file again with the columns read as chosen on the report (no new upload)."""
    job = _own_job(request, pk)
    prefix = "column:"
    chosen = {
        key.removeprefix(prefix): value
        for key, value in request.POST.items()
        if key.startswith(prefix)
    }
    try:
        transfer_services.choose_columns(job, chosen)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("transfer:import-job", pk=job.pk)


@require_safe
def export_index(request: HtmxHttpRequest) -> HttpResponse:
    """Links to every layer in every format, for all units or the chosen one."""
    units = AdminUnit.objects.exclude(level=AdminUnit.Level.CITY).select_related("parent")
    chosen = request.GET.get("unit", "")
    unit = next((u for u in units if u.code == chosen), None)
    query = ""
    if unit is not None:
        key = "village" if unit.level == AdminUnit.Level.VILLAGE else "township"
        query = f"?{key}={unit.code}"
    return render(
        request,
        "transfer/export.html",
        {
            "units": units,
            "unit": unit,
            "query": query,
            "layers": [
                ("assets", _("Collective assets")),
                ("projects", _("Small projects")),
                ("sites", _("Education and culture sites")),
            ],
            "formats": [
                ("geojson", "GeoJSON"),
                ("gpkg", "GeoPackage"),
                ("shp.zip", "Shapefile (zip)"),
                ("csv", "CSV"),
                ("xlsx", "Excel"),
                ("kml", "KML"),
                ("kmz", "KMZ"),
            ],
        },
    )


@require_safe
def export(request: HttpRequest, layer: str, fmt: str) -> HttpResponse:
    """A public layer as a file; public fields only, cached by the version of the record."""
    spec = exporters.LAYERS[layer]
    filters = {name: request.GET.get(name, "").strip() for name in ("village", "township", "kind")}
    for name in ("village", "township"):
        if filters[name] and not AdminUnit.objects.filter(code=filters[name]).exists():
            raise Http404(
                _("No admin unit has the division code %(code)s.") % {"code": filters[name]}
            )
    if filters["kind"] and filters["kind"] not in spec.kind_values():
        return HttpResponseBadRequest(
            _("Unknown kind “%(kind)s”; use one of %(kinds)s.")
            % {"kind": filters["kind"], "kinds": ", ".join(spec.kind_values())}
        )
    parts = [f"{v}" for v in filters.values() if v]
    filename = "-".join([layer, *parts]) + f".{fmt}"

    def build() -> HttpResponse:
        try:
            body = exporters.export(layer, fmt, **filters)
        except exporters.ExportFailed:
            logger.exception("Export of %s as %s failed", layer, fmt)
            return HttpResponse(_("The file could not be written; try again later."), status=503)
        response = HttpResponse(body, content_type=exporters.FORMATS[fmt])
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response

    etag = make_etag("export", layer, fmt, *filters.values(), data_version())
    response = conditional(request, etag, build)
    if response.status_code >= 500:
        response["Cache-Control"] = "no-store"
    return response
