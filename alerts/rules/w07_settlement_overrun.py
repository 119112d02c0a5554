"""W07: an audited settlement above the contract by more than SETTLEMENT_OVERRUN_PERCENT
(结算超合同), the red flag KRAI17 of the DOZORRO / Kyrgyz set (the final price well above the
contract price). Yellow past the setting, red past `red_percent`.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from projects.models import Project


@register
class SettlementOverrun(Rule):
    code = "W07"
    name = _("Settlement above the contract")
    description = _("A project's audited settlement is well above its contract amount.")
    message = _(
        "The audited settlement (%(settlement)s yuan) is %(over_percent)s%% above the contract "
        "(%(contract)s yuan); more than %(allowed)s%% is flagged."
    )
    ordered = (("overrun_percent", "red_percent"),)
    params = {
        "overrun_percent": Param(
            Decimal(settings.SETTLEMENT_OVERRUN_PERCENT),
            _("yellow when the settlement is more than this many percent over the contract (%)"),
        ),
        "red_percent": Param(Decimal("30"), _("red when more than this many percent over (%)")),
    }
    reads = ("projects.project",)
    case_category = "money"

    def find(self, ctx: Context):
        yellow = 1 + Decimal(ctx["overrun_percent"]) / 100
        red = 1 + Decimal(ctx["red_percent"]) / 100
        projects = Project.objects.filter(
            contract_amount__gt=0, settlement_amount__gt=F("contract_amount") * yellow
        ).only("pk", "name", "village_id", "contract_amount", "settlement_amount")
        if ctx.villages is not None:
            projects = projects.filter(village_id__in=ctx.villages)
        for project in projects:
            over = (project.settlement_amount / project.contract_amount - 1) * 100
            yield Finding(
                key=f"project:{project.pk}",
                unit_id=project.village_id,
                level=Level.RED
                if project.settlement_amount > project.contract_amount * red
                else Level.YELLOW,
                subject=project,
                numbers={
                    "settlement": f"{project.settlement_amount:,.2f}",
                    "contract": f"{project.contract_amount:,.2f}",
                    "over_percent": f"{over:.1f}",
                    "allowed": f"{ctx['overrun_percent']}",
                },
                evidence=[Evidence(project)],
            )
