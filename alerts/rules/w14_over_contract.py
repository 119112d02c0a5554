"""W14: payments above what a project may be paid (超合同付款), and a project whose "paid so far"
is not what its bank payments add up to.

What may be paid against a project is its contract amount, or its audited settlement once there
is one (`finance.services.project_cap`). The services refuse a request that would pass it, at
submission, at the last approval and at the payment, so this rule catches what came around them:
a settlement audited below what was already paid or approved, records imported from another
system, a change in the admin. The amount counted is every request paid, approved or awaiting
approval (`finance.services.project_committed`): red when it passes the cap by more than
`red_percent` % (by default by anything), yellow when it passes it by less. A project with money
committed and no contract at all is red.

A project's "paid so far" (`Project.paid_amount`) is computed from its requests paid by bank
transfer (`finance.services.project_paid`); a figure that differs by at least `min_difference`
yuan was typed or imported, not paid here: yellow.

One query sums each project's requests; one more reads the requests of the projects found.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerts.models import Level
from alerts.rules import Context, Evidence, Finding, Param, Rule, register
from finance.models import PaymentRequest
from projects.models import Project

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
State = PaymentRequest.State


def _sum(states: tuple[str, ...]):
    return Coalesce(
        Sum("payment_requests__amount", filter=Q(payment_requests__state__in=states)),
        ZERO,
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


@register
class OverContract(Rule):
    code = "W14"
    name = _("Payments above the project's contract")
    description = _(
        "The payments paid, approved or awaiting approval against a project come to more than "
        "its contract (or its audited settlement once there is one), or the project's "
        "paid-so-far figure is not what its bank payments add up to."
    )
    message = _(
        "%(committed)s yuan is paid, approved or awaiting approval against %(cap_what)s "
        "(%(cap)s yuan); %(paid)s yuan of it paid by bank transfer, and the project says "
        "%(recorded)s yuan paid so far."
    )
    # What the cap is, in the reader's language (the finding stores only its kind).
    cap_words = {
        "none": _("a project without a contract"),
        "settlement": _("its audited settlement"),
        "contract": _("its contract"),
    }

    def explain(self, numbers: dict) -> str:
        words = self.cap_words.get(numbers.get("cap_kind", ""), "")
        return super().explain({**numbers, "cap_what": str(words)})

    number_labels = {
        "committed": _("paid, approved or awaiting approval (yuan)"),
        "over": _("above the cap (yuan)"),
        "paid": _("paid by bank transfer (yuan)"),
        "recorded": _("the project's paid-so-far figure (yuan)"),
    }
    params = {
        "red_percent": Param(
            Decimal("0"),
            _("red when more than this many percent above the contract or settlement (%)"),
        ),
        "min_difference": Param(
            Decimal("0.01"),
            _("a paid-so-far figure this far from the bank payments is a warning (yuan)"),
            Decimal("0.01"),
        ),
    }
    reads = ("finance.paymentrequest", "projects.project")
    case_category = "money"

    def find(self, ctx: Context):
        projects = (
            Project.objects.annotate(
                committed=_sum(PaymentRequest.COMMITTED_STATES),
                paid=_sum((State.PAID,)),
                cap=Coalesce("settlement_amount", "contract_amount"),
            )
            .filter(
                Q(committed__gt=F("cap"))
                | Q(cap__isnull=True, committed__gt=0)
                | ~Q(paid_amount=F("paid"))
            )
            .only("pk", "name", "village_id", "contract_amount", "settlement_amount", "paid_amount")
            .order_by("pk")
        )
        if ctx.villages is not None:
            projects = projects.filter(village_id__in=ctx.villages)
        red_factor = 1 + Decimal(ctx["red_percent"]) / 100
        found = []
        for project in projects:
            over = project.cap is None or project.committed > project.cap
            differs = abs(project.paid_amount - project.paid) >= ctx["min_difference"]
            if over or differs:
                found.append((project, over, differs))
        requests = defaultdict(list)
        rows = (
            PaymentRequest.objects.filter(
                project__in=[p for p, over, _d in found if over],
                state__in=PaymentRequest.COMMITTED_STATES,
            )
            .select_related("payee")
            .order_by("project_id", "pk")
        )
        for request in rows:
            requests[request.project_id].append(request)
        for project, over, differs in found:
            cap = project.cap
            red = over and (cap is None or project.committed > cap * red_factor)
            if cap is None:
                cap_kind = "none"
            elif project.settlement_amount is not None:
                cap_kind = "settlement"
            else:
                cap_kind = "contract"
            notes = []
            if over:
                notes.append(
                    gettext("%(committed)s yuan committed, %(cap)s yuan allowed.")
                    % {"committed": f"{project.committed:,.2f}", "cap": f"{cap or 0:,.2f}"}
                )
            if differs:
                notes.append(
                    gettext("Paid so far says %(recorded)s yuan; bank payments add up to %(paid)s.")
                    % {"recorded": f"{project.paid_amount:,.2f}", "paid": f"{project.paid:,.2f}"}
                )
            yield Finding(
                key=f"project:{project.pk}",
                unit_id=project.village_id,
                level=Level.RED if red else Level.YELLOW,
                subject=project,
                numbers={
                    "committed": f"{project.committed:,.2f}",
                    "cap": f"{cap or 0:,.2f}",
                    "cap_kind": cap_kind,
                    "over": f"{max(project.committed - (cap or 0), Decimal(0)):,.2f}",
                    "paid": f"{project.paid:,.2f}",
                    "recorded": f"{project.paid_amount:,.2f}",
                },
                evidence=[
                    Evidence(project, " ".join(notes)),
                    *(
                        Evidence(
                            r,
                            gettext("%(amount)s yuan; %(state)s")
                            % {"amount": f"{r.amount:,.2f}", "state": r.get_state_display()},
                        )
                        for r in requests[project.pk]
                    ),
                ],
            )
