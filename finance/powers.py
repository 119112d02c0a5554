"""The power list read and linked (按单操作): which item a project, lease, auction or payment
follows, what follows an item, its approval chain, and the posts' risk points of a village.

A project, lease or auction follows the item its kind defaults to (`PowerItem.applies_to`)
unless a `PowerLink` names another; a payment request names its item itself. `link` is the
one write here, logged on the record it links.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.models import ApprovalRule, PaymentRequest, PowerItem, PowerLink, RiskPoint
from leasing.models import Auction, Lease
from projects.models import Project
from registry import services as registry_services
from registry.models import AdminUnit
from registry.roles import task_for
from registry.scoping import ensure_may
from trail.models import Event

Kind = PowerItem.AppliesTo
# What every page, panel and drawing of sample rows says until staff replace them.
SAMPLE_NOTICE = gettext_lazy("Sample text, not Rui'an's official list: replace it in the admin.")
# The records a PowerLink may point at, by the kind their default item applies to, and the path
# from each to its village.
LINKED_MODELS: dict[str, type[models.Model]] = {
    Kind.PROJECT: Project,
    Kind.LEASE: Lease,
    Kind.AUCTION: Auction,
}
VILLAGE_PATHS = {
    Kind.PROJECT: "village",
    Kind.LEASE: "asset__village",
    Kind.AUCTION: "asset__village",
    Kind.PAYMENT: "village",
}
# A payment request that was never sent, or was withdrawn or replaced, follows nothing any more.
STANDING_REQUESTS = ~Q(
    state__in=(
        PaymentRequest.State.DRAFT,
        PaymentRequest.State.WITHDRAWN,
        PaymentRequest.State.SUPERSEDED,
    )
)
LEVEL_ORDER = {level: n for n, level in enumerate(RiskPoint.Level.values)}


def kind_of(record: models.Model) -> str:
    """ "project", "lease", "auction" or "payment"; ValidationError for anything else."""
    if isinstance(record, PaymentRequest):
        return Kind.PAYMENT
    for kind, model in LINKED_MODELS.items():
        if isinstance(record, model):
            return kind
    raise ValidationError(
        _("A %(model)s does not follow an item of the power list.")
        % {"model": record._meta.verbose_name}
    )


def default_item(kind: str) -> PowerItem | None:
    """The item records of `kind` follow unless they name another (the lowest number, should
    staff mark two items for one kind)."""
    return PowerItem.objects.filter(applies_to=kind).order_by("number").first()


def item_for(record: models.Model) -> PowerItem | None:
    """The item `record` follows: its own link, else its kind's default; a payment request's
    own item. One query."""
    kind = kind_of(record)
    if kind == Kind.PAYMENT:
        return record.power_item
    if record.pk is None:
        return default_item(kind)
    linked = PowerLink.objects.filter(
        item=OuterRef("pk"),
        subject_type=ContentType.objects.get_for_model(record),
        subject_id=record.pk,
    )
    return (
        PowerItem.objects.filter(Exists(linked) | Q(applies_to=kind))
        .annotate(linked=Exists(linked))
        .order_by("-linked", "number")
        .first()
    )


@dataclass
class Following:
    """The records that follow one item, by kind (querysets, not yet read)."""

    projects: models.QuerySet
    leases: models.QuerySet
    auctions: models.QuerySet
    payments: models.QuerySet

    def by_kind(self) -> dict[str, models.QuerySet]:
        return {
            Kind.PROJECT: self.projects,
            Kind.LEASE: self.leases,
            Kind.AUCTION: self.auctions,
            Kind.PAYMENT: self.payments,
        }


def records_following(item: PowerItem, *, village: AdminUnit | None = None) -> Following:
    """Every project, lease, auction and standing payment request that follows `item` (in
    `village` when given): those linked to it, and, where it is its kind's default, those of
    that kind linked to no item."""
    defaults = {
        kind: pk
        for kind, pk in PowerItem.objects.exclude(applies_to="")
        .order_by("-number")
        .values_list("applies_to", "pk")
    }  # the lowest number is read last and wins
    found = {}
    for kind, model in LINKED_MODELS.items():
        links = PowerLink.objects.filter(subject_type=ContentType.objects.get_for_model(model))
        linked_here = Q(pk__in=links.filter(item=item).values("subject_id"))
        if defaults.get(kind) == item.pk:
            linked_here |= ~Q(pk__in=links.values("subject_id"))
        found[kind] = model.objects.filter(linked_here)
    found[Kind.PAYMENT] = PaymentRequest.objects.filter(STANDING_REQUESTS, power_item=item)
    if village is not None:
        found = {k: qs.filter(**{VILLAGE_PATHS[k]: village}) for k, qs in found.items()}
    return Following(
        projects=found[Kind.PROJECT]
        .select_related("village")
        .defer("location", "village__boundary")
        .order_by("-proposed_on", "pk"),
        leases=found[Kind.LEASE]
        .select_related("asset")
        .defer("asset__geometry")
        .order_by("-start_on", "pk"),
        auctions=found[Kind.AUCTION]
        .select_related("asset")
        .defer("asset__geometry")
        .order_by("-held_on", "pk"),
        payments=found[Kind.PAYMENT]
        .select_related("payee")
        .order_by("-paid_on", "-submitted_at", "pk"),
    )


@dataclass
class TownshipCount:
    township: AdminUnit
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def following_counts(item: PowerItem) -> list[TownshipCount]:
    """How many records of each kind follow `item` in each township (townships with none
    left out), in division-code order."""
    per_township: dict[int, Counter] = {}
    for kind, queryset in records_following(item).by_kind().items():
        path = f"{VILLAGE_PATHS[kind]}__parent"
        rows = queryset.order_by().values(path).annotate(n=Count("pk")).values_list(path, "n")
        for township_id, n in rows:
            per_township.setdefault(township_id, Counter())[kind] += n
    townships = AdminUnit.objects.filter(pk__in=per_township).defer("boundary").order_by("code")
    return [TownshipCount(t, dict(per_township[t.pk])) for t in townships]


def approval_chain(item: PowerItem) -> tuple[list[ApprovalRule], bool]:
    """The approval rules a payment under `item` runs (finance.chains): its own when it has
    any, else the general chain; and whether they are its own."""
    rules = list(
        ApprovalRule.objects.filter(Q(power_item=item) | Q(power_item__isnull=True)).order_by(
            "position"
        )
    )
    own = [rule for rule in rules if rule.power_item_id == item.pk]
    return (own, True) if own else (rules, False)


def power_list() -> list[tuple[str, list[PowerItem]]]:
    """The items by area, in the areas' order, each with its number of steps."""
    items = PowerItem.objects.annotate(step_count=Count("steps")).order_by("number")
    areas: dict[str, list[PowerItem]] = {area: [] for area in PowerItem.Area.values}
    for item in items:
        areas.setdefault(item.area, []).append(item)
    labels = dict(PowerItem.Area.choices)
    return [(labels.get(area, area), rows) for area, rows in areas.items() if rows]


