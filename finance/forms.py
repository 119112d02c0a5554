"""The staff forms of village money: a payment request and its vouchers, what approvers and
the bookkeeper do with it, payees and money received. They parse what a browser sends and
say which field is wrong; the services (`finance.services`) check everything else (the
village, the chain, the state, the bank account) and their reasons are shown on these forms.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finance import money, services
from finance.models import Payee, PaymentRequest, PowerItem, Receipt, Voucher
from leasing.models import Lease
from projects.models import Project, Stage
from registry.models import AdminUnit
from supervision.forms import LongText

MONTH = r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class VoucherFiles(forms.FileField):
    """One or more files under one name (a chosen PDF, photos, the camera's picture): a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data]
        files = [super(VoucherFiles, self).clean(item, initial) for item in items if item]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


class AmountField(forms.CharField):
    """Yuan as typed ("12,345.60", "１２３元"), read by `finance.money.parse_amount`, whose
    reason ("at most two decimals") is the field's error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            return money.parse_amount(text)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["amount"]) from None


class VillageField(forms.ModelChoiceField):
    """A village by its code, among those `choose_among` gives."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Village"))
        super().__init__(
            queryset=AdminUnit.objects.none(), to_field_name="code", empty_label="—", **kwargs
        )

    def label_from_instance(self, obj: AdminUnit) -> str:
        return obj.name


def choose_among(form: forms.Form, villages: QuerySet[AdminUnit]) -> None:
    """Offer `villages` (the user's, where they may do the form's task) on the form's village
    field, the one chosen already when there is only one."""
    form.fields["village"].queryset = villages
    if not form.is_bound:
        only = list(villages[:2])
        if len(only) == 1:
            form.initial.setdefault("village", only[0].code)


