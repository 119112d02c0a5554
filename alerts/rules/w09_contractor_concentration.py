"""W09: one contractor holds most of a township's small works (承包单位集中), after the
concentration flags of the DOZORRO / Kyrgyz set and Open Contracting's red-flag guide
("a supplier wins a disproportionate share of one buyer's contracts"), with the township as
the market: contractors work across its villages.

Over the `window_days` up to today, an award is a project with a contract (its amount and a
contractor), dated by the day the contract was signed, else the day the contracting stage
opened. A contractor with at least `min_awards` awards worth more than `share_percent` % of the
value of all awards in the township is yellow; more than `red_percent` % is red. Contractor names
are compared after NFKC, case folding and space folding, so "瑞安市ＡＢ建设 " and "瑞安市ab建设"
are one contractor.

The finding belongs to the township (`township_wide`): evaluated for some villages, the rule
reads every village of their townships.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from alerts.rules.common import contractor_key
from projects.models import Project
from registry.models import AdminUnit


@register
class ContractorConcentration(Rule):
    code = "W09"
    name = _("One contractor holds most of the township's works")
    description = _(
        "One contractor has won more than a set share of the value of a township's small works "
        "over the last year, with several awards."
    )
    message = _(
        "%(contractor)s won %(count)s awards worth %(value)s yuan, %(share)s%% of the "
        "%(total)s yuan of small works awarded in the township from %(start)s to %(until)s."
    )
    ordered = (("share_percent", "red_percent"),)
    params = {
        "share_percent": Param(
            Decimal("50"), _("yellow above this share of the value (%)"), maximum=Decimal("100")
        ),
        "red_percent": Param(
            Decimal("75"), _("red above this share of the value (%)"), maximum=Decimal("100")
        ),
        "min_awards": Param(3, _("at least this many awards"), minimum=1),
        "window_days": Param(365, _("awards of this many days up to today"), minimum=1),
    }
    reads = ("projects.project",)
    date_driven = True
    township_wide = True
    case_category = "money"

    def find(self, ctx: Context):
        start = ctx.today - dt.timedelta(days=ctx["window_days"] - 1)
        awards = (
            Project.objects.exclude(contractor="")
            .annotate(
                awarded_on=Coalesce("contract_signed_on", "contracted_on"),
                township_id=F("village__parent_id"),
            )
            .filter(
                contract_amount__gt=0,
                awarded_on__gte=start,
                awarded_on__lte=ctx.today,
                township_id__isnull=False,
            )
            .only("pk", "name", "village_id", "contractor", "contract_amount")
            .order_by("awarded_on", "pk")
        )
        if ctx.villages is not None:
            townships = AdminUnit.objects.filter(pk__in=ctx.villages).values("parent_id")
            awards = awards.filter(village__parent_id__in=townships)
        totals: dict[int, Decimal] = defaultdict(Decimal)
        by_contractor: dict[tuple[int, str], list[Project]] = defaultdict(list)
        for project in awards:
            totals[project.township_id] += project.contract_amount
            name = contractor_key(project.contractor)
            if name:
                by_contractor[(project.township_id, name)].append(project)
        found = []
        for (township_id, name), won in by_contractor.items():
            value = sum((p.contract_amount for p in won), Decimal(0))
            share = value / totals[township_id] * 100
            if len(won) >= ctx["min_awards"] and share > ctx["share_percent"]:
                found.append((township_id, name, won, value, share))
        units = AdminUnit.objects.in_bulk({township_id for township_id, *_rest in found})
        for township_id, name, won, value, share in found:
            yield Finding(
                key=f"township:{township_id}:contractor:{name}",
                unit_id=township_id,
                level=Level.RED if share > ctx["red_percent"] else Level.YELLOW,
                subject=units[township_id],
                numbers={
                    "contractor": won[0].contractor.strip(),
                    "count": len(won),
                    "value": f"{value:,.2f}",
                    "share": f"{share:.1f}",
                    "total": f"{totals[township_id]:,.2f}",
                    "start": start.isoformat(),
                    "until": ctx.today.isoformat(),
                },
                evidence=[
                    Evidence(
                        units[township_id],
                        gettext("small works awarded in the township: %(total)s yuan")
                        % {"total": f"{totals[township_id]:,.2f}"},
                    ),
                    *(
                        Evidence(
                            project,
                            gettext("%(amount)s yuan, awarded %(on)s")
                            % {
                                "amount": f"{project.contract_amount:,.2f}",
                                "on": project.awarded_on.isoformat(),
                            },
                        )
                        for project in won
                    ),
                ],
            )
