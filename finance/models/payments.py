"""Village money (资金): payees, payment requests with their approval chain and vouchers, and
money received. Money moves only through a request approved along its chain and paid by bank
transfer (去现金化); there is no cash anywhere in these tables.

Amounts are yuan with two decimals (分), at most 9,999,999,999.99.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from finance.models.powers import PowerItem
from leasing.models import Lease
from projects.models import Project, Stage
from registry.models import AdminUnit
from registry.models.base import TimeStampedModel
from registry.privacy import public_name
from registry.roles import ROLE_LABELS, Role
from registry.storage import private_storage

MONEY = {"max_digits": 12, "decimal_places": 2}
ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in Role.APPROVERS]


class Payee(TimeStampedModel):
    """Who a village pays: a company, a cooperative or a person, with the bank account paid to.

    A person's ID-card and account numbers are restricted; the public sees a company's or
    cooperative's name in full and a person's family name only (张**)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        COOPERATIVE = "cooperative", _("Cooperative")
        PERSON = "person", _("Person")

    PUBLIC_FIELDS = ("village", "kind", "public_name", "bank_name")

    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="payees",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    kind = models.CharField(_("payee kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("统一社会信用代码: 18 characters, for a company or cooperative."),
    )
    id_number = models.CharField(
        _("ID-card number"), max_length=18, blank=True, help_text=_("A person's only; restricted.")
    )
    bank_name = models.CharField(_("bank"), max_length=60)
    account_name = models.CharField(_("account holder"), max_length=100)
    account_number = models.CharField(_("account number"), max_length=34)

    class Meta:
        verbose_name = _("payee")
        verbose_name_plural = _("payees")
        ordering = ["village", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "account_number"], name="one_payee_per_account_per_village"
            )
        ]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        kind = "person" if self.kind == self.Kind.PERSON else "organisation"
        return public_name(self.name, kind)

    @property
    def account_tail(self) -> str:
        """The last four digits, the way a bank slip shows an account (尾号1234)."""
        return self.account_number[-4:]


