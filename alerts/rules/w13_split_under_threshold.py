"""W13: payments split to stay under an approval threshold (拆分支付规避审批).

The approval chain grows with the amount (`finance.chains`): by default the township's rural
finance office approves too above 50,000 yuan, and the township leader above 100,000. One payment
cut into several, each a little under such a threshold, escapes those approvers. Looked for in
each village: requests to one payee, each within `below_percent` % under one threshold (at most
the threshold itself: a chain step applies only above it), dated within `window_days` of the
first of them, two or more together above the threshold. Red from `red_count` requests, or when
together they pass the next threshold as well.

The requests counted are those awaiting approval, approved or paid; drafts, refused, withdrawn
and superseded ones moved no money. A request is dated by its submission (when it entered the
chain it was cut to avoid). The thresholds are each power-list item's own when it has approval
rules of its own, else the general chain's, as `finance.chains.thresholds` reads them; here all
of them are read in one query.

Runs that overlap are one condition, keyed by the payee, the threshold and the earliest request,
so a request joining later refreshes the same warning. Two queries: the rules, the requests.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from finance.models import ApprovalRule, PaymentRequest


def _thresholds() -> tuple[list[Decimal], dict[int, list[Decimal]]]:
    """The general chain's thresholds, and those of each power-list item with rules of its own
    (an item's own rules replace the general chain: `finance.chains.chain_for`)."""
    general: set[Decimal] = set()
    own: dict[int, set[Decimal]] = defaultdict(set)
    for item_id, above in ApprovalRule.objects.values_list("power_item_id", "above"):
        target = general if item_id is None else own[item_id]
        if above > 0:
            target.add(above)
    return sorted(general), {item: sorted(values) for item, values in own.items()}


def _runs(pieces: list, days: int, threshold: Decimal) -> list[list]:
    """The runs of `pieces` (date order) dated within `days` of their first, of two or more
    together above `threshold`; overlapping runs merged."""
    runs: list[list[int]] = []
    end, total = 0, Decimal(0)
    for start, first in enumerate(pieces):
        if start:
            total -= pieces[start - 1].amount
        while end < len(pieces) and (pieces[end].on - first.on).days <= days:
            total += pieces[end].amount
            end += 1
        if end - start >= 2 and total > threshold:
            if runs and runs[-1][1] > start:
                runs[-1][1] = end
            else:
                runs.append([start, end])
    return [pieces[a:b] for a, b in runs]


@register
class SplitUnderThreshold(Rule):
    code = "W13"
    name = _("Payments split under an approval threshold")
    description = _(
        "Several payment requests of one village to one payee within a month, each just under "
        "an amount above which more approvers must sign, together above it."
    )
    message = _(
        "%(count)s requests to %(payee)s dated %(first)s to %(last)s, each just under "
        "%(threshold)s yuan (the amount above which more approvers sign), come to %(total)s "
        "yuan together."
    )
    number_labels = {
        "count": _("requests"),
        "total": _("together (yuan)"),
        "threshold": _("approval threshold (yuan)"),
    }
    params = {
        "window_days": Param(30, _("requests dated within this many days of the first (days)"), 1),
        "below_percent": Param(
            Decimal("10"),
            _("just under a threshold: at most this many percent below it (%)"),
            maximum=Decimal("100"),
        ),
        "red_count": Param(
            3, _("red from this many requests (or when together above the next threshold)"), 2
        ),
    }
    reads = ("finance.paymentrequest",)
    case_category = "money"

    def find(self, ctx: Context):
        general, own = _thresholds()
        if not general and not own:
            return
        requests = (
            PaymentRequest.objects.filter(state__in=PaymentRequest.COMMITTED_STATES)
            .annotate(dated=Coalesce("submitted_at", "created"))
            .select_related("payee")
            .order_by("village_id", "payee_id", "dated", "pk")
        )
        if ctx.villages is not None:
            requests = requests.filter(village_id__in=ctx.villages)
        share = 1 - Decimal(ctx["below_percent"]) / 100
        groups: dict[tuple[int, int, Decimal], list] = defaultdict(list)
        ladders: dict[tuple[int, int, Decimal], list[Decimal]] = {}
        for request in requests:
            ladder = own.get(request.power_item_id, general)
            for threshold in ladder:
                if threshold * share <= request.amount <= threshold:
                    request.on = timezone.localtime(request.dated).date()
                    key = (request.village_id, request.payee_id, threshold)
                    groups[key].append(request)
                    ladders[key] = ladder
        for (village_id, payee_id, threshold), pieces in groups.items():
            higher = [t for t in ladders[(village_id, payee_id, threshold)] if t > threshold]
            for run in _runs(pieces, ctx["window_days"], threshold):
                total = sum((r.amount for r in run), Decimal(0))
                red = len(run) >= ctx["red_count"] or bool(higher and total > higher[0])
                yield Finding(
                    key=f"payee:{payee_id}:{threshold:.2f}:{run[0].pk}",
                    unit_id=village_id,
                    level=Level.RED if red else Level.YELLOW,
                    subject=run[0],
                    numbers={
                        "count": len(run),
                        "payee": run[0].payee.public_name,
                        "first": run[0].on.isoformat(),
                        "last": run[-1].on.isoformat(),
                        "threshold": f"{threshold:,.2f}",
                        "total": f"{total:,.2f}",
                    },
                    evidence=[
                        Evidence(
                            r,
                            gettext("%(amount)s yuan, submitted %(on)s; %(state)s")
                            % {
                                "amount": f"{r.amount:,.2f}",
                                "on": r.on.isoformat(),
                                "state": r.get_state_display(),
                            },
                        )
                        for r in run
                    ],
                )
