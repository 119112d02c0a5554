"""The small-project procedure, enforced: what each stage needs, and the only ways to move on.

Six stages in order (DOMAIN.md); none can be skipped, and a stage opens only when every piece
of the one before it is on record. Each service here validates, saves and logs on the
project's public trail in one transaction, or refuses with a message naming the rule and
saves nothing.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Deliberation, Disclosure, Project, ProjectDocument, Stage
from projects.models.projects import STAGE_DATE_FIELDS
from registry import services
from registry.documents import check_document
from registry.roles import Task
from registry.scoping import ensure_may, may
from trail.models import Event

# Field staff may report from the site that the works are finished (construction -> acceptance):
# the task OPEN_ACCEPTANCE_FROM_SITE of registry.roles; every other move is RUN_PROCEDURE.
FIELD_STAGE_MOVES = frozenset({Stage.ACCEPTANCE})
# The stage a record of each kind belongs to; minutes, notices and others fit any stage.
DOCUMENT_STAGE = {
    ProjectDocument.Kind.GUIDANCE: Stage.BUDGET,
    ProjectDocument.Kind.CONTRACT: Stage.CONTRACTING,
    ProjectDocument.Kind.ACCEPTANCE: Stage.ACCEPTANCE,
    ProjectDocument.Kind.AUDIT: Stage.SETTLEMENT,
}


@dataclass(frozen=True)
class Missing:
    """One piece a stage still needs: a stable code for programs, a sentence for people."""

    code: str
    text: str


@dataclass
class StageView:
    stage: Stage
    label: str
    date: dt.date | None
    state: str  # done | current | ahead
    missing: list[Missing] = field(default_factory=list)


def _move_task(actor: User | None, project: Project, moving_to: str) -> Task:
    """The task moving the project to `moving_to` is for this actor, or PermissionDenied."""
    if moving_to in FIELD_STAGE_MOVES and may(actor, Task.OPEN_ACCEPTANCE_FROM_SITE, project):
        return Task.OPEN_ACCEPTANCE_FROM_SITE
    ensure_may(actor, Task.RUN_PROCEDURE, project)
    return Task.RUN_PROCEDURE


def _ensure_stage(project: Project, stage: Stage, what: str) -> None:
    if project.stage != stage:
        raise ValidationError(
            _(
                "%(what)s belongs to the stage “%(stage)s”; this project is at “%(now)s”. "
                "Stages cannot be skipped or reopened."
            )
            % {"what": what, "stage": stage.label, "now": project.get_stage_display()}
        )


def _not_future(value: dt.date | None, name: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({name: _("A date cannot be in the future.")})


# ---------------------------------------------------------------------------------------------
# What each stage needs
# ---------------------------------------------------------------------------------------------


def _document_kinds(project: Project) -> set[str]:
    return {document.kind for document in project.documents.all()}


def _disclosed(project: Project, kind: str) -> bool:
    return any(disclosure.kind == kind for disclosure in project.disclosures.all())


def _needs_proposal(project: Project) -> list[Missing]:
    missing = []
    held = {d.step: d for d in project.deliberations.all()}
    for step in Deliberation.Step:
        record = held.get(step)
        if record is None:
            missing.append(Missing(f"deliberation:{step}", _("Record: %s.") % step.label))
        elif not record.passed:
            missing.append(
                Missing(
                    f"deliberation:{step}",
                    _("%(step)s did not pass (no quorum or no majority): hold it again.")
                    % {"step": step.label},
                )
            )
    if not _disclosed(project, Disclosure.Kind.RESOLUTION):
        missing.append(
            Missing(
                "disclosure:resolution",
                _("Make the resolution public (决议公开): date and where it was published."),
            )
        )
    return missing


def _needs_fields(project: Project, names: dict[str, str]) -> list[Missing]:
    return [
        Missing(f"field:{name}", text)
        for name, text in names.items()
        if getattr(project, name) in (None, "")
    ]


def _needs_document(project: Project, kind: str, kinds: set[str]) -> list[Missing]:
    if kind in kinds:
        return []
    label = ProjectDocument.Kind(kind).label
    return [Missing(f"document:{kind}", _("Attach the document: %s.") % label)]


def _needs_budget(project: Project) -> list[Missing]:
    return _needs_fields(
        project,
        {
            "budget_price": _("Enter the budget guidance price."),
            "guidance_agency": _("Name the third-party agency that issued the guidance price."),
        },
    ) + _needs_document(project, ProjectDocument.Kind.GUIDANCE, _document_kinds(project))


def _needs_contracting(project: Project) -> list[Missing]:
    return _needs_fields(
        project,
        {
            "contracting_method": _("Choose the contracting method."),
            "contractor": _("Name the contractor."),
            "contract_amount": _("Enter the contract amount."),
            "contract_signed_on": _("Enter the date the contract was signed."),
        },
    ) + _needs_document(project, ProjectDocument.Kind.CONTRACT, _document_kinds(project))


def _construction_inspections(project: Project):
    """Site inspections logged while the works were under way (the field app logs the stage)."""
    return Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(Project),
        subject_id=project.pk,
        action=Event.Action.INSPECT,
        changes__stage=Stage.CONSTRUCTION.value,
    )


def inspection_count(project: Project) -> int:
    """Uses the `construction_inspections` annotation of `with_inspection_counts` if present."""
    annotated = getattr(project, "construction_inspections", None)
    if annotated is not None:
        return annotated
    return _construction_inspections(project).count()


def with_inspection_counts(projects: models.QuerySet) -> models.QuerySet:
    """Projects annotated with their construction inspections, for lists (one query)."""
    inspections = (
        Event.objects.filter(
            subject_type=ContentType.objects.get_for_model(Project),
            subject_id=models.OuterRef("pk"),
            action=Event.Action.INSPECT,
            changes__stage=Stage.CONSTRUCTION.value,
        )
        .order_by()
        .values("subject_id")
        .annotate(n=models.Count("seq"))
        .values("n")
    )
    return projects.annotate(
        construction_inspections=Coalesce(models.Subquery(inspections), models.Value(0))
    )


def _needs_construction(project: Project) -> list[Missing]:
    missing = []
    if not inspection_count(project):
        missing.append(Missing("inspection", _("At least one site inspection from the field app.")))
    if project.progress_percent < 100:
        missing.append(
            Missing(
                "field:progress_percent",
                _("The works are reported %(percent)s%% done; acceptance needs 100%%.")
                % {"percent": project.progress_percent},
            )
        )
    return missing


def _needs_acceptance(project: Project) -> list[Missing]:
    missing = []
    if project.acceptance_passed is None:
        missing.append(Missing("field:acceptance_passed", _("Record the acceptance result.")))
    elif not project.acceptance_passed:
        missing.append(
            Missing(
                "field:acceptance_passed",
                _("The works failed acceptance: have them put right and accept them again."),
            )
        )
    return missing + _needs_document(
        project, ProjectDocument.Kind.ACCEPTANCE, _document_kinds(project)
    )


def _needs_settlement(project: Project) -> list[Missing]:
    missing = _needs_fields(
        project,
        {
            "settlement_amount": _("Enter the audited settlement amount."),
            "audit_agency": _("Name the third-party agency that audited the settlement."),
        },
    ) + _needs_document(project, ProjectDocument.Kind.AUDIT, _document_kinds(project))
    if not _disclosed(project, Disclosure.Kind.RESULT):
        missing.append(
            Missing(
                "disclosure:result",
                _("Make the result of the work public (实施结果公开)."),
            )
        )
    return missing


NEEDS = {
    Stage.PROPOSAL: _needs_proposal,
    Stage.BUDGET: _needs_budget,
    Stage.CONTRACTING: _needs_contracting,
    Stage.CONSTRUCTION: _needs_construction,
    Stage.ACCEPTANCE: _needs_acceptance,
    Stage.SETTLEMENT: _needs_settlement,
}


def missing_for(project: Project) -> list[Missing]:
    """What the project's current stage still needs before the next one can open.

    Uses the project's prefetched deliberations, disclosures and documents when there are.
    """
    return NEEDS[Stage(project.stage)](project)


def is_complete(project: Project, missing: list[Missing] | None = None) -> bool:
    """The last stage reached and everything it needs on record: the procedure is closed."""
    if project.stage != Stage.SETTLEMENT:
        return False
    return not (missing_for(project) if missing is None else missing)


def timeline(project: Project, missing: list[Missing] | None = None) -> list[StageView]:
    """Each stage with its date, whether it is done, current or ahead, and what it lacks."""
    current = project.stage_index
    if missing is None:
        missing = missing_for(project)
    views = []
    for i, stage in enumerate(Stage):
        if i < current or (i == current and not missing and stage == Stage.SETTLEMENT):
            state = "done"
        elif i == current:
            state = "current"
        else:
            state = "ahead"
        views.append(
            StageView(
                stage=stage,
                label=stage.label,
                date=getattr(project, STAGE_DATE_FIELDS[stage]),
                state=state,
                missing=missing if state == "current" else [],
            )
        )
    return views


def next_stage(project: Project) -> Stage | None:
    return Stage(project.stage).following


# ---------------------------------------------------------------------------------------------
# Moving on
# ---------------------------------------------------------------------------------------------


def _latest_record_date(project: Project, stage: Stage | None = None) -> dt.date | None:
    """The latest date on the records of a stage (the current one by default): the next
    stage cannot open, nor its records be dated, before it."""
    stage = Stage(project.stage) if stage is None else stage
    dates = [getattr(project, STAGE_DATE_FIELDS[stage])]
    if stage == Stage.PROPOSAL:
        dates += list(project.deliberations.values_list("held_on", flat=True))
        dates += list(project.disclosures.values_list("published_on", flat=True))
    if stage == Stage.CONTRACTING:
        dates.append(project.contract_signed_on)
    if stage == Stage.CONSTRUCTION:
        for changes in _construction_inspections(project).values_list("changes", flat=True):
            if changes.get("inspected_on"):
                dates.append(dt.date.fromisoformat(changes["inspected_on"]))
    dates += list(project.documents.filter(stage=stage).values_list("issued_on", flat=True))
    return max((d for d in dates if d is not None), default=None)


@transaction.atomic
def advance(project: Project, *, actor: User | None, to: str, on: dt.date) -> Project:
    """Open the next stage on `on`, when everything the current stage needs is on record."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if to not in Stage.values:
        raise ValidationError({"to": _("There is no stage “%(stage)s”.") % {"stage": to}})
    target = Stage(to)
    expected = next_stage(project)
    if target != expected:
        if expected is None:
            message = _("The settlement audit is the last stage; there is nothing after it.")
        else:
            message = _(
                "A project moves one stage at a time: from “%(now)s” only to “%(next)s”, "
                "not to “%(to)s”."
            ) % {"now": project.get_stage_display(), "next": expected.label, "to": target.label}
        raise ValidationError({"to": message})
    task = _move_task(actor, project, to)
    missing = missing_for(project)
    if missing:
        raise ValidationError(
            {
                "to": _("“%(stage)s” cannot open yet. Still missing: %(missing)s")
                % {"stage": target.label, "missing": " ".join(m.text for m in missing)}
            }
        )
    _not_future(on, "on")
    earliest = _latest_record_date(project)
    if earliest is not None and on < earliest:
        raise ValidationError(
            {
                "on": _(
                    "“%(stage)s” cannot open on %(on)s, before the records of the stage before "
                    "it (%(earliest)s)."
                )
                % {"stage": target.label, "on": on, "earliest": earliest}
            }
        )
    project.stage = target
    setattr(project, STAGE_DATE_FIELDS[target], on)
    return services.save_record(project, actor=actor, action=Event.Action.STAGE, task=task)


