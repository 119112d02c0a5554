"""Village money's panels on lower apps' pages (`registry.panels`).

On a plaque's record page: the power-list item the record follows (按单操作), and for a project
its payments by bank transfer against its cap. On a village's page: the risk points of its posts
and a link to its monthly disclosures (三务公开). Both say only what is public: the pages are
shared among anonymous visitors (`portal.pagecache`), keyed by the log's head, which every
write here moves.
"""

from decimal import Decimal

from django.apps import AppConfig
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from finance import powers, services
from finance.models import PaymentRequest
from leasing.models import Auction, Lease
from projects.models import Project
from registry import panels
from registry.models import AdminUnit, Asset


def _following(record, what: str) -> dict | None:
    item = powers.item_for(record)
    return {"what": what, "item": item} if item is not None else None


def _asset_rows(asset: Asset) -> list[dict]:
    """The items an asset's running lease and its announced auctions follow."""
    today = timezone.localdate()
    rows = []
    lease = asset.leases.filter(start_on__lte=today, end_on__gt=today).order_by("-start_on").first()
    if lease is not None:
        rows.append(_following(lease, _("Current lease")))
    auctions = asset.auctions.filter(status=Auction.Status.ANNOUNCED).order_by("held_on", "pk")
    rows += [_following(auction, auction.title) for auction in auctions]
    return [row for row in rows if row is not None]


def record_panel(request: HttpRequest, obj: object = None) -> str:
    """The item a project, lease or auction follows, with a project's payments; an asset's
    running lease and announced auctions."""
    context: dict = {}
    if isinstance(obj, Project):
        context["rows"] = [row for row in [_following(obj, _("This project"))] if row]
        payments = list(
            obj.payment_requests.filter(state=PaymentRequest.State.PAID)
            .select_related("payee")
            .order_by("paid_on", "pk")
        )
        context |= {
            "project": obj,
            # `services.project_paid`, from the rows listed rather than a query of its own
            "paid": sum((r.amount for r in payments), Decimal("0")),
            "cap": services.project_cap(obj),
            "capped_by_settlement": obj.settlement_amount is not None,
            "payments": payments,
        }
    elif isinstance(obj, Asset):
        context["rows"] = _asset_rows(obj)
    elif isinstance(obj, Auction):  # on the auction's own page
        context["rows"] = [row for row in [_following(obj, _("This auction"))] if row]
    elif isinstance(obj, Lease):
        context["rows"] = [row for row in [_following(obj, str(obj))] if row]
    if not context.get("rows") and "project" not in context:
        return ""
    return render_to_string("finance/panels/record.html", context, request=request)


def unit_panel(request: HttpRequest, obj: object = None) -> str:
    """On a village's page: its posts' risk points and its monthly disclosures."""
    if not isinstance(obj, AdminUnit) or obj.level != AdminUnit.Level.VILLAGE:
        return ""
    groups = powers.risk_points_for(obj)
    context = {
        "unit": obj,
        "groups": groups,
        "sample": any(p.sample for points in groups.values() for p in points),
        "sample_notice": powers.SAMPLE_NOTICE,
    }
    return render_to_string("finance/panels/unit.html", context, request=request)


def connect(app: AppConfig) -> None:
    """Register this module's part when Django starts (see finance.hooks)."""
    panels.register("record", record_panel, name="finance")
    panels.register("unit", unit_panel, name="finance")
