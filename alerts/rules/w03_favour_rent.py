"""W03: rent below the valuation by more than FAVOUR_RENT_PERCENT, a possible favour rent (人情租).

The valuation is the lease's assessed annual rent (租金评估, `Lease.valuation`). Yellow when the
annual rent is more than `percent` (settings.FAVOUR_RENT_PERCENT, 20) below it, as
`Lease.is_favour_rent` shows on the public pages; red when more than `red_percent` (40) below.
A rent exactly at the limit is not a warning. Only leases not yet ended are read. One query.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from leasing.models import Lease


@register
class FavourRent(Rule):
    code = "W03"
    name = _("Rent well below the valuation (favour rent)")
    description = _(
        "A running or future lease's annual rent is well below the assessed rent of the asset: "
        "a possible favour rent (人情租)."
    )
    message = _(
        "The annual rent (%(rent)s yuan) is %(below_percent)s%% below the assessed rent "
        "(%(valuation)s yuan); more than %(allowed)s%% below is flagged."
    )
    ordered = (("percent", "red_percent"),)
    params = {
        "percent": Param(
            Decimal(settings.FAVOUR_RENT_PERCENT),
            _("yellow when the rent is more than this many percent below the valuation (%)"),
            Decimal("0"),
            Decimal("100"),
        ),
        "red_percent": Param(
            Decimal("40"),
            _("red when more than this many percent below (%)"),
            Decimal("0"),
            Decimal("100"),
        ),
    }
    reads = ("leasing.lease",)
    date_driven = True
    case_category = "lease"

    def find(self, ctx: Context):
        yellow = 1 - Decimal(ctx["percent"]) / 100
        red = 1 - Decimal(ctx["red_percent"]) / 100
        leases = (
            Lease.objects.filter(
                end_on__gt=ctx.today, valuation__gt=0, annual_rent__lt=F("valuation") * yellow
            )
            .select_related("asset")
            .only(
                "pk",
                "tenant_name",
                "tenant_kind",
                "annual_rent",
                "valuation",
                "asset__name",
                "asset__village",
            )
            .order_by("pk")
        )
        if ctx.villages is not None:
            leases = leases.filter(asset__village_id__in=ctx.villages)
        for lease in leases:
            below = (1 - lease.annual_rent / lease.valuation) * 100
            yield Finding(
                key=f"lease:{lease.pk}",
                unit_id=lease.asset.village_id,
                level=Level.RED if lease.annual_rent < lease.valuation * red else Level.YELLOW,
                subject=lease,
                numbers={
                    "rent": f"{lease.annual_rent:,.2f}",
                    "valuation": f"{lease.valuation:,.2f}",
                    "below_percent": f"{below:.1f}",
                    "allowed": f"{ctx['percent']}",
                },
                evidence=[
                    Evidence(
                        lease,
                        gettext("Annual rent %(rent)s yuan; assessed rent %(valuation)s yuan.")
                        % {
                            "rent": f"{lease.annual_rent:,.2f}",
                            "valuation": f"{lease.valuation:,.2f}",
                        },
                    )
                ],
            )
