"""The dashboards' figures: for a place (the villages counted) and a period, each chart's rows
as plain values. The same rows fill the table printed on the page, the chart drawn from it
(`static/alerts/dashboard.js`) and the CSV/XLSX download of that table.

Each figure costs a bounded number of queries whatever the data size: counts and sums are made
in SQL, grouped by village and folded into the table's rows (townships, or the villages of one
township) in Python. Only the rent schedule is walked in Python (`Lease.amount_due`), over the
leases the filters select, and the medians of the payments' times are taken in Python over the
durations one query reads (the same on PostgreSQL and SpatiaLite, which has no percentile).

Nothing here reads a restricted field: no tenant, bidder or reporter, no contact, no report as
sent, no payee. The public dashboard shows these figures as they are; the staff one is scoped to the
user's units and adds two lists (`Dashboard.active_alerts`, `Dashboard.arrears_leaders`).
"""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alerts.models import ACTIVE_STATES, Alert, AlertChange, Level
from alerts.rules import all_rules, get_rule
from finance.models import ApprovalStep, PaymentRequest
from leasing.models import Lease
from leasing.models.auctions import Auction
from projects.models import Project
from projects.models.projects import Stage
from qr.models import ScanCount
from registry.models import AdminUnit, Profile
from registry.roles import ROLE_LABELS, Role
from supervision import selectors as supervision
from supervision.models import Case, Station

ZERO = Decimal("0")
CENT = Decimal("0.01")
RAISED_KINDS = (AlertChange.Kind.RAISED, AlertChange.Kind.REOPENED)

# Kinds of column: how a value is shown, written and drawn.
LABEL, CODE, COUNT, MONEY, MONTH, DAY = "label", "code", "count", "money", "month", "day"
HOURS = "hours"  # a duration in hours, one decimal
NO_MEDIAN = "—"  # the median of nothing: not zero hours

# Colours on white with at least 3:1 contrast for graphics (WCAG 1.4.11), told apart by hue.
BLUE, GREEN, RED, AMBER, GREY, VIOLET = (
    "#1d4ed8",
    "#15803d",
    "#b91c1c",
    "#a16207",
    "#4b5563",
    "#6d28d9",
)


# Where and when --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days counted. Money is reckoned up to `asof`: rent does not
    fall due, nor is it paid, in the future."""

    start: dt.date
    end: dt.date
    today: dt.date

    @property
    def asof(self) -> dt.date:
        return min(self.end, self.today)

    def moments(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as [first moment, first moment after) in the site's time zone."""
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after

    def months(self) -> list[dt.date]:
        """The first day of each month the period touches."""
        month, last, months = self.start.replace(day=1), self.end.replace(day=1), []
        while month <= last:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Unit:
    """A township or village as the dashboards need it (no boundary)."""

    pk: int
    parent_id: int | None
    code: str
    name: str
    level: str


def unit_index() -> list[Unit]:
    """Every township and village in code order: one query."""
    rows = (
        AdminUnit.objects.filter(level__in=(AdminUnit.Level.TOWNSHIP, AdminUnit.Level.VILLAGE))
        .order_by("code")
        .values_list("pk", "parent_id", "code", "name", "level")
    )
    return [Unit(*row) for row in rows]


@dataclass(frozen=True)
class Row:
    """One row of a per-place table: a township or a village, with the villages it adds up."""

    unit: Unit
    villages: frozenset[int]


@dataclass
class Place:
    """What the figures count. `villages` and `units` are None for everything (no filter, a user
    who sees the whole city): the queries then carry no list of ids. `units` adds to the
    villages the townships whose own warnings and electronic IDs count."""

    villages: frozenset[int] | None
    units: frozenset[int] | None
    rows: list[Row]
    by: str  # AdminUnit.Level.TOWNSHIP or VILLAGE: what a per-place table has a row for
    parents: dict[int, int | None] = field(default_factory=dict)  # village → township


