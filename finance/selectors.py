"""Reads of village money for the staff pages, each in a bounded number of queries: the
requests of a user's units, those waiting for the user's decision, one request with its
chain, vouchers and public history, the payees and receipts of a user's villages."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from finance import services
from finance.models import ApprovalStep, Payee, PaymentRequest, Receipt, Voucher
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import covers, group_names, in_scope, may
from trail import selectors as trail_selectors
from trail.presenters import EventView, event_views

State = PaymentRequest.State
Decision = ApprovalStep.Decision

# What the chain's events add to a request's public fields, as people read them.


def villages_for(user: User, task: Task) -> QuerySet[AdminUnit]:
    """The villages of the user's units where they may do `task`, by code."""
    villages = AdminUnit.objects.filter(level=AdminUnit.Level.VILLAGE).defer("boundary")
    if not may(user, task):
        return villages.none()
    return in_scope(user, villages, "pk").order_by("code")


def requests_for(user: User | AnonymousUser) -> QuerySet[PaymentRequest]:
    """The payment requests of the user's units, with what their cards show."""
    return _in_units(user).prefetch_related(
        Prefetch("steps", queryset=ApprovalStep.objects.order_by("position"))
    )


def _in_units(user: User | AnonymousUser) -> QuerySet[PaymentRequest]:
    rows = (
        PaymentRequest.objects.select_related("village", "village__parent", "payee")
        .defer("village__boundary", "village__parent__boundary")
        .order_by("-created", "-pk")
    )
    return in_scope(user, rows, "village")


def filtered(rows: QuerySet[PaymentRequest], data: dict) -> QuerySet[PaymentRequest]:
    """`rows` narrowed by the list's filters (state, village code, month drafted: YYYY-MM)."""
    if data.get("state"):
        rows = rows.filter(state=data["state"])
    if data.get("village"):
        rows = rows.filter(village__code=data["village"])
    if data.get("month"):
        year, month = (int(part) for part in data["month"].split("-"))
        rows = rows.filter(created__year=year, created__month=month)
    return rows


def step_now(request: PaymentRequest) -> ApprovalStep | None:
    """The step the request waits for, from its prefetched steps (`services.current_step`
    without a query)."""
    if request.state != State.PENDING:
        return None
    return next((s for s in request.steps.all() if s.decision == Decision.PENDING), None)


def waiting_for(user: User, rows: QuerySet[PaymentRequest]) -> list[PaymentRequest]:
    """The requests among `rows` whose current step the user may decide now, in one query:
    `services.may_decide`'s rules (the step is for one of the user's roles, the user neither
    drafted the request nor decided another of its steps) asked of the database."""
    if not may(user, Task.APPROVE_PAYMENTS):
        return []
    current_role = (
        ApprovalStep.objects.filter(request=OuterRef("pk"), decision=Decision.PENDING)
        .order_by("position")
        .values("role")[:1]
    )
    decided = ApprovalStep.objects.filter(request=OuterRef("pk"), decided_by=user)
    return list(
        rows.filter(state=State.PENDING)
        .annotate(current_role=Subquery(current_role))
        .filter(current_role__in=group_names(user))
        .exclude(drafted_by=user)
        .exclude(Exists(decided))
        .order_by("submitted_at", "pk")
    )


def village_chips(user: User, task: Task) -> list[tuple[str, str]]:
    """(code, name) of the villages a list may be narrowed to; none when there is only one."""
    villages = [(v.code, v.name) for v in villages_for(user, task).only("code", "name")[:13]]
    return villages if 1 < len(villages) <= 12 else []


def request_for(user: User, pk: int) -> PaymentRequest:
    """One request of the user's units with everything its page shows, or 404."""
    rows = (
        _in_units(user)
        .select_related(
            "power_item", "project", "lease", "lease__asset", "supersedes", "drafted_by"
        )
        .defer("project__location", "lease__asset__geometry")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=ApprovalStep.objects.select_related("decided_by")
                .prefetch_related("decided_by__groups")
                .order_by("position"),
            ),
            Prefetch("vouchers", queryset=Voucher.objects.order_by("pk")),
            "drafted_by__groups",
        )
    )
    request = rows.filter(pk=pk).first()
    if request is None:
        raise Http404(_("No such payment request in your villages."))
    request.newer = PaymentRequest.objects.filter(supersedes=request).only("pk", "number").first()
    return request


def power_item_url(request: PaymentRequest) -> str:
    """The public page of the request's power-list item, once that page exists."""
    try:
        return request.power_item.get_absolute_url()
    except NoReverseMatch:
        return ""


@dataclass
class ProjectMoney:
    cap: object
    committed: object
    paid: object
    left: object


def project_money(request: PaymentRequest) -> ProjectMoney | None:
    """What may be paid against the request's project, what is committed besides this request
    and what is left, from the services' sums."""
    project = request.project
    if project is None:
        return None
    cap = services.project_cap(project)
    committed = services.project_committed(project, besides=request)
    left = None if cap is None else cap - committed
    return ProjectMoney(cap, committed, services.project_paid(project), left)


def history(request: PaymentRequest) -> list[EventView]:
    """The request's public log, newest first, as lines a person reads (its vouchers and
    approval steps by their own fields: `finance.hooks`)."""
    return event_views(trail_selectors.event_history(request), PaymentRequest)


def payees_for(user: User) -> QuerySet[Payee]:
    rows = Payee.objects.select_related("village").defer("village__boundary")
    return in_scope(user, rows, "village").order_by("village__code", "name")


def receipts_for(user: User) -> QuerySet[Receipt]:
    rows = Receipt.objects.select_related("village").defer("village__boundary")
    return in_scope(user, rows, "village").order_by("-banked_on", "-pk")


def voucher_for(user: User, pk: int) -> Voucher:
    """A voucher whose request is in the user's units, or 404."""
    voucher = Voucher.objects.select_related("request").filter(pk=pk).first()
    if voucher is None or not covers(user, voucher):
        raise Http404(_("No such voucher in your villages."))
    return voucher


def refused_step(request: PaymentRequest) -> ApprovalStep | None:
    """The step that refused the request, with its reason, from its prefetched steps."""
    if request.state != State.REFUSED:
        return None
    return next((s for s in request.steps.all() if s.decision == Decision.REFUSED), None)


def voucher_titles(request: PaymentRequest, *, kind: str, title: str, count: int) -> list[str]:
    """The titles of `count` files attached at once: the title typed, numbered "(1/3)" when
    there are several; none typed, the kind and the next numbers of that kind on the request
    ("发票 1", "发票 2"), as a phone user who only took photos expects."""
    title = " ".join(str(title or "").split())
    if title:
        return [title if count == 1 else f"{title} ({n}/{count})" for n in range(1, count + 1)]
    label = Voucher.Kind(kind).label if kind in Voucher.Kind.values else _("Voucher")
    first = request.vouchers.filter(kind=kind).count() + 1
    return [f"{label} {n}" for n in range(first, first + count)]
