"""The approval chain of a payment request, from the power list and the amount (按单操作).

The rules are data (`finance.ApprovalRule`, edited in the admin): a power-list item with rules
of its own uses them, every other item the general chain. A rule applies when the amount is
above its `above`. The shipped general chain (data migration 0002) is the practice elsewhere in
Zhejiang: the village supervision committee (村监委) countersigns and the village head approves;
above 50,000 yuan the township's rural finance office (经管办) too; above 100,000 the township
leader in charge.
"""

from decimal import Decimal

from finance.models import ApprovalRule, PowerItem


def chain_for(power_item: PowerItem, amount: Decimal) -> list[ApprovalRule]:
    """The rules a request for `amount` yuan under `power_item` runs, in order."""
    own = list(ApprovalRule.objects.filter(power_item=power_item))
    rules = own or list(ApprovalRule.objects.filter(power_item__isnull=True))
    return sorted((r for r in rules if amount > r.above), key=lambda r: r.position)


def thresholds(power_item: PowerItem | None = None) -> list[Decimal]:
    """The amounts above which the chain grows (for warnings about splitting), ascending."""
    rules = ApprovalRule.objects.filter(power_item=power_item) if power_item else None
    if not rules or not rules.exists():
        rules = ApprovalRule.objects.filter(power_item__isnull=True)
    return sorted({r.above for r in rules if r.above > 0})
