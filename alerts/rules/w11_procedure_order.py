"""W11: a project whose recorded dates put its procedure out of order (程序倒置).

The enforced procedure (`projects.procedure`) refuses these dates, so they come from records
entered before it was enforced, or imported (`registry.services.save_record`): the warning asks
whether the steps really happened in that order, or the record is wrong. Each check is its own
warning, keyed by the project and the check (`project:<pk>:<check>`):

- `contract-before-guidance`: the contract signed (`contract_signed_on`) before the budget
  guidance price (`budget_priced_on`): the ceiling cannot have bound the price;
- `disclosure-before-resolution`: the resolution made public (Disclosure "resolution", 决议公开)
  before the villagers' representatives passed it (Deliberation "resolution", 村民代表会议决议);
- `result-before-settlement`: the result of the work made public (Disclosure "result",
  实施结果公开) before the settlement audit stage (`settled_on`);
- `stage-dates`: a stage dated before a stage that comes before it in the procedure (the first
  such pair in procedure order).

Yellow: dates out of order in old records are as often a typing slip as a skipped step.
"""

import datetime as dt
import itertools
from collections.abc import Iterator

from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Rule, register
from projects.models import STAGE_DATE_FIELDS, Deliberation, Disclosure, Project

STAGE_PAIRS = list(itertools.combinations(STAGE_DATE_FIELDS.items(), 2))
PROJECT_FIELDS = ("name", "village", "contract_signed_on", *STAGE_DATE_FIELDS.values())
OUT_OF_ORDER = Q(contract_signed_on__lt=F("budget_priced_on")) | Q(
    *(Q(**{f"{field}__lt": F(before)}) for (_b, before), (_s, field) in STAGE_PAIRS),
    _connector=Q.OR,
)


def _finding(
    project: Project,
    check: str,
    what: str,
    on: dt.date,
    before_what: str,
    before: dt.date,
    evidence: list[Evidence],
) -> Finding:
    return Finding(
        key=f"project:{project.pk}:{check}",
        unit_id=project.village_id,
        level=Level.YELLOW,
        subject=project,
        numbers={
            "check": check,
            "what": what,
            "on": on.isoformat(),
            "before_what": before_what,
            "before": before.isoformat(),
        },
        evidence=evidence,
    )


def _dates(project: Project) -> Iterator[Finding]:
    signed, priced = project.contract_signed_on, project.budget_priced_on
    if signed and priced and signed < priced:
        note = gettext("contract signed %(signed)s, guidance price %(priced)s") % {
            "signed": signed.isoformat(),
            "priced": priced.isoformat(),
        }
        yield _finding(
            project,
            "contract-before-guidance",
            gettext("The contract"),
            signed,
            gettext("the budget guidance price"),
            priced,
            [Evidence(project, note)],
        )
    for (before, before_field), (stage, field) in STAGE_PAIRS:
        on, earlier = getattr(project, field), getattr(project, before_field)
        if on is not None and earlier is not None and on < earlier:
            note = gettext("%(stage)s %(on)s, %(before)s %(earlier)s") % {
                "stage": stage.label,
                "on": on.isoformat(),
                "before": before.label,
                "earlier": earlier.isoformat(),
            }
            yield _finding(
                project,
                "stage-dates",
                gettext("The stage “%(stage)s”") % {"stage": stage.label},
                on,
                gettext("the stage “%(stage)s”") % {"stage": before.label},
                earlier,
                [Evidence(project, note)],
            )
            return


def _disclosures(disclosures: list[Disclosure]) -> Iterator[Finding]:
    resolutions = Deliberation.objects.in_bulk(
        {d.resolution_id for d in disclosures if d.kind == Disclosure.Kind.RESOLUTION}
    )
    for disclosure in disclosures:
        project = disclosure.project
        published = Evidence(disclosure, disclosure.published_on.isoformat())
        if disclosure.kind == Disclosure.Kind.RESOLUTION:
            resolution = resolutions[disclosure.resolution_id]
            resolved = Evidence(resolution, resolution.held_on.isoformat())
            yield _finding(
                project,
                "disclosure-before-resolution",
                gettext("The resolution made public"),
                disclosure.published_on,
                gettext("the resolution of the villagers' representatives"),
                resolution.held_on,
                [Evidence(project), published, resolved],
            )
        else:
            yield _finding(
                project,
                "result-before-settlement",
                gettext("The result of the work made public"),
                disclosure.published_on,
                gettext("the settlement audit"),
                project.settled_on,
                [Evidence(project), published],
            )


@register
class ProcedureOrder(Rule):
    code = "W11"
    name = _("Procedure out of order")
    description = _(
        "A project's recorded dates put a step before the one it depends on: a contract signed "
        "before the guidance price, a disclosure before its resolution, stages out of order."
    )
    message = _("%(what)s is dated %(on)s, before %(before_what)s on %(before)s.")
    reads = ("projects.project", "projects.deliberation", "projects.disclosure")
    case_category = "other"

    def find(self, ctx: Context):
        """Three queries: the projects, the disclosures, the resolutions they disclose."""
        projects = Project.objects.filter(OUT_OF_ORDER).only(*PROJECT_FIELDS)
        resolution = Deliberation.objects.filter(
            project=OuterRef("project"), step=Deliberation.Step.RESOLUTION
        )
        disclosures = (
            Disclosure.objects.annotate(
                resolved_on=Subquery(resolution.values("held_on")[:1]),
                resolution_id=Subquery(resolution.values("pk")[:1]),
            )
            .filter(
                Q(kind=Disclosure.Kind.RESOLUTION, published_on__lt=F("resolved_on"))
                | Q(kind=Disclosure.Kind.RESULT, published_on__lt=F("project__settled_on"))
            )
            .select_related("project")
            .only("kind", "published_on", "project", *(f"project__{f}" for f in PROJECT_FIELDS))
        )
        if ctx.villages is not None:
            projects = projects.filter(village_id__in=ctx.villages)
            disclosures = disclosures.filter(project__village_id__in=ctx.villages)
        for project in projects:
            yield from _dates(project)
        yield from _disclosures(list(disclosures))
