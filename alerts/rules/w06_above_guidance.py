"""W06: a contract above the budget guidance price (合同价超过预算指导价).

The guidance price is the third-party ceiling of the small-works procedure (Rui'an's 村级小额工程
规范); a contract may exceed it only with a reason, and every such contract is a yellow warning,
red when it is more than `red_percent` over.
"""

from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from projects.models import Project


@register
class AboveGuidance(Rule):
    code = "W06"
    name = _("Contract above the guidance price")
    description = _("A project's contract amount is above its budget guidance price.")
    message = _(
        "The contract (%(contract)s yuan) is %(over_percent)s%% above the budget guidance price "
        "(%(guidance)s yuan)."
    )
    params = {
        "red_percent": Param(Decimal("10"), _("red when more than this many percent over (%)")),
    }
    reads = ("projects.project",)
    case_category = "money"

    def find(self, ctx: Context):
        projects = Project.objects.filter(
            contract_amount__gt=F("budget_price"), budget_price__gt=0
        ).only("pk", "name", "village_id", "contract_amount", "budget_price")
        if ctx.villages is not None:
            projects = projects.filter(village_id__in=ctx.villages)
        red_factor = 1 + Decimal(ctx["red_percent"]) / 100
        for project in projects:
            over = (project.contract_amount / project.budget_price - 1) * 100
            yield Finding(
                key=f"project:{project.pk}",
                unit_id=project.village_id,
                level=Level.RED
                if project.contract_amount > project.budget_price * red_factor
                else Level.YELLOW,
                subject=project,
                numbers={
                    "contract": f"{project.contract_amount:,.2f}",
                    "guidance": f"{project.budget_price:,.2f}",
                    "over_percent": f"{over:.1f}",
                },
                evidence=[Evidence(project)],
            )
