"""Reads for the field app's case pages: the cases a user handles and everything on one case."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.roles import Task
from registry.scoping import ensure_may, in_scope, may
from supervision import services
from supervision.models import RESTING, Case, CaseMessage, CasePhoto, CaseState, State

FILTERS = ("open", "overdue", "late3", "all")
PANEL_LIMIT = 10
LIST_LIMIT = 200


def handled_cases(user: User) -> QuerySet[Case]:
    """The cases `user` may work, as `services.may_handle` decides one by one: the cases of
    their units with the task, for a station member only those routed to the station, never one
    that names them."""
    if not may(user, Task.HANDLE_CASES):
        return Case.objects.none()
    cases = in_scope(user, Case.objects.all(), "village").exclude(about_member=user)
    if not services.township_office(user):
        cases = cases.filter(route=Case.Route.STATION)
    return cases.select_related("category", "village__station")


@dataclass
class Row:
    case: Case
    lateness: int

    @property
    def overdue(self) -> bool:
        return self.lateness >= 1

    @property
    def late3(self) -> bool:
        return self.lateness >= 3


@dataclass
class WorkList:
    rows: list[Row]
    counts: dict[str, int]
    more: bool


def work_list(user: User, show: str = "open", limit: int = LIST_LIMIT) -> WorkList:
    """The user's cases for one filter, open first and the latest deadline last, with how late
    each is, and the counts of every filter (for the tabs and the panel)."""
    today = timezone.localdate()
    cases = handled_cases(user)
    open_cases = list(cases.exclude(state__in=RESTING).order_by("due_on", "pk"))
    rows = [Row(case, services.lateness(case, today)) for case in open_cases]
    rows.sort(key=lambda row: (-min(row.lateness, 3), row.case.due_on, row.case.pk))
    counts = {
        "open": len(rows),
        "overdue": sum(row.overdue for row in rows),
        "late3": sum(row.late3 for row in rows),
        "all": cases.count(),
    }
    if show == "overdue":
        chosen = [row for row in rows if row.overdue]
    elif show == "late3":
        chosen = [row for row in rows if row.late3]
    elif show == "all":
        resting = cases.filter(state__in=RESTING).order_by("-updated", "-pk")[:limit]
        chosen = rows + [Row(case, 0) for case in resting]
    else:
        chosen = rows
    return WorkList(rows=chosen[:limit], counts=counts, more=len(chosen) > limit)


def case_for(user: User, pk: int | str) -> Case:
    """The case, for someone who handles it. PermissionDenied for a role that handles no
    cases; Http404 for a case that does not exist and for one the user may not handle, alike:
    a member named in a report must not learn that the case exists."""
    ensure_may(user, Task.HANDLE_CASES)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(_("No such case, or not one of yours.")) from None
    if not 0 < pk < 2**63:
        raise Http404(_("No such case, or not one of yours."))
    case = (
        Case.objects.select_related(
            "category", "village__parent", "village__station", "merged_into"
        )
        .filter(pk=pk)
        .first()
    )
    if case is None or not services.may_handle(user, case):
        raise Http404(_("No such case, or not one of yours."))
    return case


@dataclass
class CasePage:
    case: Case
    lateness: int
    contact: object | None
    states: list[CaseState]
    messages: list[CaseMessage]
    tasks: list
    photos: list[CasePhoto]
    merge_into: list[Case]
    next_states: list[State]
    merged_cases: list[Case]


def merge_candidates(user: User, case: Case) -> QuerySet[Case]:
    """Open cases of the same township the user handles, that this one may be merged into."""
    return (
        handled_cases(user)
        .filter(village__parent_id=case.village.parent_id)
        .exclude(pk=case.pk)
        .exclude(state__in=[State.MERGED, State.CLOSED, State.DECLINED])
        .order_by("-created")
    )


def case_page(user: User, case: Case, today: dt.date | None = None) -> CasePage:
    """Everything the case page shows, in a fixed number of queries."""
    # A case without a contact raises RelatedObjectDoesNotExist, an AttributeError.
    contact = getattr(case, "contact", None) if services.may_see_contact(user, case) else None
    mergeable = case.state in services.MERGEABLE
    return CasePage(
        case=case,
        lateness=services.lateness(case, today),
        contact=contact,
        states=list(case.states.select_related("actor")),
        messages=list(case.messages.select_related("author")),
        tasks=list(case.tasks.all()),
        photos=list(case.photos.all()),
        merge_into=list(merge_candidates(user, case)[:50]) if mergeable else [],
        next_states=services.next_states(case),
        merged_cases=list(case.merged_cases.all()),
    )