# ---------------------------------------------------------------------------------------------
# The records
# ---------------------------------------------------------------------------------------------


def _log_child(project: Project, record: models.Model, *, action: str, actor: User | None):
    public, _restricted = services.snapshot(record)
    services.log_event(project, action=action, changes=public, actor=actor)


def _counts(step: str, **numbers: int | None) -> None:
    """Attendance and votes that add up, for the meetings that need them."""
    meeting = step in Deliberation.MEETINGS
    vote = step in Deliberation.VOTES
    entitled, present = numbers["entitled"], numbers["present"]
    if meeting and (not entitled or present is None):
        raise ValidationError(
            {"present": _("A meeting needs the number of members entitled and present.")}
        )
    if entitled is not None and present is not None and present > entitled:
        raise ValidationError({"present": _("More members present than are entitled to attend.")})
    votes = [numbers[k] for k in ("votes_for", "votes_against", "votes_abstain")]
    if vote and None in votes:
        raise ValidationError(
            {"votes_for": _("A vote needs the votes for, against and abstaining.")}
        )
    if any(v is not None for v in votes) and sum(v or 0 for v in votes) > (present or 0):
        raise ValidationError({"votes_for": _("More votes were cast than members were present.")})


@transaction.atomic
def record_deliberation(
    project: Project,
    *,
    actor: User | None,
    step: str,
    held_on: dt.date,
    entitled: int | None = None,
    present: int | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    summary: str = "",
) -> Deliberation:
    """One of the five deliberations, in order. A vote that failed may be held again."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_may(actor, Task.RUN_PROCEDURE, project)
    _ensure_stage(project, Stage.PROPOSAL, _("A deliberation (五议)"))
    if step not in Deliberation.Step.values:
        raise ValidationError({"step": _("There is no deliberation “%(step)s”.") % {"step": step}})
    _not_future(held_on, "held_on")
    _counts(
        step,
        entitled=entitled,
        present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
    )
    steps = list(Deliberation.Step)
    index = steps.index(Deliberation.Step(step))
    held = {d.step: d for d in project.deliberations.all()}
    if index:
        before = held.get(steps[index - 1])
        if before is None or not before.passed:
            raise ValidationError(
                {
                    "step": _("“%(before)s” must be recorded, and passed, before “%(step)s”.")
                    % {"before": steps[index - 1].label, "step": steps[index].label}
                }
            )
        if held_on < before.held_on:
            raise ValidationError(
                {"held_on": _("This deliberation is dated before the one it follows.")}
            )
    record = held.get(step)
    if record is not None and not record.passed and held_on < record.held_on:
        raise ValidationError(
            {"held_on": _("A vote held again cannot be dated before the vote that failed.")}
        )
    if record is not None and record.passed:
        raise ValidationError(
            {"step": _("“%(step)s” is already on record.") % {"step": record.get_step_display()}}
        )
    if record is not None and index + 1 < len(steps) and steps[index + 1] in held:
        raise ValidationError({"step": _("A later deliberation is already on record.")})
    record = record or Deliberation(project=project, step=step)
    record.held_on = held_on
    record.entitled, record.present = entitled, present
    record.votes_for, record.votes_against = votes_for, votes_against
    record.votes_abstain = votes_abstain
    record.summary = summary.strip()
    record.full_clean()
    record.save()
    _log_child(project, record, action=Event.Action.DELIBERATE, actor=actor)
    return record


@transaction.atomic
def record_disclosure(
    project: Project,
    *,
    actor: User | None,
    kind: str,
    published_on: dt.date,
    place: str,
    until: dt.date | None = None,
) -> Disclosure:
    """决议公开 at the proposal stage, after the resolution; 实施结果公开 at the settlement."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_may(actor, Task.RUN_PROCEDURE, project)
    if kind not in Disclosure.Kind.values:
        raise ValidationError({"kind": _("There is no disclosure “%(kind)s”.") % {"kind": kind}})
    _not_future(published_on, "published_on")
    if kind == Disclosure.Kind.RESOLUTION:
        _ensure_stage(project, Stage.PROPOSAL, _("Making the resolution public"))
        resolution = project.deliberations.filter(step=Deliberation.Step.RESOLUTION).first()
        if resolution is None or not resolution.passed:
            raise ValidationError({"kind": _("There is no passed resolution to make public yet.")})
        if published_on < resolution.held_on:
            raise ValidationError(
                {"published_on": _("The resolution cannot be published before it was made.")}
            )
    else:
        _ensure_stage(project, Stage.SETTLEMENT, _("Making the result public"))
        before = [m for m in missing_for(project) if m.code != "disclosure:result"]
        if before:
            raise ValidationError(
                {
                    "kind": _(
                        "The result is made public once the settlement is on record. "
                        "Still missing: %(missing)s"
                    )
                    % {"missing": " ".join(m.text for m in before)}
                }
            )
        if project.settled_on and published_on < project.settled_on:
            raise ValidationError(
                {"published_on": _("The result cannot be made public before the settlement.")}
            )
    if project.disclosures.filter(kind=kind).exists():
        raise ValidationError({"kind": _("This disclosure is already on record.")})
    record = Disclosure(
        project=project, kind=kind, published_on=published_on, until=until, place=place.strip()
    )
    record.full_clean()
    record.save()
    _log_child(project, record, action=Event.Action.DISCLOSE, actor=actor)
    return record


