"""The field app for staff phones: my work, nearby records, and the forms that record field work.

Views only translate between HTTP and the services. Each form answers JSON when asked
(`Accept: application/json`), because the phone's offline outbox replays forms that way and needs
to know whether a submission was stored now (201) or before (200).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from fieldapp import forms, selectors, services
from fieldapp.models import Photo
from projects import procedure
from projects.models import Project, Stage
from registry.roles import Task
from registry.scoping import may

LOGIN_URL = "fieldapp:login"
PHOTO_MAX_AGE = 7 * 24 * 3600


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def field_view(*methods: str):
    """Login required (to the field login page), methods declared, and a refused write answered
    as a 403 page or JSON instead of Django's bare 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                text = str(exc) or _("You may not do this.")
                if wants_json(request):
                    return JsonResponse({"error": text}, status=403)
                return render(request, "fieldapp/forbidden.html", {"reason": text}, status=403)

        # A read-only page answers HEAD too (link checkers, monitors); a form page does not,
        # since its view would take HEAD for a POST.
        allowed = [*methods, "HEAD"] if methods == ("GET",) else list(methods)
        return login_required(require_http_methods(allowed)(wrapper), login_url=LOGIN_URL)

    return decorate


def _stored(request, created: bool, url: str, photos=(), **extra) -> HttpResponse:
    if wants_json(request):
        body = {"status": "stored" if created else "replayed", "next": url, **extra}
        if photos:
            body["photos"] = [
                {"client_uuid": str(p.client_uuid), "sha256": p.sha256} for p in photos
            ]
        return JsonResponse(body, status=201 if created else 200)
    return redirect(url)


def _refused(request, template: str, context: dict, errors: list[str]) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    return render(request, template, context | {"errors": errors}, status=400)


def _form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label}: {e}" if name != "__all__" and form.fields[name].label else e
        for name, errs in form.errors.items()
        for e in errs
    ]


def _add_photos(subject, request, form_uuid, uploads, **kwargs) -> list[tuple[Photo, bool]]:
    """Store each upload; a refused file names itself so the inspector knows which one."""
    stored = []
    for index, upload in enumerate(uploads):
        try:
            stored.append(
                services.add_photo(
                    subject,
                    actor=request.user,
                    data=upload.read(),
                    client_uuid=forms.photo_uuid(form_uuid, index),
                    **kwargs,
                )
            )
        except ValidationError as exc:
            raise ValidationError([f"{upload.name}: {m}" for m in exc.messages]) from exc
    return stored


def _subject_url(subject) -> str:
    return reverse("fieldapp:subject", args=[selectors.kind_name(subject), subject.pk])


def _plaque_urls(work: selectors.MyWork) -> dict[str, str]:
    """Plaque code -> field page of each record of my work: the scanner opens these without a
    connection, from the pages the service worker keeps."""
    return {
        code: reverse("fieldapp:subject", args=[kind, pk])
        for code, (kind, pk) in selectors.plaque_codes(work).items()
    }


class FieldLogin(LoginView):
    """The ordinary login, asking for a username or a mobile number, landing on my work."""

    template_name = "fieldapp/login.html"
    authentication_form = forms.FieldLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("fieldapp:my-work")


@field_view("GET")
def my_work(request: HttpRequest) -> HttpResponse:
    work = selectors.my_work(request.user)
    return render(
        request, "fieldapp/my_work.html", {"work": work, "plaque_urls": _plaque_urls(work)}
    )


@field_view("GET")
def scan(request: HttpRequest) -> HttpResponse:
    """The plaque scanner. It reads codes in the browser; my work's codes open their field
    pages even offline, any other code opens its public page (with the field buttons for
    whoever may record work there)."""
    work = selectors.my_work(request.user)
    return render(request, "fieldapp/scan.html", {"plaque_urls": _plaque_urls(work)})


@field_view("GET")
def nearby(request: HttpRequest) -> HttpResponse:
    form = forms.NearbyForm(request.GET or None)
    rows = None
    if form.is_valid():
        rows = selectors.nearby(request.user, form.cleaned_data["lon"], form.cleaned_data["lat"])
    context = {"form": form, "rows": rows}
    template = "fieldapp/nearby.html#results" if request.htmx else "fieldapp/nearby.html"
    return render(request, template, context)


