"""A villager's question on one line of a monthly disclosure (对三务公开的质疑).

A question is a supervision report about the disclosure (category "money"), handled and answered
in public like any other case; `DisclosureQuestion` ties the case to the line it questions. It
is open for `disclosures.QUESTION_DAYS` days after the version it is about was published. What
identifies the asker is what supervision keeps for any reporter (nothing, when anonymous).
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance import disclosures
from finance.models import DisclosureQuestion, MonthlyDisclosure
from registry import services as registry_services
from registry.models import AdminUnit
from supervision import receipts
from supervision import services as supervision_services
from supervision.forms import LongText, ReportForm
from supervision.models import Case, Category
from trail.models import Event

CATEGORY = "money"
# Room in the case's text for the line quoted above the question.
TEXT_MAX = supervision_services.TEXT_MAX - 400


@dataclass(frozen=True)
class Asked:
    question: DisclosureQuestion
    submitted: supervision_services.Submitted


class QuestionForm(ReportForm):
    """The report form (who asks, how to reach them, the honeypot, the submission id) with the
    line questioned in place of the category and the place."""

    line = forms.ChoiceField(
        label=gettext_lazy("Which line"),
        error_messages={
            "required": gettext_lazy("Choose the line you question."),
            "invalid_choice": gettext_lazy("Choose one of the lines of this disclosure."),
        },
    )
    text = LongText(
        label=gettext_lazy("Your question"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=supervision_services.TEXT_MIN,
        max_length=TEXT_MAX,
        error_messages={
            "required": gettext_lazy("Write your question."),
            "min_length": gettext_lazy("Write at least %(limit_value)d characters."),
            "max_length": gettext_lazy(
                "Keep it to %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    field_order = ["line", "text", "identity", "name", "phone", "email"]

    def __init__(self, *args, lines: dict[str, str], village: AdminUnit, **kwargs):
        super().__init__(*args, fixed_village=village, **kwargs)
        for name in ("category", "about_cadre", "about_member"):
            self.fields.pop(name, None)
        self.fields["line"].choices = [("", _("Choose a line")), *lines.items()]


def closed_reason(disclosure: MonthlyDisclosure, today: dt.date | None = None) -> str:
    """Why `disclosure` takes no more questions, or "" while it does."""
    if disclosures.questions_open(disclosure, today):
        return ""
    return _(
        "Questions on this disclosure closed on %(day)s, %(n)s days after it was published. "
        "You can still report a problem to the village supervision liaison station."
    ) % {
        "day": f"{disclosures.questions_close_on(disclosure):%Y-%m-%d}",
        "n": disclosures.QUESTION_DAYS,
    }


def _replayed(client_uuid: uuid.UUID) -> Asked | None:
    case = Case.objects.filter(submission=receipts.submission_hash(client_uuid)).first()
    question = DisclosureQuestion.objects.filter(case=case).first() if case else None
    if question is None:
        return None
    return Asked(
        question, supervision_services.Submitted(case, receipts.receipt_for(client_uuid), False)
    )


@transaction.atomic
def ask(
    disclosure: MonthlyDisclosure,
    *,
    line: str,
    text: str,
    identity: str,
    client_uuid: uuid.UUID,
    contact: dict | None = None,
    today: dt.date | None = None,
) -> Asked:
    """File a villager's question on `line` of `disclosure` as a supervision case about the
    disclosure, the line quoted above the question. A resent form (same `client_uuid`) gets
    the question it made. Raises ValidationError naming the field."""
    replay = _replayed(client_uuid)
    if replay is not None:
        return replay
    closed = closed_reason(disclosure, today)
    if closed:
        raise ValidationError(closed)
    lines = disclosures.lines_of(disclosure.content)
    if line not in lines:
        raise ValidationError({"line": _("Choose one of the lines of this disclosure.")})
    category = Category.objects.filter(code=CATEGORY, active=True).first()
    if category is None:
        raise ValidationError(
            _("Questions cannot be received now: the report category “%(code)s” is missing.")
            % {"code": CATEGORY}
        )
    text = str(text or "").strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": _("Keep it under %(n)s characters.") % {"n": TEXT_MAX}})
    label = lines[line][:300]
    quoted = _("Question on %(disclosure)s, line: %(line)s") % {
        "disclosure": disclosure,
        "line": label,
    }
    submitted = supervision_services.submit_report(
        client_uuid=client_uuid,
        category=category,
        text=f"{quoted}\n\n{text}" if len(text) >= supervision_services.TEXT_MIN else text,
        identity=identity,
        subject=disclosure,
        contact=contact,
    )
    try:
        with transaction.atomic():
            question, created = DisclosureQuestion.objects.get_or_create(
                case=submitted.case,
                defaults={"disclosure": disclosure, "line": line, "line_label": label},
            )
    except IntegrityError:  # the same form sent twice at the same moment
        question, created = DisclosureQuestion.objects.get(case=submitted.case), False
    if created:
        changes, _restricted = registry_services.snapshot(question)
        changes["case"] = submitted.case.reference
        registry_services.log_event(
            question, action=Event.Action.QUESTION, changes=changes, actor=None
        )
    return Asked(question, submitted)


def questions_by_line(versions: list[MonthlyDisclosure]) -> dict[str, list[Case]]:
    """The public cases questioning each line of a month (any of its versions), oldest first."""
    found: dict[str, list[Case]] = {}
    rows = (
        DisclosureQuestion.objects.filter(disclosure__in=versions)
        .select_related("case")
        .only("line", "case__created", "case__state", "case__id")
        .order_by("created", "pk")
    )
    for row in rows:
        found.setdefault(row.line, []).append(row.case)
    return found
