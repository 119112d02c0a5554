"""Staff pages of the warnings: the list of a user's units, one warning with its evidence and
history, and what staff do with it (acknowledge, dismiss with a reason, record what was done,
turn it into a case). Thin: `alerts.services` decides and logs; these pages translate HTTP.

Whoever may not handle warnings gets a 403 saying who does; a warning outside the user's
units is a 404. A form sent twice (two phones, a double tap) is answered as the services answer
it: acknowledging or opening the case again changes nothing, dismissing a dismissed warning
says it is dismissed already. A refusal shows the form again with the reason (400), never a 500.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from alerts import forms, selectors, services
from alerts.filtersets import ACTIVE, ALL, AlertFilterSet, rule_choices
from alerts.models import ACTIVE_STATES, Alert, AlertState, Level
from alerts.rules import get_rule
from registry.form_errors import form_errors
from registry.http import HtmxHttpRequest, filter_chips, filter_errors, paged
from registry.models import AdminUnit
from registry.roles import Task, public_actor
from registry.scoping import ensure_may, may, unit_ids_in_scope

ALERTS_PER_PAGE = 25
VILLAGE_CHIPS_MAX = 12  # more villages than this: choose a township first


def ensure_handles(user) -> None:
    """PermissionDenied, saying who does, for a user whose role does not handle warnings."""
    ensure_may(user, Task.HANDLE_WARNINGS)


# The list ------------------------------------------------------------------------------------


def _units_in_scope(user, level: str):
    units = AdminUnit.objects.filter(level=level).defer("boundary").order_by("code")
    ids = unit_ids_in_scope(user)
    return units if ids is None else units.filter(pk__in=ids)


def _state_chips(request: HtmxHttpRequest) -> list[dict]:
    """ "To be dealt with" (the default), each state, and all of them."""
    chips = filter_chips(request, "state", [*AlertState.choices, (ALL, _("All"))])
    chips[0]["label"] = _("To be dealt with")
    chips[0]["active"] = chips[0]["active"] or request.GET.get("state") == ACTIVE
    return chips


def _filters(request: HtmxHttpRequest, filterset: AlertFilterSet) -> list[tuple[str, list]]:
    user = request.user
    township_code = filterset.form.cleaned_data.get("township") if filterset.is_valid() else ""
    townships = list(_units_in_scope(user, AdminUnit.Level.TOWNSHIP))
    villages = _units_in_scope(user, AdminUnit.Level.VILLAGE)
    if township_code:
        villages = villages.filter(parent__code=township_code)
    villages = list(villages[: VILLAGE_CHIPS_MAX + 1])
    rows = [
        (_("Level"), filter_chips(request, "level", [(v, label) for v, label in Level.choices])),
        (_("State"), _state_chips(request)),
        (_("Rule"), filter_chips(request, "rule", rule_choices())),
    ]
    if len(townships) > 1:
        chips = [(t.code, t.name) for t in townships]
        rows.append((_("Township"), filter_chips(request, "township", chips, clears=["village"])))
    if 1 < len(villages) <= VILLAGE_CHIPS_MAX:
        chips = [(v.code, v.name) for v in villages]
        rows.append((_("Village"), filter_chips(request, "village", chips)))
    return rows


@login_required
@require_safe
def alert_list(request: HtmxHttpRequest) -> HttpResponse:
    """The warnings of the user's units, red first then newest, filtered in the URL."""
    ensure_handles(request.user)
    filterset = AlertFilterSet(request.GET, queryset=selectors.alerts_for(request.user))
    errors = filter_errors(filterset)
    found = Alert.objects.none() if errors else filterset.qs
    listed = paged(request, found, ALERTS_PER_PAGE)
    page = listed.pop("page")
    context = {
        "alert_page": page,
        "rows": selectors.with_links(page),
        **listed,
        "filter_errors": errors,
    }
    status = 400 if errors else 200
    if request.htmx and request.htmx.target != "alert-results":
        return render(request, "alerts/alert_list.html#alert-rows", context, status=status)
    context |= {
        "filters": _filters(request, filterset),
        "counts": selectors.level_counts(found),
        "query": request.GET.urlencode(),
    }
    template = "alerts/alert_list.html"
    if request.htmx:
        template += "#alert-results"
    return render(request, template, context, status=status)


# One warning -----------------------------------------------------------------------------------