@field_view("GET")
def subject(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = selectors.subject_in_scope(request.user, kind, pk)
    follow_ups = list(selectors.open_follow_ups(record))
    return render(
        request,
        "fieldapp/subject.html",
        {
            "subject": record,
            "kind": kind,
            "checklists": services.checklists_for(record),
            "follow_ups": [(f, forms.CloseFollowUpForm(prefix=f"f{f.pk}")) for f in follow_ups],
        },
    )


@field_view("GET", "POST")
def inspect(request: HttpRequest, kind: str, pk: int, checklist: int) -> HttpResponse:
    record = selectors.subject_in_scope(request.user, kind, pk)
    chosen = get_object_or_404(services.checklists_for(record), pk=checklist)
    items = list(chosen.items.all())
    initial = {"stage_seen": record.stage} if isinstance(record, Project) else {}
    form = forms.InspectionForm(
        request.POST or None, request.FILES or None, items=items, initial=initial
    )
    context = {"subject": record, "kind": kind, "checklist": chosen, "form": form}
    if request.method == "GET":
        return render(request, "fieldapp/inspect.html", context)
    if not form.is_valid():
        return _refused(request, "fieldapp/inspect.html", context, _form_errors(form))
    uploads = form.photos()
    try:
        with services.track_new_files(), transaction.atomic():
            inspection, created = services.record_inspection(
                record,
                actor=request.user,
                checklist=chosen,
                answers=form.answers(),
                client_uuid=form.cleaned_data["client_uuid"],
                made_at=form.cleaned_data.get("made_at"),
                location=form.location(),
                note=form.cleaned_data["note"],
                stage_seen=form.cleaned_data.get("stage_seen", ""),
                photo_item_ids=frozenset(item.pk for item, _upload in uploads),
            )
            stored = _add_photos(
                record,
                request,
                inspection.client_uuid,
                [upload for _item, upload in uploads],
                purpose=Photo.Purpose.INSPECTION,
                made_at=form.cleaned_data.get("made_at"),
                inspection=inspection,
                caption=chosen.name,
            )
    except ValidationError as exc:
        return _refused(request, "fieldapp/inspect.html", context, exc.messages)
    return _stored(
        request,
        created,
        reverse("fieldapp:inspection-done", args=[inspection.client_uuid]),
        photos=[photo for photo, _created in stored],
        follow_ups=inspection.failed_count,
    )


@field_view("GET")
def inspection_done(request: HttpRequest, client_uuid) -> HttpResponse:
    inspection = selectors.inspection_in_scope(request.user, client_uuid)
    return render(
        request,
        "fieldapp/inspection_done.html",
        {
            "inspection": inspection,
            "subject": inspection.subject,
            "kind": selectors.kind_name(inspection.subject),
        },
    )


@field_view("GET", "POST")
def photos(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = selectors.subject_in_scope(request.user, kind, pk)
    form = forms.PhotosForm(request.POST or None, request.FILES or None)
    context = {"subject": record, "kind": kind, "form": form}
    if request.method == "GET":
        return render(request, "fieldapp/photos.html", context)
    if not form.is_valid():
        return _refused(request, "fieldapp/photos.html", context, _form_errors(form))
    try:
        with services.track_new_files(), transaction.atomic():
            stored = _add_photos(
                record,
                request,
                form.cleaned_data["client_uuid"],
                form.cleaned_data["photos"],
                purpose=Photo.Purpose.PROGRESS,
                made_at=form.cleaned_data.get("made_at"),
                caption=form.cleaned_data["caption"],
                public=form.cleaned_data["public"],
            )
    except ValidationError as exc:
        return _refused(request, "fieldapp/photos.html", context, exc.messages)
    created = any(c for _photo, c in stored)
    if created and not wants_json(request):
        messages.success(request, _("%(count)s photos stored.") % {"count": len(stored)})
    return _stored(request, created, _subject_url(record), photos=[p for p, _c in stored])


@field_view("GET", "POST")
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.subject_in_scope(request.user, "project", pk)
    form = forms.ProgressForm(
        request.POST or None,
        request.FILES or None,
        initial={"stage_seen": record.stage, "percent": record.progress_percent},
    )
    following = procedure.next_stage(record)
    may_move = may(request.user, Task.RUN_PROCEDURE, record) or (
        following in procedure.FIELD_STAGE_MOVES
        and may(request.user, Task.OPEN_ACCEPTANCE_FROM_SITE, record)
    )
    context = {
        "subject": record,
        "kind": "project",
        "form": form,
        "next_stage": following if may_move else None,
    }
    if request.method == "GET":
        return render(request, "fieldapp/progress.html", context)
    if not form.is_valid():
        return _refused(request, "fieldapp/progress.html", context, _form_errors(form))
    seen = form.cleaned_data["stage_seen"]
    advance_to = Stage(seen).following if form.cleaned_data["advance"] else None
    try:
        with services.track_new_files(), transaction.atomic():
            stored = _add_photos(
                record,
                request,
                form.cleaned_data["client_uuid"],
                form.cleaned_data["photos"],
                purpose=Photo.Purpose.PROGRESS,
                made_at=form.cleaned_data.get("made_at"),
                caption=form.cleaned_data["caption"],
            )
            report, created = services.report_progress(
                record,
                actor=request.user,
                client_uuid=form.cleaned_data["client_uuid"],
                made_at=form.cleaned_data.get("made_at"),
                percent=form.cleaned_data["percent"],
                stage_seen=seen,
                advance_to=advance_to or "",
                evidence=[photo for photo, _created in stored],
            )
    except ValidationError as exc:
        return _refused(request, "fieldapp/progress.html", context, exc.messages)
    return _stored(
        request,
        created,
        reverse("fieldapp:progress-done", args=[report.client_uuid]),
        photos=[p for p, _c in stored],
        conflict=report.conflict,
    )


@field_view("GET")
def progress_done(request: HttpRequest, client_uuid) -> HttpResponse:
    report = selectors.progress_in_scope(request.user, client_uuid)
    return render(
        request,
        "fieldapp/progress_done.html",
        {"report": report, "subject": report.subject, "kind": "project"},
    )


@field_view("GET", "POST")
def note(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = selectors.subject_in_scope(request.user, kind, pk)
    form = forms.NoteForm(request.POST or None, request.FILES or None)
    context = {"subject": record, "kind": kind, "form": form}
    if request.method == "GET":
        return render(request, "fieldapp/note.html", context)
    if not form.is_valid():
        return _refused(request, "fieldapp/note.html", context, _form_errors(form))
    try:
        with services.track_new_files(), transaction.atomic():
            note, created = services.write_note(
                record,
                actor=request.user,
                text=form.cleaned_data["text"],
                public=form.cleaned_data["public"],
                client_uuid=form.cleaned_data["client_uuid"],
                made_at=form.cleaned_data.get("made_at"),
            )
            stored = _add_photos(
                record,
                request,
                form.cleaned_data["client_uuid"],
                form.cleaned_data["photos"],
                purpose=Photo.Purpose.NOTE,
                made_at=form.cleaned_data.get("made_at"),
                public=note.public,
                caption=note.text[:200],
            )
    except ValidationError as exc:
        return _refused(request, "fieldapp/note.html", context, exc.messages)
    if created and not wants_json(request):
        messages.success(request, _("Note stored."))
    return _stored(request, created, _subject_url(record), photos=[p for p, _c in stored])


@field_view("POST")
def close_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_in_scope(request.user, pk)
    form = forms.CloseFollowUpForm(request.POST, request.FILES, prefix=f"f{follow_up.pk}")
    record = follow_up.subject
    context = {"subject": record, "kind": selectors.kind_name(record), "follow_up": follow_up}
    context["form"] = form
    if not form.is_valid():
        return _refused(request, "fieldapp/close_follow_up.html", context, _form_errors(form))
    was_open = follow_up.status == follow_up.Status.OPEN
    try:
        with services.track_new_files(), transaction.atomic():
            services.close_follow_up(
                follow_up, actor=request.user, evidence=form.cleaned_data["evidence"]
            )
            stored = _add_photos(
                record,
                request,
                form.cleaned_data["client_uuid"],
                form.cleaned_data["photos"],
                purpose=Photo.Purpose.EVIDENCE,
                made_at=form.cleaned_data.get("made_at"),
                follow_up=follow_up,
                caption=follow_up.item.text,
            )
    except ValidationError as exc:
        return _refused(request, "fieldapp/close_follow_up.html", context, exc.messages)
    if was_open and not wants_json(request):
        messages.success(request, _("Follow-up closed."))
    return _stored(request, was_open, _subject_url(record), photos=[p for p, _c in stored])


@require_safe
def public_photo(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    """A public photo's EXIF-free copy. Served by us, not from the media folder, because the
    originals beside it keep the phone's EXIF and must never be reachable."""
    photo = Photo.objects.filter(pk=pk, public=True).only("public_image", "thumbnail").first()
    if photo is None or size not in ("thumb", "full"):
        raise Http404(_("No such photo."))
    image = photo.thumbnail if size == "thumb" else photo.public_image
    response = FileResponse(image.open("rb"), content_type="image/jpeg")
    patch_cache_control(response, public=True, max_age=PHOTO_MAX_AGE)
    return response