def place(
    index: list[Unit],
    *,
    township: Unit | None = None,
    village: Unit | None = None,
    allowed: set[int] | None = None,
) -> Place:
    """The place the filters and the user's units (`allowed`, None: all) leave.

    A per-place table has a row per township, or per village when only one township is left
    (a township is chosen, or the user's units lie in one)."""
    townships = [u for u in index if u.level == AdminUnit.Level.TOWNSHIP]
    villages = [u for u in index if u.level == AdminUnit.Level.VILLAGE]
    if village is not None:
        villages = [v for v in villages if v.pk == village.pk]
        townships = []
    elif township is not None:
        villages = [v for v in villages if v.parent_id == township.pk]
        townships = [township]
    if allowed is not None:
        villages = [v for v in villages if v.pk in allowed]
        townships = [
            t for t in townships if t.pk in allowed or any(v.parent_id == t.pk for v in villages)
        ]
    everything = village is None and township is None and allowed is None
    own_units = {t.pk for t in townships if allowed is None or t.pk in allowed}
    if village is not None or len(townships) == 1:
        rows = [Row(v, frozenset({v.pk})) for v in villages]
        by = AdminUnit.Level.VILLAGE
    else:
        rows = [Row(t, frozenset(v.pk for v in villages if v.parent_id == t.pk)) for t in townships]
        by = AdminUnit.Level.TOWNSHIP
    village_ids = frozenset(v.pk for v in villages)
    return Place(
        villages=None if everything else village_ids,
        units=None if everything else village_ids | own_units,
        rows=rows,
        by=by,
        parents={v.pk: v.parent_id for v in villages},
    )


def _within(queryset: QuerySet, path: str, ids: frozenset[int] | None) -> QuerySet:
    return queryset if ids is None else queryset.filter(**{f"{path}__in": sorted(ids)})


def _per_row(place: Place, by_village: dict[int, Iterable], zeros: Iterable) -> list[list]:
    """Per-village figures added up into the place's rows: [name, code, *sums]."""
    rows = []
    for row in place.rows:
        sums = list(zeros)
        for village in row.villages:
            for i, value in enumerate(by_village.get(village, ())):
                sums[i] += value
        rows.append([row.unit.name, row.unit.code, *sums])
    return rows


# What the charts show ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    kind: str = COUNT


@dataclass(frozen=True)
class Series:
    """A column drawn: as bars or a line, stacked with others of the same `stack`."""

    column: str
    colour: str
    type: str = "bar"
    stack: str = ""


@dataclass(frozen=True)
class Chart:
    id: str
    title: Promise
    about: Promise
    columns: tuple[Column, ...]
    series: tuple[Series, ...]
    horizontal: bool = False  # categories down the side: long names stay readable on a phone
    time: bool = False  # the first column is a day on a time axis
    per_place: bool = False  # the first two columns are the township or village and its code


UNIT_COLUMNS = (Column("unit", _("Township"), LABEL), Column("code", _("Division code"), CODE))

