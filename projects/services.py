"""Writing small works projects outside their procedure: registering one, editing its public
description, and progress seen on the site. The procedure's own fields move only through
`projects.procedure`."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import STAGE_DATE_FIELDS, Project, Stage
from registry import services as registry_services
from registry.roles import Task
from registry.scoping import ensure_may

# Moved only by `projects.procedure`, which checks each stage has its records first.
PROCEDURE_FIELDS = frozenset(
    {
        "stage",
        *STAGE_DATE_FIELDS.values(),
        "budget_price",
        "guidance_agency",
        "contracting_method",
        "contract_amount",
        "contract_signed_on",
        "contractor",
        "over_guidance_reason",
        "acceptance_passed",
        "acceptance_opinion",
        "settlement_amount",
        "audit_agency",
    }
)


def _refuse_procedure_fields(fields: dict, allowed: frozenset = frozenset()) -> None:
    named = sorted(set(fields) & (PROCEDURE_FIELDS - allowed))
    if named:
        raise ValidationError(
            {
                name: _(
                    "This is part of the project procedure and changes only through its "
                    "stages (/staff/projects/ or /api/procedure/)."
                )
                for name in named
            }
        )


def create_project(*, actor: User | None, **fields: object) -> Project:
    """A new project starts at the proposal stage, registered today unless a date is given."""
    ensure_may(actor, Task.EDIT_RECORD)
    if fields.get("stage", Stage.PROPOSAL) != Stage.PROPOSAL:
        raise ValidationError({"stage": _("A new project starts at the proposal stage.")})
    _refuse_procedure_fields(fields, allowed=frozenset({"stage", "proposed_on"}))
    if fields.get("paid_amount"):
        _refuse_paid_amount(fields)
    fields.setdefault("proposed_on", timezone.localdate())
    return registry_services.create(Project, actor=actor, **fields)


def _refuse_paid_amount(fields: dict) -> None:
    """A project's "paid so far" is the sum of its payment requests paid by bank transfer
    (`finance.services.mark_paid` writes it); nobody types it."""
    if "paid_amount" in fields:
        raise ValidationError(
            {
                "paid_amount": _(
                    "What has been paid comes from the village's bank-paid payment requests; "
                    "it cannot be typed."
                )
            }
        )


def update_project(project: Project, *, actor: User | None, **fields: object) -> Project:
    ensure_may(actor, Task.EDIT_RECORD, project)
    _refuse_procedure_fields(fields)
    _refuse_paid_amount(fields)
    return registry_services.update(project, actor=actor, **fields)


def report_project_progress(project: Project, *, actor: User | None, percent: int) -> Project:
    """Progress seen on the site: field work, which may change this one field of the project."""
    project.progress_percent = percent
    return registry_services.save_record(project, actor=actor, task=Task.RECORD_FIELD_WORK)
