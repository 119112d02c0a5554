"""Forms of the field app's case pages. Each carries the phone's submission id (the outbox
replays it); the rules (which move, who may, what needs a reason) are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fieldapp.forms import MultiplePhotoField, SubmissionForm
from supervision import services
from supervision.forms import LongText
from supervision.models import CasePhoto, State

DATE = forms.DateInput(attrs={"type": "date"})


def text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# What a button that moves a case to each state says: a verb, not the state's name.
MOVE_LABELS = {
    State.ACCEPTED: _("Accept"),
    State.DECLINED: _("Decline"),
    State.VERIFYING: _("Start verifying"),
    State.FOUND: _("The problem is real"),
    State.NOT_FOUND: _("No problem found"),
    State.ORDERED: _("Order rectification"),
    State.RECTIFIED: _("Rectified: record it"),
    State.CLOSED: _("Close the case"),
}


class MoveForm(SubmissionForm):
    """One allowed next state: a button, with the fields that edge asks for."""

    to = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    reason = LongText(
        label=_("Why"), required=False, max_length=services.REASON_MAX, widget=text_area()
    )
    rectify_who = forms.CharField(label=_("Who rectifies"), required=False, max_length=200)
    rectify_by = forms.DateField(label=_("Rectify by"), required=False, widget=DATE)
    outcome = LongText(
        label=_("Outcome for the public"),
        required=False,
        max_length=services.REASON_MAX,
        widget=text_area(),
    )

    def __init__(self, *args, start: str = "", to: str = "", **kwargs):
        """`start` and `to`: the edge this form's button moves along (for its fields)."""
        if to:
            kwargs.setdefault("initial", {})["to"] = to
            kwargs.setdefault("auto_id", f"id_{to}_%s")
        super().__init__(*args, **kwargs)
        self.target = State(to) if to else None
        self.action_label = MOVE_LABELS.get(self.target, self.target.label if to else "")
        edge = services.EDGES.get((start, to))
        self.needs_reason = bool(edge and edge.reason)
        if self.needs_reason:
            self.fields["reason"].widget.attrs["required"] = True
        if to == State.ORDERED:
            for name in ("rectify_who", "rectify_by"):
                self.fields[name].widget.attrs["required"] = True


class MergeForm(SubmissionForm):
    into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=None, empty_label=_("Choose the case it repeats")
    )
    reason = LongText(label=_("Why"), max_length=services.REASON_MAX, widget=text_area(2))

    def __init__(self, *args, candidates, **kwargs):
        kwargs.setdefault("auto_id", "id_merge_%s")
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = candidates
        self.fields["into"].label_from_instance = lambda case: (
            f"{case.reference} · {case.village.name} · {case.category} · {case.get_state_display()}"
        )


class AskForm(SubmissionForm):
    text = LongText(
        label=_("Question to the reporter"), max_length=services.TEXT_MAX, widget=text_area()
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_ask_%s")
        super().__init__(*args, **kwargs)


class PublishForm(SubmissionForm):
    public_text = LongText(
        label=_("Published text (redacted)"),
        required=False,
        max_length=services.TEXT_MAX,
        widget=text_area(4),
        help_text=_("ID-card and phone numbers are taken out whatever is typed."),
    )
    outcome = LongText(
        label=_("Outcome for the public"),
        required=False,
        max_length=services.REASON_MAX,
        widget=text_area(),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_publish_%s")
        super().__init__(*args, **kwargs)


class TaskForm(SubmissionForm):
    text = forms.CharField(label=_("What is to be put right"), max_length=300)
    who = forms.CharField(label=_("Who"), max_length=120)
    due_on = forms.DateField(label=_("By"), widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_task_%s")
        super().__init__(*args, **kwargs)


class EvidenceForm(SubmissionForm):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[
            (CasePhoto.Purpose.VERIFY, CasePhoto.Purpose.VERIFY.label),
            (CasePhoto.Purpose.RECTIFIED, CasePhoto.Purpose.RECTIFIED.label),
        ],
        widget=forms.RadioSelect,
    )
    photos = MultiplePhotoField(label=_("Photos"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_photo_%s")
        super().__init__(*args, **kwargs)