CHARTS: dict[str, Chart] = {
    chart.id: chart
    for chart in (
        Chart(
            "stations",
            _("Liaison stations and members"),
            _(
                "Villages, the villages with a supervision liaison station, and the station "
                "members (village supervisors) today."
            ),
            (
                *UNIT_COLUMNS,
                Column("villages", _("Villages")),
                Column("stations", _("Liaison stations")),
                Column("members", _("Station members")),
            ),
            (Series("villages", GREY), Series("stations", BLUE), Series("members", GREEN)),
            horizontal=True,
            per_place=True,
        ),
        Chart(
            "cases",
            _("Reports, problems found and rectified"),
            _(
                "Clues villagers reported in the period, how many of them were found to be "
                "true, and how many were put right (merged reports are not counted twice)."
            ),
            (
                *UNIT_COLUMNS,
                Column("clues", _("Clues")),
                Column("found", _("Problems found")),
                Column("rectified", _("Rectified")),
            ),
            (Series("clues", BLUE), Series("found", AMBER), Series("rectified", GREEN)),
            horizontal=True,
            per_place=True,
        ),
        Chart(
            "alerts",
            _("Warnings by month"),
            _(
                "Warnings raised each month by level (a warning raised again counts again), "
                "and the warnings resolved."
            ),
            (
                Column("month", _("Month"), MONTH),
                Column("yellow", _("Yellow raised")),
                Column("red", _("Red raised")),
                Column("resolved", _("Warnings resolved")),
            ),
            (
                Series("yellow", AMBER, stack="raised"),
                Series("red", RED, stack="raised"),
                Series("resolved", GREEN, type="line"),
            ),
        ),
        Chart(
            "rules",
            _("Warnings by rule"),
            _(
                "The warnings still to be dealt with today by rule and level, and those raised in "
                "the period."
            ),
            (
                Column("rule", _("Rule"), CODE),
                Column("name", _("Rule name"), LABEL),
                Column("yellow", _("Yellow now")),
                Column("red", _("Red now")),
                Column("raised", _("Raised in the period")),
            ),
            (Series("yellow", AMBER, stack="now"), Series("red", RED, stack="now")),
            horizontal=True,
        ),
        Chart(
            "projects",
            _("Small projects by stage"),
            _(
                "Projects under way in the period (proposed by its end, not settled before "
                "its start) by their current stage, with their money in yuan."
            ),
            (
                Column("stage", _("Stage"), LABEL),
                Column("projects", _("Number of projects")),
                Column("budget", _("Budget guidance price"), MONEY),
                Column("contract", _("Contract amount"), MONEY),
                Column("settlement", _("Audited settlement"), MONEY),
                Column("paid", _("Paid"), MONEY),
            ),
            (
                Series("budget", GREY),
                Series("contract", BLUE),
                Series("settlement", VIOLET),
                Series("paid", GREEN),
            ),
            horizontal=True,
        ),
        Chart(
            "payments",
            _("Payments by bank transfer"),
            _(
                "Payment requests paid by bank transfer each month (by the transfer's date), the "
                "amount paid in yuan, and the median time from the draft to the payment in hours."
            ),
            (
                Column("month", _("Month"), MONTH),
                Column("paid", _("Requests paid")),
                Column("amount", _("Amount paid"), MONEY),
                Column("median_hours", _("Median hours from draft to payment"), HOURS),
            ),
            (Series("amount", GREEN),),
        ),
        Chart(
            "approvals",
            _("Time to approve payments, by step"),
            _(
                "Decisions on payment requests taken in the period by each approver, with the "
                "median and the longest time a request waited for them (from its submission or "
                "the step before), and the bank transfer after the approval, in hours."
            ),
            (
                Column("step", _("Step"), LABEL),
                Column("decided", _("Decisions")),
                Column("median_hours", _("Median hours"), HOURS),
                Column("longest_hours", _("Longest hours"), HOURS),
            ),
            (Series("median_hours", BLUE), Series("longest_hours", AMBER)),
            horizontal=True,
        ),
        Chart(
            "leases",
            _("Leases and rent"),
            _(
                "Leases running in the period, the rent that fell due in it, the rent received "
                "in it, and what was still owed at its end (or today), in yuan."
            ),
            (
                *UNIT_COLUMNS,
                Column("leases", _("Leases running")),
                Column("due", _("Rent due"), MONEY),
                Column("received", _("Rent received"), MONEY),
                Column("arrears", _("In arrears"), MONEY),
            ),
            (Series("due", BLUE), Series("received", GREEN), Series("arrears", RED)),
            horizontal=True,
            per_place=True,
        ),
        Chart(
            "auctions",
            _("Auctions"),
            _(
                "Auctions of lease rights held in the period by outcome, with their reserve "
                "prices and winning bids in yuan a year."
            ),
            (
                Column("status", _("Auction outcome"), LABEL),
                Column("auctions", _("Number of auctions")),
                Column("reserve", _("Reserve prices"), MONEY),
                Column("winning", _("Winning bids"), MONEY),
            ),
            (Series("reserve", GREY), Series("winning", GREEN)),
            horizontal=True,
        ),
        Chart(
            "scans",
            _("Plaque scans per day"),
            _(
                "How often the electronic ID plaques were opened each day (days without scans "
                "are left out of the table)."
            ),
            (Column("day", _("Day"), DAY), Column("scans", _("Scans"))),
            (Series("scans", BLUE, type="line"),),
            time=True,
        ),
    )
}


