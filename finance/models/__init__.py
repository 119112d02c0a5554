from finance.models.disclosures import DisclosureQuestion, MonthlyDisclosure
from finance.models.payments import (
    ApprovalRule,
    ApprovalStep,
    Payee,
    PaymentRequest,
    Receipt,
    Voucher,
)
from finance.models.powers import PowerItem, PowerLink, PowerStep, RiskPoint

__all__ = [
    "ApprovalRule",
    "ApprovalStep",
    "DisclosureQuestion",
    "MonthlyDisclosure",
    "Payee",
    "PaymentRequest",
    "PowerItem",
    "PowerLink",
    "PowerStep",
    "Receipt",
    "RiskPoint",
    "Voucher",
]
