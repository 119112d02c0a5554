"""The field app's pages for station members and the township office: cases to work.

Like every field form, each action carries the phone's submission id and answers JSON when the
offline outbox replays it: 201 when stored now, 200 when it was stored before (or the case is
already where the action would take it), 400 with the reasons when refused.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fieldapp.forms import photo_uuid
from fieldapp.views import field_view, wants_json
from registry.roles import Task
from registry.scoping import ensure_may, may
from registry.text import clean
from supervision import field_forms, field_selectors, services
from supervision.models import Case, CaseMessage, CasePhoto, CaseState, RectificationTask, State

PHOTO_MAX_AGE = 24 * 3600
TASK_STATES = (State.FOUND, State.ORDERED)


def my_work_panel(request: HttpRequest, obj: object = None) -> str:
    """The "Villagers' reports" section of the field app's my work, for whoever handles cases."""
    user = request.user
    if not user.is_authenticated or not may(user, Task.HANDLE_CASES):
        return ""
    work = field_selectors.work_list(user, "open", limit=field_selectors.PANEL_LIMIT)
    return render_to_string("supervision/field/my_work_panel.html", {"work": work}, request=request)


@field_view("GET")
def case_list(request: HttpRequest) -> HttpResponse:
    ensure_may(request.user, Task.HANDLE_CASES)
    show = request.GET.get("show", "open")
    if show not in field_selectors.FILTERS:
        show = "open"
    work = field_selectors.work_list(request.user, show)
    labels = {
        "open": pgettext("cases", "Open"),
        "overdue": _("Overdue"),
        "late3": _("3× overdue"),
        "all": _("All"),
    }
    filters = [(key, labels[key], work.counts[key]) for key in field_selectors.FILTERS]
    return render(
        request,
        "supervision/field/case_list.html",
        {"work": work, "show": show, "filters": filters},
    )


@field_view("GET")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = field_selectors.case_for(request.user, pk)
    return _page(request, case)


@field_view("GET")
def case_photo(request: HttpRequest, pk: int, size: str) -> HttpResponse:
    """A case photo for its handlers only: the reporter's photos are not public unless
    published, so they are read through this check rather than from the media folder."""
    photo = CasePhoto.objects.filter(pk=pk).first()
    field_selectors.case_for(request.user, photo.case_id if photo else 0)  # else not found
    image = photo.thumbnail if size == "thumb" else photo.image
    response = FileResponse(image.open("rb"), content_type="image/jpeg")
    patch_cache_control(response, private=True, max_age=PHOTO_MAX_AGE)
    return response


# The case page and its forms ----------------------------------------------------------------


def _page(request, case: Case, *, status: int = 200, errors=(), bound=None) -> HttpResponse:
    """The case page; `bound` holds a refused form (by its key) to show as it was sent."""
    bound = bound or {}
    page = field_selectors.case_page(request.user, case)
    moves = [
        bound.get(f"move:{to}") or field_forms.MoveForm(start=case.state, to=to)
        for to in page.next_states
    ]
    merge = None
    if page.merge_into:
        merge = bound.get("merge") or field_forms.MergeForm(
            candidates=field_selectors.merge_candidates(request.user, case)
        )
    context = {
        "case": case,
        "page": page,
        "moves": moves,
        "merge_form": merge,
        "ask_form": (bound.get("ask") or field_forms.AskForm())
        if case.source == Case.Source.VILLAGER
        else None,
        "publish_form": bound.get("publish")
        or field_forms.PublishForm(
            initial={"public_text": case.public_text or case.text, "outcome": case.outcome}
        ),
        "task_form": (bound.get("task") or field_forms.TaskForm())
        if case.state in TASK_STATES
        else None,
        "evidence_form": bound.get("photos") or field_forms.EvidenceForm(),
        "geofence_m": settings.FIELD_GEOFENCE_M,
        "errors": list(errors),
    }
    return render(request, "supervision/field/case_detail.html", context, status=status)


def _form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label}: {e}" if name in form.fields and form.fields[name].label else e
        for name, errs in form.errors.items()
        for e in errs
    ]


def _refused(request, case: Case, key: str, form, errors: list[str]) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    return _page(request, case, status=400, errors=errors, bound={key: form})


def _done(request, case: Case, *, created: bool, message: str, anchor: str, **extra):
    url = reverse("supervision:field-case", args=[case.pk])
    if wants_json(request):
        body = {"status": "stored" if created else "replayed", "next": url, **extra}
        return JsonResponse(body, status=201 if created else 200)
    messages.success(request, message)
    return redirect(f"{url}#{anchor}")


def _act(
    request,
    pk: int,
    *,
    key: str,
    make_form: Callable,
    do: Callable,
) -> HttpResponse:
    """Check the form, run `do(case, form)` → (created, message, anchor, extra) and answer;
    a ValidationError from the service re-renders the page with it and writes nothing."""
    case = field_selectors.case_for(request.user, pk)
    form = make_form(case)
    if not form.is_valid():
        return _refused(request, case, key, form, _form_errors(form))
    try:
        with transaction.atomic():
            created, message, anchor, extra = do(case, form)
    except ValidationError as exc:
        return _refused(request, case, key, form, exc.messages)
    case.refresh_from_db()
    return _done(request, case, created=created, message=message, anchor=anchor, **extra)