@dataclass
class Table:
    """One chart's rows with its columns, as the page, the chart and the download show them."""

    chart: Chart
    columns: tuple[Column, ...]
    rows: list[list]

    @property
    def id(self) -> str:
        return self.chart.id

    @property
    def data_id(self) -> str:
        return f"{self.chart.id}-data"

    @property
    def drawable(self) -> bool:
        """Whether the chart has anything to draw: a drawn column is not zero in some row."""
        keys = [column.key for column in self.columns]
        drawn = [keys.index(series.column) for series in self.chart.series]
        return any(row[i] for row in self.rows for i in drawn)

    def header(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def data(self) -> dict:
        """What the chart draws, for `json_script`: the same rows, numbers as numbers."""
        keys = [column.key for column in self.columns]
        return {
            "columns": self.header(),
            "kinds": [column.kind for column in self.columns],
            "rows": [[_plain(value) for value in row] for row in self.rows],
            "x": 0,
            "horizontal": self.chart.horizontal,
            "time": self.chart.time,
            "series": [
                {
                    "column": keys.index(s.column),
                    "colour": s.colour,
                    "type": s.type,
                    "stack": s.stack,
                }
                for s in self.chart.series
            ],
        }


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def _hours(value: dt.timedelta) -> Decimal:
    return (Decimal(value.total_seconds()) / 3600).quantize(Decimal("0.1"))


def _median_hours(durations: list[dt.timedelta]) -> Decimal | str:
    return _hours(statistics.median(durations)) if durations else NO_MEDIAN


# The figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeaseFigure:
    lease_id: int
    village_id: int
    due: Decimal  # fell due in the period
    received: Decimal  # paid in the period
    arrears: Decimal  # owed at the period's end (or today)


class Dashboard:
    """The figures of one place and period; each chart's rows come from `table(chart_id)`."""

    def __init__(self, place: Place, period: Period):
        self.place = place
        self.period = period
        self._tables: dict[str, Table] = {}

    def table(self, chart_id: str) -> Table:
        """Raises KeyError for an unknown chart."""
        if chart_id not in self._tables:
            chart = CHARTS[chart_id]
            columns = chart.columns
            if chart.per_place:
                label = _("Village") if self.place.by == AdminUnit.Level.VILLAGE else _("Township")
                columns = (Column("unit", label, LABEL), *columns[1:])
            self._tables[chart_id] = Table(chart, columns, self._figures[chart_id](self))
        return self._tables[chart_id]

    def tables(self) -> list[Table]:
        return [self.table(chart_id) for chart_id in CHARTS]

    def summary(self) -> list[tuple[Promise, object, str]]:
        """The headline numbers, added up from the tables' rows: (label, number, kind)."""

        def total(chart_id: str, column: str) -> object:
            table = self.table(chart_id)
            index = [c.key for c in table.columns].index(column)
            return sum((row[index] for row in table.rows), start=0)

        return [
            (_("Liaison stations"), total("stations", "stations"), COUNT),
            (_("Station members"), self.members_total, COUNT),
            (_("Clues"), total("cases", "clues"), COUNT),
            (_("Problems found"), total("cases", "found"), COUNT),
            (_("Rectified"), total("cases", "rectified"), COUNT),
            (_("Red warnings now"), total("rules", "red"), COUNT),
            (_("Yellow warnings now"), total("rules", "yellow"), COUNT),
            (_("Projects under way"), total("projects", "projects"), COUNT),
            (_("Rent in arrears (yuan)"), total("leases", "arrears"), MONEY),
            (_("Requests paid"), total("payments", "paid"), COUNT),
            (
                _("Median hours from draft to payment"),
                _median_hours(
                    [row.time_to_paid for row in self._paid if row.time_to_paid is not None]
                ),
                HOURS,
            ),
        ]

    # Liaison stations ---------------------------------------------------------------------------

    @cached_property
    def _station_members(self) -> tuple[dict[int, set[int]], set[int]]:
        """Who covers each unit (village supervisors by unit), and the villages with a station:
        two queries. A station's members are the active village supervisors whose units are
        the village or its township (`supervision.services.station_members`)."""
        place = self.place
        with_station = set(
            _within(Station.objects.all(), "village", place.villages).values_list(
                "village_id", flat=True
            )
        )
        links = Profile.units.through.objects.filter(
            profile__user__is_active=True, profile__user__groups__name=Role.SUPERVISOR
        )
        if place.villages is not None:
            covering = set(place.villages) | {p for p in place.parents.values() if p}
            links = links.filter(adminunit_id__in=sorted(covering))
        cover: dict[int, set[int]] = defaultdict(set)
        for user_id, unit_id in links.values_list("profile__user_id", "adminunit_id"):
            cover[unit_id].add(user_id)
        return cover, with_station

    def _members(self, villages: Iterable[int]) -> set[int]:
        cover, with_station = self._station_members
        members: set[int] = set()
        for village in villages:
            if village in with_station:
                members |= cover.get(village, set()) | cover.get(self.place.parents[village], set())
        return members

    def _stations(self) -> list[list]:
        _cover, with_station = self._station_members
        return [
            [
                row.unit.name,
                row.unit.code,
                len(row.villages),
                len(row.villages & with_station),
                len(self._members(row.villages)),
            ]
            for row in self.place.rows
        ]

    @property
    def members_total(self) -> int:
        """Distinct members over the whole place (one person may cover two villages)."""
        return len(self._members(v for row in self.place.rows for v in row.villages))

    # Reports ------------------------------------------------------------------------------------

    def _cases(self) -> list[list]:
        first, after = self.period.moments()
        cases = _within(
            Case.objects.filter(created__gte=first, created__lt=after),
            "village",
            self.place.villages,
        )
        counts = supervision.counts_by("village", cases)
        by_village = {v: (c.clues, c.found, c.rectified) for v, c in counts.items()}
        return _per_row(self.place, by_village, (0, 0, 0))

    # Warnings -----------------------------------------------------------------------------------

    def _changes(self) -> QuerySet[AlertChange]:
        first, after = self.period.moments()
        changes = AlertChange.objects.filter(at__gte=first, at__lt=after)
        return _within(changes, "alert__unit", self.place.units)

    def _alerts(self) -> list[list]:
        kinds = (*RAISED_KINDS, AlertChange.Kind.RESOLVED)
        counted = (
            self._changes()
            .filter(kind__in=kinds)
            .annotate(month=TruncMonth("at"))
            .values("month", "kind", "level")
            .annotate(n=Count("pk"))
            .order_by()
        )
        months = {m: [0, 0, 0] for m in self.period.months()}
        for row in counted:
            month = timezone.localtime(row["month"]).date()
            if month not in months:
                continue
            if row["kind"] == AlertChange.Kind.RESOLVED:
                months[month][2] += row["n"]
            else:
                months[month][0 if row["level"] == Level.YELLOW else 1] += row["n"]
        return [[f"{month:%Y-%m}", *numbers] for month, numbers in months.items()]

    def _rules(self) -> list[list]:
        active = (
            _within(Alert.objects.filter(state__in=ACTIVE_STATES), "unit", self.place.units)
            .values("rule", "level")
            .annotate(n=Count("pk"))
            .order_by()
        )
        raised = (
            self._changes()
            .filter(kind__in=RAISED_KINDS)
            .values("alert__rule")
            .annotate(n=Count("pk"))
            .order_by()
        )
        now: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for row in active:
            now[row["rule"]][0 if row["level"] == Level.YELLOW else 1] += row["n"]
        raised_by_rule = {row["alert__rule"]: row["n"] for row in raised}
        codes = sorted({r.code for r in all_rules()} | set(now) | set(raised_by_rule))
        rows = []
        for code in codes:
            rule = get_rule(code)
            name = str(rule.name) if rule else code
            rows.append([code, name, *now[code], raised_by_rule.get(code, 0)])
        return rows

    def active_alerts(self, limit: int = 20) -> tuple[int, list[Alert]]:
        """How many warnings are still to be dealt with, and the first `limit` of them: red
        first, then the newest. Two queries."""
        alerts = _within(Alert.objects.filter(state__in=ACTIVE_STATES), "unit", self.place.units)
        red_first = models.Case(When(level=Level.RED, then=Value(0)), default=Value(1))
        listed = (
            alerts.select_related("unit")
            .defer("unit__boundary", "evidence")
            .order_by(red_first, "-raised_at", "-pk")[:limit]
        )
        return alerts.count(), list(listed)

    # Projects -----------------------------------------------------------------------------------

    def _projects(self) -> list[list]:
        """Projects proposed by the period's end (their record's creation day if no proposal
        date) and not settled before its start, by current stage."""
        period = self.period
        projects = (
            Project.objects.annotate(begun=Coalesce("proposed_on", TruncDate("created")))
            .filter(begun__lte=period.end)
            .filter(Q(settled_on__isnull=True) | Q(settled_on__gte=period.start))
        )
        sums = (
            _within(projects, "village", self.place.villages)
            .values("stage")
            .annotate(
                n=Count("pk"),
                budget=Sum("budget_price"),
                contract=Sum("contract_amount"),
                settlement=Sum("settlement_amount"),
                paid=Sum("paid_amount"),
            )
            .order_by()
        )
        by_stage = {row["stage"]: row for row in sums}
        rows = []
        for stage in Stage:
            row = by_stage.get(stage.value, {})
            money = [_money(row.get(k)) for k in ("budget", "contract", "settlement", "paid")]
            rows.append([str(stage.label), row.get("n", 0), *money])
        return rows

    # Payments -----------------------------------------------------------------------------------

    @cached_property
    def _paid(self) -> list:
        """The requests paid by bank transfer in the period (by the transfer's date): one query
        of plain values, no payee."""
        paid = PaymentRequest.objects.filter(
            state=PaymentRequest.State.PAID,
            paid_on__gte=self.period.start,
            paid_on__lte=self.period.end,
        )
        return list(
            _within(paid, "village", self.place.villages)
            .order_by()
            .values_list("paid_on", "amount", "time_to_paid", "approved_at", "paid_at", named=True)
        )

    def _payments(self) -> list[list]:
        months: dict[dt.date, list] = {m: [0, ZERO, []] for m in self.period.months()}
        for row in self._paid:
            figures = months[row.paid_on.replace(day=1)]
            figures[0] += 1
            figures[1] += row.amount
            if row.time_to_paid is not None:
                figures[2].append(row.time_to_paid)
        return [
            [f"{month:%Y-%m}", n, _money(amount), _median_hours(took)]
            for month, (n, amount, took) in months.items()
        ]

    def _approvals(self) -> list[list]:
        """Each decided step's wait, from the submission or the step decided before it, counted
        for the steps decided in the period (one query over the requests with such a step);
        then the wait from the approval to the bank transfer of the requests paid."""
        first, after = self.period.moments()
        decided = ApprovalStep.Decision.APPROVED, ApprovalStep.Decision.REFUSED
        touched = ApprovalStep.objects.filter(
            decided_at__gte=first, decided_at__lt=after, decision__in=decided
        ).values("request_id")
        steps = (
            _within(
                ApprovalStep.objects.filter(request__in=touched, decision__in=decided),
                "request__village",
                self.place.villages,
            )
            .order_by("request_id", "position")
            .values_list("request_id", "role", "decided_at", "request__submitted_at")
        )
        waits: dict[str, list[dt.timedelta]] = defaultdict(list)
        request, before = None, None
        for request_id, role, decided_at, submitted_at in steps:
            if request_id != request:
                request, before = request_id, submitted_at
            if before is not None and first <= decided_at < after:
                waits[role].append(decided_at - before)
            before = decided_at
        rows = [
            [
                str(ROLE_LABELS[role]),
                len(waits[role]),
                _median_hours(waits[role]),
                _hours(max(waits[role])),
            ]
            for role in Role.APPROVERS
            if waits.get(role)
        ]
        transfers = [
            row.paid_at - row.approved_at for row in self._paid if row.paid_at and row.approved_at
        ]
        if transfers:
            rows.append(
                [
                    str(_("Bank transfer after the approval")),
                    len(transfers),
                    _median_hours(transfers),
                    _hours(max(transfers)),
                ]
            )
        return rows

    # Leases -------------------------------------------------------------------------------------

    @cached_property
    def lease_figures(self) -> list[LeaseFigure]:
        """Each lease running in the period with the rent that fell due in it, was paid in it,
        and was owed at `asof`: one query, then the payment schedule walked in Python."""
        period = self.period
        start, asof = period.start, period.asof
        leases = _within(
            Lease.objects.filter(start_on__lte=period.end, end_on__gt=start),
            "asset__village",
            self.place.villages,
        )
        leases = leases.annotate(
            village_id=F("asset__village_id"),
            paid_in=Sum(
                "payments__amount",
                filter=Q(payments__paid_on__gte=start, payments__paid_on__lte=asof),
            ),
            paid_by=Sum("payments__amount", filter=Q(payments__paid_on__lte=asof)),
        ).only("pk", "start_on", "end_on", "annual_rent", "payment_schedule")
        figures = []
        for lease in leases.order_by("pk"):
            due_by = lease.amount_due(asof)
            due = due_by - lease.amount_due(start - dt.timedelta(days=1)) if asof >= start else ZERO
            figures.append(
                LeaseFigure(
                    lease_id=lease.pk,
                    village_id=lease.village_id,
                    due=due,
                    received=_money(lease.paid_in),
                    arrears=max(due_by - _money(lease.paid_by), ZERO),
                )
            )
        return figures

    def _leases(self) -> list[list]:
        by_village: dict[int, list] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
        for figure in self.lease_figures:
            sums = by_village[figure.village_id]
            sums[0] += 1
            sums[1] += figure.due
            sums[2] += figure.received
            sums[3] += figure.arrears
        rows = _per_row(self.place, by_village, (0, ZERO, ZERO, ZERO))
        return [[*row[:3], *(_money(v) for v in row[3:])] for row in rows]

    def arrears_leaders(self, limit: int = 10) -> list[tuple[Lease, Decimal]]:
        """The leases owing the most at the period's end, with what they owe: one query."""
        owing = sorted(
            (f for f in self.lease_figures if f.arrears > 0), key=lambda f: (-f.arrears, f.lease_id)
        )[:limit]
        leases = Lease.objects.select_related("asset__village__parent").defer(
            "asset__geometry", "asset__village__boundary", "asset__village__parent__boundary"
        )
        by_pk = leases.in_bulk([f.lease_id for f in owing])
        return [(by_pk[f.lease_id], f.arrears) for f in owing if f.lease_id in by_pk]

    # Auctions -----------------------------------------------------------------------------------

    def _auctions(self) -> list[list]:
        held = Auction.objects.filter(held_on__gte=self.period.start, held_on__lte=self.period.end)
        sums = (
            _within(held, "asset__village", self.place.villages)
            .values("status")
            .annotate(n=Count("pk"), reserve=Sum("reserve_price"), winning=Sum("winning_amount"))
            .order_by()
        )
        by_status = {row["status"]: row for row in sums}
        rows = []
        for status in Auction.Status:
            row = by_status.get(status.value, {})
            rows.append(
                [
                    str(status.label),
                    row.get("n", 0),
                    _money(row.get("reserve")),
                    _money(row.get("winning")),
                ]
            )
        return rows

    # Scans --------------------------------------------------------------------------------------

    def _scans(self) -> list[list]:
        scans = ScanCount.objects.filter(day__gte=self.period.start, day__lte=self.period.end)
        per_day = (
            _within(scans, "electronic_id__unit", self.place.units)
            .values("day")
            .annotate(n=Sum("count"))
            .filter(n__gt=0)
            .order_by("day")
        )
        return [[row["day"], row["n"]] for row in per_day]

    _figures: dict[str, Callable[["Dashboard"], list[list]]] = {
        "stations": _stations,
        "cases": _cases,
        "alerts": _alerts,
        "rules": _rules,
        "projects": _projects,
        "payments": _payments,
        "approvals": _approvals,
        "leases": _leases,
        "auctions": _auctions,
        "scans": _scans,
    }