def _grouped(rows, label) -> list:
    """Choices grouped by village when there are several villages, for a select's optgroups."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row[0], []).append((row[1], label(row[2])))
    if len(groups) == 1:
        return [("", "—"), *next(iter(groups.values()))]
    return [("", "—"), *groups.items()]


UNTITLED_HELP = _(
    "E.g. the invoice number. Left empty, each file is named after its kind and a number "
    "(“Invoice 1”)."
)


class AsksForRequired:
    """A form whose `service_required` fields, which the services require though the form
    leaves them to them (their reasons are clearer), are marked required for the browser: a
    phone asks for them before the form is sent, and its photos with it."""

    service_required: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.service_required:
            self.fields[name].widget.attrs["required"] = True


class DraftForm(AsksForRequired, forms.Form):
    """What the bookkeeper writes on a request (`services.DRAFT_FIELDS`); the village is the
    new form's, or the request's when it is edited."""

    service_required = ("amount", "purpose")

    payee = forms.ModelChoiceField(
        label=_("Payee"),
        queryset=Payee.objects.none(),
        error_messages={"required": _("Choose who is paid.")},
    )
    amount = AmountField(label=_("Amount (yuan)"))
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=200,
        required=False,
        help_text=_("What the money is for, as it will be read in the monthly disclosure."),
    )
    category = forms.ChoiceField(
        label=_("Budget category"),
        choices=[("", "—"), *PaymentRequest.Category.choices],
        error_messages={"required": _("Choose the budget category.")},
    )
    power_item = forms.ModelChoiceField(
        label=_("Power list item followed"),
        queryset=PowerItem.objects.order_by("number"),
        error_messages={"required": _("Choose the power list item the payment follows.")},
    )
    project = forms.ModelChoiceField(
        label=_("Project paid for"), queryset=Project.objects.none(), required=False
    )
    project_stage = forms.ChoiceField(
        label=_("Stage paid for"), choices=[("", "—"), *Stage.choices], required=False
    )
    lease = forms.ModelChoiceField(
        label=_("Lease (for a refund)"), queryset=Lease.objects.none(), required=False
    )

    def __init__(self, *args, villages: QuerySet[AdminUnit], **kwargs):
        super().__init__(*args, **kwargs)
        payees = (
            Payee.objects.filter(village__in=villages)
            .select_related("village")
            .defer("village__boundary")
        )
        projects = (
            Project.objects.filter(village__in=villages, contract_amount__isnull=False)
            .select_related("village")
            .defer("village__boundary", "location")
        )
        leases = (
            Lease.objects.filter(asset__village__in=villages)
            .select_related("asset", "asset__village")
            .defer("asset__geometry", "asset__village__boundary")
        )
        self.fields["payee"].queryset = payees
        self.fields["project"].queryset = projects
        self.fields["lease"].queryset = leases
        self.fields["payee"].choices = _grouped(
            ((p.village.name, p.pk, p) for p in payees.order_by("village__code", "name")),
            lambda p: (
                _("%(name)s · %(bank)s, account ending %(tail)s")
                % {"name": p.name, "bank": p.bank_name, "tail": p.account_tail}
            ),
        )
        self.fields["project"].choices = _grouped(
            ((p.village.name, p.pk, p) for p in projects.order_by("village__code", "name")), str
        )
        self.fields["lease"].choices = _grouped(
            ((x.asset.village.name, x.pk, x) for x in leases.order_by("asset__name")), str
        )
        if not self.is_bound:
            payment_item = PowerItem.objects.filter(applies_to=PowerItem.AppliesTo.PAYMENT).first()
            if payment_item is not None:
                self.initial.setdefault("power_item", payment_item.pk)

    def draft_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in services.DRAFT_FIELDS if name in data}


class NewRequestForm(DraftForm):
    """A new draft: its village, the first vouchers, and the form's own id so that sending it
    twice (a second tap, Back and send again) finds the draft the first one made. Photos sent
    without a title are named after their kind and a number ("发票 1",
    `selectors.voucher_titles`)."""

    village = VillageField(error_messages={"required": _("Choose the village that pays.")})
    voucher_kind = forms.ChoiceField(
        label=_("Voucher kind"), choices=Voucher.Kind.choices, initial=Voucher.Kind.INVOICE
    )
    voucher_title = forms.CharField(
        label=_("Voucher title"),
        max_length=200,
        required=False,
        help_text=UNTITLED_HELP,
    )
    voucher_files = VoucherFiles(label=_("Voucher files (PDF or photo)"), required=False)
    client_uuid = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This form is incomplete: please send it again."),
            "invalid": _("This form is incomplete: please send it again."),
        },
    )
    field_order = ["village"]

    def __init__(self, *args, villages: QuerySet[AdminUnit], **kwargs):
        super().__init__(*args, villages=villages, **kwargs)
        choose_among(self, villages)
        if not self.is_bound:
            self.initial.setdefault("client_uuid", uuid.uuid4())


class VoucherForm(forms.Form):
    """More vouchers for a draft; without a title, named after their kind and a number."""

    kind = forms.ChoiceField(
        label=_("Voucher kind"), choices=Voucher.Kind.choices, initial=Voucher.Kind.INVOICE
    )
    title = forms.CharField(
        label=_("Voucher title"), max_length=200, required=False, help_text=UNTITLED_HELP
    )
    files = VoucherFiles(
        label=_("Voucher files (PDF or photo)"),
        error_messages={"required": _("Choose a file or take a photo.")},
    )


class ConfirmForm(forms.Form):
    """An action with nothing to type: the button says it (submit, withdraw, correct)."""


class ApproveForm(forms.Form):
    remark = LongText(
        label=_("Remark (optional)"),
        max_length=services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the public log with your approval (no personal names)."),
    )


class RefuseForm(forms.Form):
    reason = LongText(
        label=_("Why it is refused"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required, and public: the bookkeeper corrects the request from it."),
        error_messages={
            "required": _("Say why the request is refused."),
            "max_length": _("Keep it to %(limit_value)d characters (it has %(show_value)d)."),
        },
    )


class PayForm(AsksForRequired, forms.Form):
    """The bank transfer that paid an approved request. There is no cash."""

    service_required = ("bank_reference", "paid_on")

    bank_reference = forms.CharField(
        label=_("Bank transfer reference"),
        max_length=60,
        required=False,
        help_text=_("The transaction number (交易流水号) on the bank's slip."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    paid_on = forms.DateField(
        label=_("Transfer date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())


class PayeeForm(AsksForRequired, forms.Form):
    """A payee; `services.save_payee` checks the numbers and that there is a bank account."""

    service_required = ("name", "bank_name", "account_number")

    village = VillageField(error_messages={"required": _("Choose the village that pays.")})
    kind = forms.ChoiceField(label=_("Payee kind"), choices=Payee.Kind.choices)
    name = forms.CharField(label=_("Payee name"), max_length=100, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        required=False,
        help_text=_("A company's or cooperative's 18 characters."),
    )
    id_number = forms.CharField(
        label=_("ID-card number"),
        max_length=30,
        required=False,
        help_text=_("A person's only; seen by staff of the village's units, never published."),
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    account_name = forms.CharField(
        label=_("Account holder"),
        max_length=100,
        required=False,
        help_text=_("Empty: the payee's name."),
    )
    account_number = forms.CharField(
        label=_("Account number"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, villages: QuerySet[AdminUnit], **kwargs):
        super().__init__(*args, **kwargs)
        choose_among(self, villages)

    def payee(self) -> Payee:
        data = self.cleaned_data
        return Payee(**{name: data[name] for name in self.fields})


class ReceiptForm(AsksForRequired, forms.Form):
    """Money received and banked (去现金化: there is no cash box to put it in)."""

    service_required = ("amount", "bank_reference")

    village = VillageField(error_messages={"required": _("Choose the village that received it.")})
    category = forms.ChoiceField(label=_("Income category"), choices=Receipt.Category.choices)
    payer = forms.CharField(label=_("Paid by"), max_length=100)
    amount = AmountField(label=_("Amount (yuan)"))
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    banked_on = forms.DateField(
        label=_("Banked on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bank_reference = forms.CharField(
        label=_("Bank reference"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args, villages: QuerySet[AdminUnit], **kwargs):
        super().__init__(*args, **kwargs)
        choose_among(self, villages)
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())
            self.initial.setdefault("banked_on", timezone.localdate())


class RequestFilterForm(forms.Form):
    """The list's filters, in the URL."""

    state = forms.ChoiceField(
        label=_("State"), choices=[("", ""), *PaymentRequest.State.choices], required=False
    )
    village = forms.RegexField(
        label=_("Village"),
        regex=r"^\d{12}$",
        required=False,
        error_messages={"invalid": _("A village code has 12 digits.")},
    )
    month = forms.RegexField(
        label=_("Month"),
        regex=MONTH,
        required=False,
        error_messages={"invalid": _("Give the month as YYYY-MM, e.g. 2026-03.")},
    )