@transaction.atomic
def attach_document(
    project: Project,
    *,
    actor: User | None,
    kind: str,
    title: str,
    issued_on: dt.date,
    upload: UploadedFile,
    expected_sha256: str = "",
) -> ProjectDocument:
    """Store a PDF or image with its SHA-256, which goes into the public log.

    `expected_sha256`, when given, is the hash the sender computed: a file that does not
    match it was changed or damaged on the way and is refused.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_may(actor, Task.RUN_PROCEDURE, project)
    if kind not in ProjectDocument.Kind.values:
        raise ValidationError({"kind": _("There is no document kind “%(kind)s”.") % {"kind": kind}})
    stage = DOCUMENT_STAGE.get(kind, Stage(project.stage))
    if DOCUMENT_STAGE.get(kind) is not None:
        _ensure_stage(project, stage, ProjectDocument.Kind(kind).label)
        if stage == Stage.SETTLEMENT:
            _ensure_settlement_open(project)
    if not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    _not_future(issued_on, "issued_on")
    checked = check_document(upload, expected_sha256=expected_sha256)
    sha256, content_type = checked.sha256, checked.content_type
    if project.documents.filter(sha256=sha256).exists():
        raise ValidationError({"file": _("This very file is already attached to the project.")})
    document = ProjectDocument(
        project=project,
        stage=stage,
        kind=kind,
        title=title.strip(),
        issued_on=issued_on,
        sha256=sha256,
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    upload.seek(0)
    document.file.save(upload.name or "document", upload, save=False)
    try:
        document.full_clean(exclude=["file"])
        document.save()
        changes, _restricted = services.snapshot(document)
        services.log_event(project, action=Event.Action.ATTACH, changes=changes, actor=actor)
    except BaseException:
        document.file.delete(save=False)
        raise
    return document


def _ensure_settlement_open(project: Project) -> None:
    if Disclosure.objects.filter(project=project, kind=Disclosure.Kind.RESULT).exists():
        raise ValidationError(
            _("The result has been made public: the settlement is closed and cannot change.")
        )


def _update_in_stage(
    project: Project, stage: Stage, what: str, *, actor: User | None, **fields: object
) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    ensure_may(actor, Task.RUN_PROCEDURE, project)
    _ensure_stage(project, stage, what)
    for name, value in fields.items():
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    return services.save_record(project, actor=actor, task=Task.RUN_PROCEDURE)


@transaction.atomic
def set_guidance_price(
    project: Project, *, actor: User | None, budget_price: Decimal, guidance_agency: str
) -> Project:
    if budget_price is None or budget_price <= 0:
        raise ValidationError({"budget_price": _("The guidance price must be more than zero.")})
    if not guidance_agency.strip():
        raise ValidationError(
            {"guidance_agency": _("Name the agency that issued the guidance price.")}
        )
    return _update_in_stage(
        project,
        Stage.BUDGET,
        _("The budget guidance price"),
        actor=actor,
        budget_price=budget_price,
        guidance_agency=guidance_agency,
    )


@transaction.atomic
def record_contract(
    project: Project,
    *,
    actor: User | None,
    contracting_method: str,
    contractor: str,
    contract_amount: Decimal,
    contract_signed_on: dt.date,
    contractor_contact: str = "",
    over_guidance_reason: str = "",
) -> Project:
    """The contract; above the guidance price only with a reason, and then it is flagged."""
    if contracting_method not in Project.Method.values:
        raise ValidationError(
            {"contracting_method": _("Choose one of the simplified contracting methods.")}
        )
    if not contractor.strip():
        raise ValidationError({"contractor": _("Name the contractor.")})
    if contract_amount is None or contract_amount <= 0:
        raise ValidationError({"contract_amount": _("The contract amount must be more than zero.")})
    _not_future(contract_signed_on, "contract_signed_on")
    project = Project.objects.get(pk=project.pk)
    earliest = max(
        (d for d in (_latest_record_date(project, Stage.BUDGET), project.contracted_on) if d),
        default=None,
    )
    if earliest and contract_signed_on < earliest:
        raise ValidationError(
            {
                "contract_signed_on": _(
                    "A contract cannot be signed before the guidance price and the opening of "
                    "the contracting stage (%s)."
                )
                % earliest
            }
        )
    return _update_in_stage(
        project,
        Stage.CONTRACTING,
        _("The contract"),
        actor=actor,
        contracting_method=contracting_method,
        contractor=contractor,
        contractor_contact=contractor_contact,
        contract_amount=contract_amount,
        contract_signed_on=contract_signed_on,
        over_guidance_reason=over_guidance_reason,
    )


@transaction.atomic
def record_acceptance(
    project: Project, *, actor: User | None, passed: bool, opinion: str = ""
) -> Project:
    if not passed and not opinion.strip():
        raise ValidationError({"opinion": _("Say why the works failed acceptance.")})
    return _update_in_stage(
        project,
        Stage.ACCEPTANCE,
        _("The acceptance result"),
        actor=actor,
        acceptance_passed=passed,
        acceptance_opinion=opinion,
    )


@transaction.atomic
def record_settlement(
    project: Project, *, actor: User | None, settlement_amount: Decimal, audit_agency: str
) -> Project:
    """The audited final price; more than SETTLEMENT_OVERRUN_PERCENT over contract is flagged."""
    if settlement_amount is None or settlement_amount <= 0:
        raise ValidationError(
            {"settlement_amount": _("The audited settlement must be more than zero.")}
        )
    if not audit_agency.strip():
        raise ValidationError({"audit_agency": _("Name the agency that audited the settlement.")})
    _ensure_settlement_open(project)
    return _update_in_stage(
        project,
        Stage.SETTLEMENT,
        _("The audited settlement"),
        actor=actor,
        settlement_amount=settlement_amount,
        audit_agency=audit_agency,
    )