def risk_points_for(village: AdminUnit | None) -> dict[str, list[RiskPoint]]:
    """The risk points of each post (`RiskPoint.Post`, in its order) that hold in `village`:
    its own first, then those of every village; by level, high first. Without a village, the
    general ones. Posts without any are left out."""
    scope = Q(village__isnull=True)
    if village is not None:
        scope |= Q(village=village)
    points = RiskPoint.objects.filter(scope).select_related("item")
    groups: dict[str, list[RiskPoint]] = {post: [] for post in RiskPoint.Post.values}
    for point in sorted(
        points, key=lambda p: (p.village_id is None, LEVEL_ORDER.get(p.level, 99), p.pk)
    ):
        groups.setdefault(point.post, []).append(point)
    return {post: rows for post, rows in groups.items() if rows}


@transaction.atomic
def link(record: models.Model, item: PowerItem, *, actor: User | None) -> PowerLink:
    """Make `record` (a project, lease or auction) follow `item`, replacing any link it had;
    the change goes into the public log on the record. Writing it takes the task writing the
    record takes (`registry.roles.task_for`). A payment request names its item itself."""
    kind = kind_of(record)
    if kind == Kind.PAYMENT:
        raise ValidationError(
            {"power_item": _("A payment request names its power-list item on the request.")}
        )
    ensure_may(actor, task_for(record), record)
    if record.pk is None:
        raise ValidationError(_("Save the record before linking it to the power list."))
    subject_type = ContentType.objects.get_for_model(record)
    current = (
        PowerLink.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=record.pk)
        .first()
    )
    if current is not None and current.item_id == item.pk:
        return current
    before = current.item if current is not None else default_item(kind)
    if current is None:
        current = PowerLink(subject_type=subject_type, subject_id=record.pk)
    current.item = item
    current.full_clean(validate_unique=False)
    current.save()
    registry_services.log_event(
        record,
        action=Event.Action.UPDATE,
        changes={
            "power_item": {"from": str(before) if before is not None else None, "to": str(item)}
        },
        actor=actor,
    )
    return current
