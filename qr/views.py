"""The public side of electronic IDs: typing a code, the record page a scan opens, QR images."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fieldapp import selectors as field_selectors
from portal.pagecache import share_page, shared_page, shared_page_key
from portal.views import record_context, wants_interactive_map
from projects.models import Project
from qr import images, selectors, services
from qr.codes import MalformedCode
from qr.models import PlaqueJob
from registry.models import Asset
from registry.roles import Task
from registry.scoping import may
from registry.text import shown
from visits.models import Site

RECORD_TEMPLATES = {
    Asset: "portal/asset_detail.html",
    Project: "portal/project_detail.html",
    Site: "portal/site_detail.html",
}
QR_MAX_AGE = 30 * 24 * 3600  # a code and its URL never change


def _problem(request: HttpRequest, text: str, exc: Exception) -> HttpResponse:
    """The code form again, saying what is wrong with what was typed (400 or 404)."""
    malformed = isinstance(exc, MalformedCode)
    context = {
        "typed": shown(text),
        "malformed": malformed,
        "unknown": None if malformed else exc,
    }
    return render(request, "qr/code_entry.html", context, status=400 if malformed else 404)


@require_safe
def code_entry(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("code", "").strip()
    if not text:
        return render(request, "qr/code_entry.html", {})
    try:
        eid = selectors.resolve_id(text)
    except (MalformedCode, selectors.UnknownCode) as exc:
        return _problem(request, text, exc)
    return redirect("qr:record", code=eid.code)


def resolve_or_problem(request: HttpRequest, code: str, *, resolve=selectors.resolve):
    """`resolve(code)` (the ID and its record, or what another resolver gives), or the
    friendly page a mistyped or unknown code gets."""
    try:
        return resolve(code), None
    except (MalformedCode, selectors.UnknownCode) as exc:
        return None, _problem(request, code, exc)


@require_safe
def record(request: HttpRequest, code: str) -> HttpResponse:
    """The public record a plaque's QR opens. Anonymous visitors share one drawing of the page
    per version of the public record (`portal.pagecache`): a hit costs two small queries, the
    scan counter and the log's head."""
    interactive = wants_interactive_map(request)
    key = None if interactive else shared_page_key(request, f"scan:{code}")
    if (page := shared_page(key)) is not None:  # only canonical, existing codes are kept
        services.record_scan(page.meta)
        return _private(page.response(request))
    eid, problem = resolve_or_problem(request, code, resolve=selectors.resolve_id)
    if problem:
        return problem
    if code != eid.code:
        return redirect("qr:record", code=eid.code, permanent=True)
    if not interactive:  # opening the map from the page is not another scan
        services.record_scan(eid.pk)
    subject = selectors.subject_of(eid)
    context = record_context(subject, interactive=interactive) | {
        "eid": eid,
        "base_template": RECORD_TEMPLATES[type(subject)],
        "public_url": images.public_url(eid.code),
    }
    if isinstance(subject, Asset | Project):
        context |= _field_context(request, subject)
    response = render(request, "qr/record.html", context)
    share_page(key, response, meta=eid.pk)
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, max_age=0)
    return response


def _field_context(request: HttpRequest, subject: Asset | Project) -> dict:
    """The public field record, and the field buttons for staff who may record work here."""
    context = {"field": field_selectors.public_field_record(subject)}
    if may(request.user, Task.RECORD_FIELD_WORK, subject):
        context["field_kind"] = field_selectors.kind_name(subject)
    return context


def _qr_response(request: HttpRequest, code: str, render_image, content_type: str):
    found, problem = resolve_or_problem(request, code)
    if problem:
        return problem
    eid, _subject = found
    if code != eid.code:
        return redirect(request.path.replace(code, eid.code), permanent=True)
    response = HttpResponse(render_image(images.public_url(eid.code)), content_type=content_type)
    patch_cache_control(response, public=True, max_age=QR_MAX_AGE)
    return response


@require_safe
def record_of(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    """Map popups link here: the record's electronic ID page, or its plain page if it has none."""
    models = {m._meta.model_name: m for m in RECORD_TEMPLATES}
    if model not in models:
        raise Http404(_("No such record."))
    eid = selectors.code_of_pk(models[model], pk)
    if eid is not None:
        return redirect("qr:record", code=eid.code)
    if not models[model].objects.filter(pk=pk).exists():
        raise Http404(_("No such record."))
    return redirect(f"portal:{model}-detail", pk=pk)


@require_safe
def without_slash(request: HttpRequest, code: str) -> HttpResponse:
    return redirect("qr:record", code=code, permanent=True)


@require_safe
def qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    return _qr_response(request, code, images.svg, "image/svg+xml")


@require_safe
def qr_png(request: HttpRequest, code: str) -> HttpResponse:
    return _qr_response(request, code, images.png, "image/png")


def _own_job(request: HttpRequest, pk) -> PlaqueJob:
    jobs = PlaqueJob.objects.all()
    if not request.user.is_superuser:
        jobs = jobs.filter(requested_by=request.user)
    return get_object_or_404(jobs, pk=pk)


@staff_member_required
@require_safe
def plaque_job(request: HttpRequest, pk) -> HttpResponse:
    """Progress of a background plaque sheet; the page polls itself until the PDF is ready."""
    job = _own_job(request, pk)
    template = "qr/plaque_job.html#progress" if request.htmx else "qr/plaque_job.html"
    return render(request, template, {"job": job})


@staff_member_required
@require_safe
def plaque_job_download(request: HttpRequest, pk) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status != PlaqueJob.Status.DONE or not job.file:
        raise Http404(_("This sheet is not ready."))
    return FileResponse(job.file.open("rb"), as_attachment=True, filename="plaques.pdf")
