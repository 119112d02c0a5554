"""W05: one work split into projects under the 200,000-yuan threshold (拆分工程规避招标).

The red flags KRAI1_1 ("several purchases of one kind by one buyer, each under the threshold,
together above it") and KRAI2 ("contracts close to the threshold") of the DOZORRO / Kyrgyz
set, for the village as the buyer. Two ways of splitting are looked for, in each village:

- two or more projects, each under SMALL_PROJECT_LIMIT, dated within `window_days` of each
  other, together at or above it, which share a contractor, or a work type (the project's
  category), or lie within `distance_m` metres of each other (measured in the CGCS2000
  Gauss-Krüger zone of the village, `gis.crs.distance_m`; projects near each other chain, as
  the segments of one road do);
- two or more projects by one contractor within `near_days`, each at `near_low_percent`–100 %
  of the threshold.

A project's amount is its contract amount, else its budget guidance price (projects with
neither are not counted). Its date is the day the contract was signed, else the day the
contracting stage opened, else the day the proposal was registered: a split shows when the
pieces are awarded, and already when they are proposed.

The issue also names projects sharing an asset; a project has no link to an asset in the
record (no foreign key, no electronic-ID or field-app link), so that test is left out, and
work on one building or parcel is caught by the distance instead.

Groups found for several reasons, or overlapping, are one condition: one warning for each set
of projects that overlap, keyed by its earliest project (`group:<pk>`), so a project joining
later, or a reason found later (a contractor recorded after the proximity was seen), refreshes
the same warning instead of raising a second one. Red when the projects share a contractor
(either way), yellow for the other links.

Not date-driven: a split is a fact of the projects' own dates, not of how long ago they were.
"""

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import DecimalField
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from alerts.rules.common import contractor_key
from gis.crs import in_gk_zone
from projects.models import Project
from projects.models.projects import SMALL_PROJECT_LIMIT

CONTRACTOR, CATEGORY, NEAR, NEAR_THRESHOLD = "contractor", "category", "near", "near_threshold"
# Links that mean one contractor holds every piece: red.
RED_LINKS = frozenset({CONTRACTOR, NEAR_THRESHOLD})
LINK_ORDER = (CONTRACTOR, NEAR_THRESHOLD, NEAR, CATEGORY)
METRES_PER_DEGREE_LATITUDE = 110_000  # a little under the least (110,574 m): a safe prefilter
METRES_PER_DEGREE_EQUATOR = 110_000  # under the true 111,320 m, so the box is larger


def category_labels() -> dict[str, str]:
    """Work types by code in the active language: built once per pass, not once a project
    (Django rebuilds a lazy choice label on every `get_category_display()`)."""
    return {value: str(label) for value, label in Project.Category.choices}


@dataclasses.dataclass
class Piece:
    project: Project
    amount: Decimal
    on: dt.date
    date_kind: str
    contractor: str

    @property
    def under(self) -> bool:
        return self.amount < SMALL_PROJECT_LIMIT


