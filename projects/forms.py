"""Forms of the staff procedure screen. They only parse input; projects.procedure has the rules.

Each form's cleaned data are the keyword arguments of its service in `ACTIONS`.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects import procedure
from projects.models import Deliberation, Disclosure, Project, ProjectDocument, Stage
from registry.forms import TypedInputForm

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class DeliberationForm(TypedInputForm):
    step = forms.ChoiceField(label=_("Deliberation"), choices=Deliberation.Step.choices)
    held_on = forms.DateField(label=_("Held on"), **DATE)
    entitled = _count(_("Members entitled to attend"))
    present = _count(_("Members present"))
    votes_for = _count(_("Votes for"))
    votes_against = _count(_("Votes against"))
    votes_abstain = _count(_("Abstentions"))
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown publicly; ID-card and mobile numbers are hidden."),
    )


class DisclosureForm(TypedInputForm):
    kind = forms.ChoiceField(label=_("Disclosure"), choices=Disclosure.Kind.choices)
    published_on = forms.DateField(label=_("Published on"), **DATE)
    until = forms.DateField(label=_("On display until"), required=False, **DATE)
    place = forms.CharField(label=_("Where published"), max_length=200)


class DocumentForm(TypedInputForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectDocument.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    issued_on = forms.DateField(label=_("Dated"), **DATE)
    upload = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    expected_sha256 = forms.CharField(
        label=_("SHA-256 of the file (optional)"),
        required=False,
        max_length=64,
        help_text=_("If given, a file that does not match it is refused."),
    )


class GuidanceForm(TypedInputForm):
    budget_price = forms.DecimalField(label=_("Budget guidance price (yuan)"), **MONEY)
    guidance_agency = forms.CharField(label=_("Issued by (third-party agency)"), max_length=150)


class ContractForm(TypedInputForm):
    contracting_method = forms.ChoiceField(
        label=_("Contracting method"), choices=Project.Method.choices
    )
    contractor = forms.CharField(label=_("Contractor"), max_length=150)
    contractor_contact = forms.CharField(
        label=_("Contractor contact (not public)"), max_length=60, required=False
    )
    contract_amount = forms.DecimalField(label=_("Contract amount (yuan)"), **MONEY)
    contract_signed_on = forms.DateField(label=_("Signed on"), **DATE)
    over_guidance_reason = forms.CharField(
        label=_("Reason, if above the guidance price"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AcceptanceForm(TypedInputForm):
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[
            ("true", pgettext_lazy("acceptance", "Passed")),
            ("false", pgettext_lazy("acceptance", "Failed")),
        ],
        coerce=lambda value: value == "true",
    )
    opinion = forms.CharField(
        label=_("Opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SettlementForm(TypedInputForm):
    settlement_amount = forms.DecimalField(label=_("Audited settlement (yuan)"), **MONEY)
    audit_agency = forms.CharField(label=_("Audited by (third-party agency)"), max_length=150)


class AdvanceForm(TypedInputForm):
    to = forms.ChoiceField(label=_("Open the stage"), choices=Stage.choices)
    on = forms.DateField(label=_("On"), initial=timezone.localdate, **DATE)


# action name: (form, service, the stages it belongs to; None for any stage)
ACTIONS = {
    "deliberation": (DeliberationForm, procedure.record_deliberation, {Stage.PROPOSAL}),
    "disclosure": (
        DisclosureForm,
        procedure.record_disclosure,
        {Stage.PROPOSAL, Stage.SETTLEMENT},
    ),
    "document": (DocumentForm, procedure.attach_document, None),
    "guidance": (GuidanceForm, procedure.set_guidance_price, {Stage.BUDGET}),
    "contract": (ContractForm, procedure.record_contract, {Stage.CONTRACTING}),
    "acceptance": (AcceptanceForm, procedure.record_acceptance, {Stage.ACCEPTANCE}),
    "settlement": (SettlementForm, procedure.record_settlement, {Stage.SETTLEMENT}),
    "advance": (AdvanceForm, procedure.advance, None),
}


def forms_for(project: Project, bound: dict | None = None) -> dict[str, forms.Form]:
    """The forms the project's current stage offers, unbound unless given in `bound`."""
    bound = bound or {}
    stage = Stage(project.stage)
    offered = {}
    for name, (form_class, _service, stages) in ACTIONS.items():
        if stages is not None and stage not in stages:
            continue
        if name == "advance" and procedure.next_stage(project) is None:
            continue
        offered[name] = bound.get(name) or form_class(prefix=name, initial=_initial(project, name))
    return offered


def _initial(project: Project, name: str) -> dict:
    following = procedure.next_stage(project)
    if name == "advance" and following is not None:
        return {"to": following, "on": timezone.localdate()}
    if name == "disclosure":
        kind = Disclosure.Kind.RESULT if project.stage == Stage.SETTLEMENT else "resolution"
        return {"kind": kind}
    if name == "deliberation":
        done = set(project.deliberations.values_list("step", flat=True))
        upcoming = [step for step in Deliberation.Step if step not in done]
        return {"step": upcoming[0]} if upcoming else {}
    if name == "guidance":
        return {"budget_price": project.budget_price, "guidance_agency": project.guidance_agency}
    if name == "contract":
        return {
            "contracting_method": project.contracting_method,
            "contractor": project.contractor,
            "contract_amount": project.contract_amount,
            "contract_signed_on": project.contract_signed_on,
            "over_guidance_reason": project.over_guidance_reason,
        }
    if name == "settlement":
        return {
            "settlement_amount": project.settlement_amount,
            "audit_agency": project.audit_agency,
        }
    return {}