class ApprovalRule(models.Model):
    """One step of the approval chain, as data: who approves, from which amount, for which
    power-list item (or for every item when empty).

    A request's chain is the rules of its item (when the item has any, else the general rules)
    whose `above` is below the amount, in `position` order. The default (practice elsewhere in
    Zhejiang): the village supervision committee countersigns and the village head approves;
    above 50,000 yuan the township's rural finance office too; above 100,000 the township
    leader in charge."""

    PUBLIC_FIELDS = ("power_item", "position", "role", "above", "label")

    power_item = models.ForeignKey(
        PowerItem,
        verbose_name=_("power list item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="approval_rules",
        help_text=_("Empty: the rule is part of the general chain."),
    )
    position = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("approver"), max_length=20, choices=ROLE_CHOICES)
    above = models.DecimalField(
        _("for amounts above (yuan)"),
        **MONEY,
        default=0,
        validators=[MinValueValidator(0)],
    )
    label = models.CharField(_("step"), max_length=60)

    class Meta:
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        ordering = ["power_item__number", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["power_item", "position"],
                name="one_approval_rule_per_position",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=Q(above__gte=0), name="approval_rule_above_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def village_id_for_scope(self) -> None:
        return None


class PaymentRequest(TimeStampedModel):
    """A request to pay money out of the village's account (用款申请), from the bookkeeper's
    draft through its approval chain to the bank transfer. Approved, it is locked: a correction
    is a new version (`supersedes`), which runs the chain again."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved, awaiting payment")
        REFUSED = "refused", _("Refused")
        PAID = "paid", _("Paid by bank transfer")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUPERSEDED = "superseded", _("Replaced by a corrected version")

    class Category(models.TextChoices):
        """Expenditure categories of the village accounts (村集体经济组织会计制度's headings)."""

        WORKS = "works", _("Works and construction")
        PURCHASES = "purchases", _("Goods and services")
        WAGES = "wages", _("Cadres' pay and labour")
        ADMINISTRATION = "administration", _("Administration")
        WELFARE = "welfare", _("Public welfare")
        REFUNDS = "refunds", _("Deposits and refunds")
        OTHER = "other", _("Other")

    OPEN_STATES = (State.DRAFT, State.PENDING)
    COMMITTED_STATES = (State.PENDING, State.APPROVED, State.PAID)
    PUBLIC_FIELDS = (
        "village",
        "number",
        "version",
        "payee",
        "amount",
        "purpose",
        "category",
        "power_item",
        "project",
        "project_stage",
        "state",
        "submitted_at",
        "approved_at",
        "paid_on",
        "bank_reference",
    )

    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="payment_requests",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    number = models.CharField(_("request number"), max_length=20)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    client_uuid = models.UUIDField(
        _("submission id"),
        default=uuid.uuid4,
        unique=True,
        help_text=_("The phone's id for the draft: a resent form finds the draft it made."),
    )
    payee = models.ForeignKey(
        Payee, verbose_name=_("payee"), on_delete=models.PROTECT, related_name="requests"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=200)
    category = models.CharField(_("budget category"), max_length=16, choices=Category.choices)
    power_item = models.ForeignKey(
        PowerItem,
        verbose_name=_("power list item"),
        on_delete=models.PROTECT,
        related_name="payment_requests",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_requests",
    )
    project_stage = models.CharField(
        _("project stage paid for"), max_length=12, choices=Stage.choices, blank=True
    )
    lease = models.ForeignKey(
        Lease,
        verbose_name=_("lease (refund)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_requests",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    decided_at = models.DateTimeField(_("refused or withdrawn"), null=True, blank=True)
    paid_on = models.DateField(_("bank transfer date"), null=True, blank=True)
    bank_reference = models.CharField(_("bank transfer reference"), max_length=40, blank=True)
    paid_at = models.DateTimeField(_("payment recorded"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    time_to_paid = models.DurationField(_("draft to paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["village", "-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "number", "version"], name="one_payment_request_version"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                name="paid_only_by_bank_transfer",
                condition=~Q(state="paid") | (~Q(bank_reference="") & Q(paid_on__isnull=False)),
                violation_error_message=_(
                    "A payment is made by bank transfer: give the transfer's reference and date."
                ),
            ),
        ]
        indexes = [models.Index(fields=["village", "state", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.payee.public_name} {self.amount}"

    def get_absolute_url(self) -> str:
        return reverse("finance:request-detail", args=[self.pk])

    def get_public_url(self) -> str | None:
        """The page anyone may read (the public log links here), once submitted."""
        if self.state == self.State.DRAFT:
            return None
        return reverse("finance:payment", args=[self.pk])

    @property
    def reference(self) -> str:
        """The number people quote: YK2026-0012, or YK2026-0012 v2 for a correction."""
        return self.number if self.version == 1 else f"{self.number} v{self.version}"

    @property
    def locked(self) -> bool:
        return self.state not in (self.State.DRAFT,)


class ApprovalStep(models.Model):
    """One step of a submitted request's chain, copied from the rules when it was submitted, so
    a later change of the rules does not change a chain already running."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Not needed")

    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("payment request"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    position = models.PositiveSmallIntegerField(_("order"))
    role = models.CharField(_("approver"), max_length=20, choices=ROLE_CHOICES)
    label = models.CharField(_("step"), max_length=60)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason or remark"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="one_step_per_position"),
            models.CheckConstraint(
                name="refusal_has_reason",
                condition=~Q(decision="refused") | ~Q(reason=""),
                violation_error_message=_("Say why the request is refused."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.reference} · {self.label}"


SUFFIXES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def voucher_path(instance: "Voucher", filename: str) -> str:
    """A random name with the detected type's suffix, never the uploader's name."""
    suffix = SUFFIXES.get(instance.content_type, "bin")
    return f"vouchers/{instance.request.village_id}/{uuid.uuid4().hex}.{suffix}"


class Voucher(models.Model):
    """An invoice, receipt or contract behind a request (原始凭证): PDF or photo, stored with its
    SHA-256. The file is for staff of the village's units (it may carry personal data); the
    public sees its kind, title, size and hash."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        RECEIPT = "receipt", _("Receipt")
        CONTRACT = "contract", _("Contract")
        OTHER = "other", _("Other")

    PUBLIC_FIELDS = ("kind", "title", "sha256", "size", "content_type")

    request = models.ForeignKey(
        PaymentRequest,
        verbose_name=_("payment request"),
        on_delete=models.PROTECT,
        related_name="vouchers",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), upload_to=voucher_path, storage=private_storage, max_length=200
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("file type"), max_length=60)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["request", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "sha256"], name="one_voucher_file_per_request"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def village_id_for_scope(self) -> int:
        return self.request.village_id


class Receipt(TimeStampedModel):
    """Money the village received, banked (去现金化: no cash kept): subsidies, fees, interest.
    Rent is recorded on its lease (`leasing.LeasePayment`) and counted from there."""

    class Category(models.TextChoices):
        SUBSIDY = "subsidy", _("Subsidies from above")
        CONTRACTING = "contracting", _("Contracting and resource fees")
        INVESTMENT = "investment", _("Investment income and interest")
        OTHER = "other", _("Other income")

    PUBLIC_FIELDS = ("village", "category", "payer", "amount", "received_on", "banked_on", "note")

    village = models.ForeignKey(
        AdminUnit,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="receipts",
        limit_choices_to={"level": AdminUnit.Level.VILLAGE},
    )
    category = models.CharField(_("income category"), max_length=12, choices=Category.choices)
    payer = models.CharField(_("paid by"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("received on"))
    banked_on = models.DateField(_("banked on"))
    bank_reference = models.CharField(_("bank reference"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["village", "-banked_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            models.CheckConstraint(
                condition=Q(banked_on__gte=models.F("received_on")),
                name="receipt_banked_after_received",
                violation_error_message=_("Money cannot be banked before it is received."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount}"