class _Groups:
    """Union-find over indices: `join(a, b)` puts them in one group; `groups()` lists each
    group's members in index order (date order here)."""

    def __init__(self, indices: Iterable[int] = ()) -> None:
        self.parent = {i: i for i in indices}

    def root(self, i: int) -> int:
        self.parent.setdefault(i, i)
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        self.parent[self.root(b)] = self.root(a)

    def groups(self) -> dict[int, list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for i in sorted(self.parent):
            members[self.root(i)].append(i)
        return members


def _pieces(ctx: Context) -> dict[int, list[Piece]]:
    """The candidate projects (one query), by village, each village's in date order."""
    projects = (
        Project.objects.annotate(
            amount=Coalesce("contract_amount", "budget_price", output_field=DecimalField()),
            on=Coalesce("contract_signed_on", "contracted_on", "proposed_on"),
        )
        .filter(amount__gt=0, amount__lte=SMALL_PROJECT_LIMIT, on__isnull=False)
        .only(
            "pk",
            "name",
            "village_id",
            "category",
            "contractor",
            "location",
            "contract_signed_on",
            "contracted_on",
        )
        .order_by("village_id", "on", "pk")
    )
    if ctx.villages is not None:
        projects = projects.filter(village_id__in=ctx.villages)
    by_village: dict[int, list[Piece]] = defaultdict(list)
    for project in projects:
        if project.contract_signed_on:
            kind = gettext("contract signed")
        elif project.contracted_on:
            kind = gettext("contracting opened")
        else:
            kind = gettext("proposed")
        by_village[project.village_id].append(
            Piece(project, project.amount, project.on, kind, contractor_key(project.contractor))
        )
    return by_village


def _windows(members: list[int], pieces: list[Piece], days: int, need_sum: bool) -> list[set[int]]:
    """The runs of `members` (indices into `pieces`, in date order) dated within `days` of
    their first, of two or more projects and, if `need_sum`, at or above the threshold
    together. Overlapping runs come out as one set."""
    runs: list[list[int]] = []  # [start, end) in `members`
    end, total = 0, Decimal(0)
    for start, first in enumerate(members):
        if start:
            total -= pieces[members[start - 1]].amount
        while end < len(members) and (pieces[members[end]].on - pieces[first].on).days <= days:
            total += pieces[members[end]].amount
            end += 1
        if end - start >= 2 and (not need_sum or total >= SMALL_PROJECT_LIMIT):
            if runs and runs[-1][1] > start:
                runs[-1][1] = end
            else:
                runs.append([start, end])
    return [set(members[a:b]) for a, b in runs]


def _near_groups(pieces: list[Piece], indices: list[int], days: int, metres: int) -> list[list]:
    """Connected groups of projects within `metres` of each other (and `days`), each in date
    order. A cheap box test in degrees comes first; only pairs that pass it are measured."""
    if not indices:
        return []
    boxes = {i: pieces[i].project.location.extent for i in indices}
    latitude = max(abs(box[3]) for box in boxes.values())
    margin_y = metres / METRES_PER_DEGREE_LATITUDE
    margin_x = metres / (METRES_PER_DEGREE_EQUATOR * max(math.cos(math.radians(latitude)), 0.01))
    near = _Groups(indices)
    by_x = sorted(indices, key=lambda i: boxes[i][0])
    longitude = boxes[by_x[0]][0]
    projected: dict[int, object] = {}

    def metric(i: int):
        if i not in projected:
            projected[i] = in_gk_zone(pieces[i].project.location, longitude)
        return projected[i]

    for n, i in enumerate(by_x):
        for j in by_x[n + 1 :]:
            if boxes[j][0] > boxes[i][2] + margin_x:
                break
            if boxes[j][1] > boxes[i][3] + margin_y or boxes[i][1] > boxes[j][3] + margin_y:
                continue
            if abs((pieces[i].on - pieces[j].on).days) > days or near.root(i) == near.root(j):
                continue
            if metric(i).distance(metric(j)) <= metres:
                near.join(i, j)
    return [group for group in near.groups().values() if len(group) >= 2]


def _groups(pieces: list[Piece], ctx: Context) -> Iterable[tuple[set[int], str]]:
    """(set of indices, link) for every run that qualifies, for each link."""
    under = [i for i, piece in enumerate(pieces) if piece.under]
    by_contractor: dict[str, list[int]] = defaultdict(list)
    by_category: dict[str, list[int]] = defaultdict(list)
    for i in under:
        if pieces[i].contractor:
            by_contractor[pieces[i].contractor].append(i)
        by_category[pieces[i].project.category].append(i)
    window = ctx["window_days"]
    for link, buckets in (
        (CONTRACTOR, by_contractor.values()),
        (CATEGORY, by_category.values()),
        (NEAR, _near_groups(pieces, under, window, ctx["distance_m"])),
    ):
        for members in buckets:
            for run in _windows(members, pieces, window, need_sum=True):
                yield run, link
    low = SMALL_PROJECT_LIMIT * Decimal(ctx["near_low_percent"]) / 100
    near: dict[str, list[int]] = defaultdict(list)
    for i, piece in enumerate(pieces):
        if piece.contractor and low <= piece.amount <= SMALL_PROJECT_LIMIT:
            near[piece.contractor].append(i)
    for members in near.values():
        for run in _windows(members, pieces, ctx["near_days"], need_sum=False):
            yield run, NEAR_THRESHOLD


def _clusters(pieces: list[Piece], ctx: Context) -> list[tuple[list[int], dict[str, set]]]:
    """The qualifying runs merged where they share a project: (indices in date order, the
    projects each link joins)."""
    runs = list(_groups(pieces, ctx))
    clusters = _Groups()
    for run, _link in runs:
        first, *rest = sorted(run)
        for other in rest:
            clusters.join(first, other)
    links: dict[int, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for run, link in runs:
        links[clusters.root(min(run))][link].update(run)
    return [(indices, links[top]) for top, indices in clusters.groups().items()]


def _link_text(link: str, pieces: list[Piece], joined: set[int], ctx: Context) -> str:
    """What the projects `joined` by `link` share, in words."""
    if link in (CONTRACTOR, NEAR_THRESHOLD):
        names = "、".join(sorted({pieces[i].project.contractor.strip() for i in joined}))
        if link == NEAR_THRESHOLD:
            return gettext("a contractor, each close to the threshold (%(names)s)") % {
                "names": names
            }
        return gettext("a contractor (%(names)s)") % {"names": names}
    if link == NEAR:
        return gettext("a site (within %(metres)s m)") % {"metres": ctx["distance_m"]}
    labels = sorted({category_labels()[pieces[i].project.category] for i in joined})
    return gettext("a work type (%(types)s)") % {"types": "、".join(labels)}


def _shown(links: dict[str, set]) -> list[str]:
    """The links to name, strongest first; "one contractor" once if it is also "each close to
    the threshold" for the same projects."""
    shown = [link for link in LINK_ORDER if link in links]
    if (
        CONTRACTOR in shown
        and NEAR_THRESHOLD in shown
        and links[CONTRACTOR] <= links[NEAR_THRESHOLD]
    ):
        shown.remove(CONTRACTOR)
    return shown


@register
class ThresholdSplitting(Rule):
    code = "W05"
    name = _("Works split under the threshold")
    description = _(
        "Projects of one village, each under the 200,000-yuan small-works threshold, that "
        "together reach it and share a contractor, a work type or a site; or projects of one "
        "contractor each close to the threshold."
    )
    message = _(
        "%(count)s projects dated %(first)s to %(last)s, none above %(threshold)s yuan, come to "
        "%(total)s yuan together; they share %(links)s."
    )
    params = {
        "window_days": Param(365, _("projects dated within this many days of each other")),
        "distance_m": Param(300, _("projects within this many metres of each other (m)")),
        "near_days": Param(90, _("close-to-threshold awards within this many days")),
        "near_low_percent": Param(
            Decimal("85"),
            _("close to the threshold: at least this percent of it (%)"),
            maximum=Decimal("100"),
        ),
    }
    reads = ("projects.project",)
    case_category = "money"

    def find(self, ctx: Context):
        categories = category_labels()
        for village_id, pieces in _pieces(ctx).items():
            for indices, links in _clusters(pieces, ctx):
                group = [pieces[i] for i in indices]
                total = sum((piece.amount for piece in group), Decimal(0))
                yield Finding(
                    key=f"group:{group[0].project.pk}",
                    unit_id=village_id,
                    level=Level.RED if RED_LINKS & links.keys() else Level.YELLOW,
                    subject=group[0].project,
                    numbers={
                        "count": len(group),
                        "first": group[0].on.isoformat(),
                        "last": group[-1].on.isoformat(),
                        "total": f"{total:,.2f}",
                        "threshold": f"{SMALL_PROJECT_LIMIT:,.0f}",
                        "links": "；".join(
                            _link_text(link, pieces, links[link], ctx) for link in _shown(links)
                        ),
                    },
                    evidence=[
                        Evidence(
                            piece.project,
                            gettext("%(amount)s yuan, %(kind)s %(on)s; %(category)s; %(who)s")
                            % {
                                "amount": f"{piece.amount:,.2f}",
                                "kind": piece.date_kind,
                                "on": piece.on.isoformat(),
                                "category": categories[piece.project.category],
                                "who": piece.project.contractor.strip() or gettext("no contractor"),
                            },
                        )
                        for piece in group
                    ],
                )