def _forms(alert: Alert, bound: dict) -> dict:
    """The forms that apply to the warning in its state; `bound` holds a refused one."""
    active = alert.state in ACTIVE_STATES
    made = {}
    if alert.state == AlertState.OPEN:
        made["acknowledge"] = forms.AcknowledgeForm()
    if active:
        made["action"] = forms.ActionForm()
    if active and alert.case_id is None:
        made["dismiss"] = forms.DismissForm()
    if active and alert.case_id is None and alert.unit.level == AdminUnit.Level.VILLAGE:
        made["case"] = forms.CaseForm()
    return made | {key: form for key, form in bound.items() if key in made}


def _case_url(user, alert: Alert) -> str:
    """The case's page for those who work it, else its public page."""
    if alert.case_id is None:
        return ""
    if may(user, Task.HANDLE_CASES, alert.case):
        return reverse("supervision:field-case", args=[alert.case_id])
    return alert.case.get_absolute_url()


def _with_actors(changes: list) -> list:
    """Each change with who made it as the public log names them (role and display name)."""
    for change in changes:
        change.public_actor = public_actor(change.actor)
    return changes


def _page(
    request: HtmxHttpRequest,
    alert: Alert,
    *,
    status: int = 200,
    errors=(),
    bound: dict | None = None,
    done: str = "",
) -> HttpResponse:
    may_act = may(request.user, Task.HANDLE_WARNINGS, alert)
    rule = get_rule(alert.rule)
    alert.subject_url = selectors.subject_url(alert)
    context = {
        "alert": alert,
        "rule": rule,
        "history": _with_actors(selectors.history(alert)),
        "forms": _forms(alert, bound or {}) if may_act else {},
        "case_url": _case_url(request.user, alert),
        "numbers": rule.labelled_numbers(alert.numbers) if rule else [],
        "errors": list(errors),
        "done": done,
    }
    template = "alerts/alert_detail.html"
    if request.htmx:
        template += "#alert-panel"
    return render(request, template, context, status=status)


@login_required
@require_safe
def alert_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    ensure_handles(request.user)
    return _page(request, selectors.alert_for(request.user, pk))


def _add_service_errors(form, exc: ValidationError) -> None:
    """The service's reasons on the form: under their field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, reasons in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, reasons)


def _act(
    request: HtmxHttpRequest,
    pk: int,
    *,
    key: str,
    form_class: type,
    do: Callable[[Alert, dict], str],
) -> HttpResponse:
    """Check the form, run `do(alert, data)` (→ what to tell the user) and answer: the page
    again after a redirect, or its panel for htmx; a refusal shows the form with the reason."""
    ensure_handles(request.user)
    alert = selectors.alert_for(request.user, pk)
    form = form_class(request.POST)
    status = 400
    if form.is_valid():
        try:
            done = do(alert, form.cleaned_data)
        except ValidationError as exc:
            _add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        else:
            if request.htmx:
                return _page(request, selectors.alert_for(request.user, pk), done=done)
            messages.success(request, done)
            return redirect(alert.get_absolute_url())
    alert = selectors.alert_for(request.user, pk)
    return _page(request, alert, status=status, errors=form_errors(form), bound={key: form})


@login_required
@require_POST
def acknowledge(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(alert: Alert, data: dict) -> str:
        services.acknowledge(alert, actor=request.user)
        return _("Acknowledged: the warning is being looked into.")

    return _act(request, pk, key="acknowledge", form_class=forms.AcknowledgeForm, do=do)


@login_required
@require_POST
def dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(alert: Alert, data: dict) -> str:
        services.dismiss(alert, reason=data["reason"], actor=request.user)
        return _("Dismissed, with the reason in the public log.")

    return _act(request, pk, key="dismiss", form_class=forms.DismissForm, do=do)


@login_required
@require_POST
def record_action(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(alert: Alert, data: dict) -> str:
        done = services.record_action(alert, text=data["action"], actor=request.user)
        if done.state == AlertState.RESOLVED:
            return _("Recorded: the data no longer show it, so the warning is resolved.")
        return _("Recorded. The warning resolves once the data no longer show it.")

    return _act(request, pk, key="action", form_class=forms.ActionForm, do=do)


@login_required
@require_POST
def open_case(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    def do(alert: Alert, data: dict) -> str:
        already = alert.case_id is not None
        case = services.open_case(alert, actor=request.user, category=data["category"])
        if already:  # a second phone, or Back and send again: nothing new was made
            return _("This warning was already turned into case %(reference)s.") % {
                "reference": case.reference
            }
        return _("Case %(reference)s is open for the liaison station.") % {
            "reference": case.reference
        }

    return _act(request, pk, key="case", form_class=forms.CaseForm, do=do)