@field_view("POST")
def case_move(request: HttpRequest, pk: int) -> HttpResponse:
    to = request.POST.get("to", "")
    to = to if to in State.values else ""

    def make_form(case):
        return field_forms.MoveForm(request.POST, start=case.state, to=to)

    def do(case, form):
        data = form.cleaned_data
        replayed = CaseState.objects.filter(client_uuid=data["client_uuid"]).exists()
        if replayed or case.state == data["to"]:
            # A replay, or a colleague made the same move first: the case is where it was sent.
            message = _("The case is “%(state)s” already.") % {"state": case.get_state_display()}
            return False, message, "state", {"state": case.state}
        moved = services.move(
            case,
            to=data["to"],
            actor=request.user,
            reason=data["reason"],
            rectify_who=data["rectify_who"],
            rectify_by=data["rectify_by"],
            outcome=data["outcome"],
            client_uuid=data["client_uuid"],
        )
        message = _("The case is now “%(state)s”.") % {"state": moved.get_state_display()}
        return True, message, "state", {"state": moved.state}

    return _act(request, pk, key=f"move:{to}", make_form=make_form, do=do)


@field_view("POST")
def case_merge(request: HttpRequest, pk: int) -> HttpResponse:
    def make_form(case):
        # Also the case it was merged into already, so a replay finds its choice valid.
        candidates = field_selectors.handled_cases(request.user).filter(
            village__parent_id=case.village.parent_id
        )
        return field_forms.MergeForm(request.POST, candidates=candidates)

    def do(case, form):
        into = form.cleaned_data["into"]
        if case.state == State.MERGED and case.merged_into_id == into.pk:
            return False, _("Merged already."), "state", {"state": case.state}
        services.merge(case, into=into, actor=request.user, reason=form.cleaned_data["reason"])
        message = _("Merged into case %(ref)s.") % {"ref": into.reference}
        return True, message, "state", {"state": State.MERGED}

    return _act(request, pk, key="merge", make_form=make_form, do=do)


@field_view("POST")
def case_ask(request: HttpRequest, pk: int) -> HttpResponse:
    def do(case, form):
        text = clean(form.cleaned_data["text"])
        asked = CaseMessage.objects.filter(
            case=case, kind=CaseMessage.Kind.QUESTION, author=request.user, text=text
        ).exists()
        if not asked:
            services.ask_reporter(case, text=text, actor=request.user)
        return not asked, _("Question sent to the reporter."), "messages", {}

    return _act(
        request,
        pk,
        key="ask",
        make_form=lambda case: field_forms.AskForm(request.POST),
        do=do,
    )


@field_view("POST")
def case_publish(request: HttpRequest, pk: int) -> HttpResponse:
    def do(case, form):
        before = (case.public_text, case.outcome)
        case = services.publish(
            case,
            public_text=form.cleaned_data["public_text"],
            outcome=form.cleaned_data["outcome"],
            actor=request.user,
        )
        changed = (case.public_text, case.outcome) != before
        return changed, _("What the public reads is saved."), "publish", {}

    return _act(
        request,
        pk,
        key="publish",
        make_form=lambda case: field_forms.PublishForm(request.POST),
        do=do,
    )


@field_view("POST")
def case_task(request: HttpRequest, pk: int) -> HttpResponse:
    def do(case, form):
        data = form.cleaned_data
        text, who = clean(data["text"]), clean(data["who"])
        added = RectificationTask.objects.filter(
            case=case, text=text, who=who, due_on=data["due_on"]
        ).exists()
        if not added:
            services.add_task(case, text=text, who=who, due_on=data["due_on"], actor=request.user)
        return not added, _("Rectification task added."), "tasks", {}

    return _act(
        request,
        pk,
        key="task",
        make_form=lambda case: field_forms.TaskForm(request.POST),
        do=do,
    )


@field_view("POST")
def case_photos(request: HttpRequest, pk: int) -> HttpResponse:
    def do(case, form):
        submission = form.cleaned_data["client_uuid"]
        confirmed, created = [], False
        for index, upload in enumerate(form.cleaned_data["photos"]):
            data = upload.read()
            client_uuid = photo_uuid(submission, index)
            created |= not CasePhoto.objects.filter(client_uuid=client_uuid).exists()
            try:
                services.add_evidence_photo(
                    case,
                    data,
                    purpose=form.cleaned_data["purpose"],
                    actor=request.user,
                    client_uuid=client_uuid,
                )
            except ValidationError as exc:
                raise ValidationError([f"{upload.name}: {m}" for m in exc.messages]) from exc
            # The outbox deletes its copy once the server confirms each photo by its SHA-256.
            confirmed.append(
                {"client_uuid": str(client_uuid), "sha256": hashlib.sha256(data).hexdigest()}
            )
        message = _("%(count)s photos stored.") % {"count": len(confirmed)}
        return created, message, "photos", {"photos": confirmed}

    return _act(
        request,
        pk,
        key="photos",
        make_form=lambda case: field_forms.EvidenceForm(request.POST, request.FILES),
        do=do,
    )
