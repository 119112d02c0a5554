"""The enforced small-project procedure (projects/procedure.py, issue 7).

Every stage transition allowed and refused, the records each stage needs, the rules on dates,
money, deliberations, disclosures and documents, who may run the procedure, and the field
app's way of moving construction on to acceptance. Each refusal must name the rule and leave
nothing half-saved: the project, its records and the public log exactly as before.
"""

import datetime as dt
import hashlib
import itertools
import re
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from fieldapp import services as field_services
from fieldapp.models import ProgressReport
from fieldapp.receivers import inspect_demo_projects
from projects import procedure
from projects import services as project_services
from projects.models import Deliberation, Disclosure, Project, ProjectDocument, Stage
from projects.models.projects import STAGE_DATE_FIELDS
from registry import services
from registry.models import AdminUnit
from registry.roles import Task
from registry.scoping import may
from tests import documents
from tests.fieldapp import photos as site_photos
from tests.projects.walk import DAYS, VOTES, complete_stage, deliberate, new_project, pdf, walk_to
from trail.models import Event

pytestmark = pytest.mark.django_db

D = dt.date
ORDER = list(Stage)
TRANSITIONS = list(itertools.pairwise(ORDER))
STEPS = list(Deliberation.Step)


@pytest.fixture(autouse=True)
def english():
    """Assert on the English messages (the zh-Hans ones are the same catalogue entries)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Documents (private) and photos go to directories of this test, not to var/."""
    settings.MEDIA_ROOT = tmp_path / "public"
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def fresh(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


def state(project: Project) -> dict:
    """Everything a refusal must leave untouched: the project's every field, its records and
    the length of the public log."""
    public, restricted = services.snapshot(fresh(project))
    return {
        "project": public | restricted,
        "deliberations": list(
            Deliberation.objects.filter(project=project)
            .order_by("step")
            .values_list("step", "held_on", "entitled", "present", "votes_for", "summary")
        ),
        "disclosures": list(
            Disclosure.objects.filter(project=project)
            .order_by("kind")
            .values_list("kind", "published_on", "until", "place")
        ),
        "documents": list(
            ProjectDocument.objects.filter(project=project)
            .order_by("pk")
            .values_list("kind", "sha256", "issued_on")
        ),
        "events": Event.objects.count(),
    }


def messages(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@contextmanager
def refused(project: Project, *fragments: str, error=ValidationError, field: str | None = None):
    """Expect `error` whose message holds every fragment, and nothing saved or logged."""
    before = state(project)
    with pytest.raises(error) as info:
        yield info
    text = messages(info.value)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    if field is not None:
        assert field in info.value.message_dict, info.value.message_dict
    assert state(project) == before


def last_event(project: Project) -> Event:
    event = Event.objects.latest("seq")
    assert event.subject_id == project.pk
    return event


def at_stage(stage: str, village: str = "东岙村", actor=None) -> Project:
    return walk_to(new_project(AdminUnit.objects.get(name=village)), stage, actor=actor)


def complete_at(stage: str, **kwargs) -> Project:
    return complete_stage(at_stage(stage, **kwargs))


def upload(data: bytes, name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_files(media, project: Project) -> set[str]:
    folder = media / "procedure" / str(project.pk)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def attach(project: Project, kind: str = "minutes", actor=None, **kwargs) -> ProjectDocument:
    fields = {"title": "会议纪要", "issued_on": DAYS["proposed"], "upload": pdf()} | kwargs
    return procedure.attach_document(project, actor=actor, kind=kind, **fields)


def inspect(project: Project, day: dt.date = DAYS["inspected"]) -> None:
    inspect_demo_projects(None, projects=[(project, day)])


def take_away(project: Project, code: str) -> None:
    """Remove one piece from a stage whose records are complete (test set-up only: the
    procedure itself never deletes anything)."""
    kind, _, name = code.partition(":")
    if kind == "deliberation":
        Deliberation.objects.filter(project=project, step=name).delete()
    elif kind == "disclosure":
        Disclosure.objects.filter(project=project, kind=name).delete()
    elif kind == "document":
        ProjectDocument.objects.filter(project=project, kind=name).delete()
    elif kind == "field":
        blank = "" if isinstance(Project._meta.get_field(name).get_default(), str) else None
        Project.objects.filter(pk=project.pk).update(**{name: blank})
    else:  # pragma: no cover
        raise AssertionError(code)


def construction_records(project: Project, *, inspected: bool = True, percent: int = 100):
    if inspected:
        inspect(project)
    if percent:
        project_services.update_project(project, actor=None, progress_percent=percent)
    return fresh(project)


def english_text(template: str, label) -> str:
    with translation.override("en"):
        return template % label


# Every piece each stage needs, with the English words its refusal must show.
PIECES = {
    Stage.PROPOSAL: {
        **{f"deliberation:{step}": english_text("Record: %s.", step.label) for step in STEPS},
        "disclosure:resolution": "Make the resolution public (决议公开)",
    },
    Stage.BUDGET: {
        "field:budget_price": "Enter the budget guidance price.",
        "field:guidance_agency": "Name the third-party agency that issued the guidance price.",
        "document:guidance": "Attach the document: Budget guidance price document.",
    },
    Stage.CONTRACTING: {
        "field:contracting_method": "Choose the contracting method.",
        "field:contractor": "Name the contractor.",
        "field:contract_amount": "Enter the contract amount.",
        "field:contract_signed_on": "Enter the date the contract was signed.",
        "document:contract": "Attach the document: Contract.",
    },
    Stage.CONSTRUCTION: {
        "inspection": "At least one site inspection from the field app.",
        "field:progress_percent": "The works are reported 99% done; acceptance needs 100%.",
    },
    Stage.ACCEPTANCE: {
        "field:acceptance_passed": "Record the acceptance result.",
        "document:acceptance": "Attach the document: Acceptance record.",
    },
    Stage.SETTLEMENT: {
        "field:settlement_amount": "Enter the audited settlement amount.",
        "field:audit_agency": "Name the third-party agency that audited the settlement.",
        "document:audit": "Attach the document: Settlement audit report.",
        "disclosure:result": "Make the result of the work public (实施结果公开).",
    },
}
MOVING_PIECES = [
    pytest.param(stage, code, text, id=f"{stage}-{code}")
    for stage, pieces in PIECES.items()
    if stage != Stage.SETTLEMENT
    for code, text in pieces.items()
]
SETTLEMENT_PIECES = [
    pytest.param(code, text, id=code) for code, text in PIECES[Stage.SETTLEMENT].items()
]


def all_but(stage: Stage, code: str) -> Project:
    """A project at `stage` with every record that stage needs except the piece `code`."""
    project = at_stage(stage)
    if stage == Stage.CONSTRUCTION:
        return construction_records(
            project, inspected=code != "inspection", percent=99 if "progress" in code else 100
        )
    project = complete_stage(project)
    take_away(project, code)
    return fresh(project)


# ---------------------------------------------------------------------------------------------
# The five transitions: allowed with complete records, refused with any piece missing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), TRANSITIONS, ids=lambda s: str(s))
def test_each_transition_opens_once_the_stage_is_complete(demo_user, current, target):
    township = demo_user("township")
    project = complete_stage(at_stage(current))
    assert procedure.missing_for(project) == []
    assert procedure.next_stage(project) == target
    before = Event.objects.count()
    moved = procedure.advance(project, actor=township, to=target, on=DAYS[target])
    project = fresh(project)
    assert moved.stage == project.stage == target
    assert getattr(project, STAGE_DATE_FIELDS[target]) == DAYS[target]
    for stage in ORDER[: ORDER.index(current) + 1]:  # earlier dates kept
        assert getattr(project, STAGE_DATE_FIELDS[stage]) is not None
    assert Event.objects.count() == before + 1
    event = last_event(project)
    assert (event.action, event.actor_name) == (Event.Action.STAGE, "township")
    assert event.changes["stage"] == {"from": str(current), "to": str(target)}
    assert event.changes[STAGE_DATE_FIELDS[target]] == {
        "from": None,
        "to": DAYS[target].isoformat(),
    }


@pytest.mark.parametrize(("stage", "code", "text"), MOVING_PIECES)
def test_each_transition_is_refused_naming_the_one_missing_piece(stage, code, text):
    project = all_but(stage, code)
    assert [m.code for m in procedure.missing_for(project)] == [code]
    target = procedure.next_stage(project)
    with refused(project, f"“{target.label}” cannot open yet.", "Still missing:", text, field="to"):
        procedure.advance(project, actor=None, to=target, on=DAYS[target])
    assert fresh(project).stage == stage


@pytest.mark.parametrize("step", STEPS[:-1], ids=str)
def test_missing_an_early_deliberation_blocks_every_later_one_and_the_stage(step):
    """Held in order: the stage lists the missing step and everything that had to follow it."""
    project = new_project()
    deliberate(project, steps=STEPS.index(step))
    missing = [m.code for m in procedure.missing_for(project)]
    later = STEPS[STEPS.index(step) :]
    assert missing == [f"deliberation:{s}" for s in later] + ["disclosure:resolution"]
    with refused(project, f"Record: {step.label}."):
        procedure.advance(project, actor=None, to=Stage.BUDGET, on=DAYS["budget"])


def test_a_new_project_lists_everything_the_proposal_stage_needs():
    project = new_project()
    assert project.stage == Stage.PROPOSAL and project.proposed_on == DAYS["proposed"]
    assert [m.code for m in procedure.missing_for(project)] == list(PIECES[Stage.PROPOSAL])
    with refused(project, *PIECES[Stage.PROPOSAL].values()):
        procedure.advance(project, actor=None, to=Stage.BUDGET, on=DAYS["budget"])


def test_works_that_failed_acceptance_cannot_move_on_to_the_settlement():
    project = at_stage(Stage.ACCEPTANCE)
    procedure.record_acceptance(project, actor=None, passed=False, opinion="路面开裂")
    attach(project, kind="acceptance", title="验收记录", issued_on=DAYS["acceptance"])
    assert [m.code for m in procedure.missing_for(fresh(project))] == ["field:acceptance_passed"]
    with refused(project, "The works failed acceptance: have them put right"):
        procedure.advance(project, actor=None, to=Stage.SETTLEMENT, on=DAYS["settlement"])
    procedure.record_acceptance(project, actor=None, passed=True, opinion="整改后合格")
    moved = procedure.advance(project, actor=None, to=Stage.SETTLEMENT, on=DAYS["settlement"])
    assert moved.stage == Stage.SETTLEMENT


def test_failing_acceptance_needs_the_reason():
    project = at_stage(Stage.ACCEPTANCE)
    with refused(project, "Say why the works failed acceptance.", field="opinion"):
        procedure.record_acceptance(project, actor=None, passed=False, opinion="  ")


# ---------------------------------------------------------------------------------------------
# Out of order, unknown stages and dates
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for i, a in enumerate(ORDER[:-1]) for b in ORDER[i + 2 :]],
    ids=lambda s: str(s),
)
def test_skipping_a_stage_is_refused_even_with_complete_records(current, target):
    project = complete_stage(at_stage(current))
    expected = procedure.next_stage(project)
    with refused(
        project, "one stage at a time", f"only to “{expected.label}”", f"not to “{target.label}”"
    ):
        procedure.advance(project, actor=None, to=target, on=timezone.localdate())


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for i, a in enumerate(ORDER) for b in ORDER[: i + 1] if a != Stage.SETTLEMENT],
    ids=lambda s: str(s),
)
def test_moving_backwards_or_staying_put_is_refused(current, target):
    project = complete_stage(at_stage(current))
    with refused(project, "one stage at a time", field="to"):
        procedure.advance(project, actor=None, to=target, on=timezone.localdate())


@pytest.mark.parametrize("target", ORDER, ids=str)
def test_there_is_nothing_after_the_settlement(target):
    project = complete_at(Stage.SETTLEMENT)
    assert procedure.next_stage(project) is None
    with refused(project, "The settlement audit is the last stage; there is nothing after it."):
        procedure.advance(project, actor=None, to=target, on=timezone.localdate())


@pytest.mark.parametrize("target", ["demolition", "", "BUDGET", "Budget guidance price"])
def test_an_unknown_stage_is_refused(target):
    project = complete_stage(new_project())
    with refused(project, f"There is no stage “{target}”.", field="to"):
        procedure.advance(project, actor=None, to=target, on=DAYS["budget"])


@pytest.mark.parametrize(("current", "target"), TRANSITIONS, ids=lambda s: str(s))
def test_a_stage_cannot_open_in_the_future(current, target):
    project = complete_stage(at_stage(current))
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with refused(project, "A date cannot be in the future.", field="on"):
        procedure.advance(project, actor=None, to=target, on=tomorrow)
    assert procedure.advance(project, actor=None, to=target, on=timezone.localdate())


@pytest.mark.parametrize(
    ("current", "target", "earliest"),
    [
        (Stage.PROPOSAL, Stage.BUDGET, D(2026, 3, 7)),  # the resolution made public
        (Stage.BUDGET, Stage.CONTRACTING, DAYS["budget"]),  # the guidance document
        (Stage.CONTRACTING, Stage.CONSTRUCTION, DAYS["signed"]),  # the contract signed
        (Stage.CONSTRUCTION, Stage.ACCEPTANCE, DAYS["inspected"]),  # the site inspection
        (Stage.ACCEPTANCE, Stage.SETTLEMENT, DAYS["acceptance"]),  # the acceptance record
    ],
    ids=lambda s: str(s),
)
def test_a_stage_cannot_open_before_the_records_of_the_stage_before_it(current, target, earliest):
    project = complete_stage(at_stage(current))
    day_before = earliest - dt.timedelta(days=1)
    with refused(
        project,
        f"“{target.label}” cannot open on {day_before}, before the records of the stage before it "
        f"({earliest}).",
        field="on",
    ):
        procedure.advance(project, actor=None, to=target, on=day_before)
    moved = procedure.advance(project, actor=None, to=target, on=earliest)  # the same day is fine
    assert getattr(moved, STAGE_DATE_FIELDS[target]) == earliest


def test_a_document_dated_after_the_stage_opened_holds_the_next_stage_back():
    project = complete_stage(at_stage(Stage.BUDGET))
    attach(project, kind="other", title="补充说明", issued_on=D(2026, 3, 18))
    with refused(project, "before the records of the stage before it (2026-03-18)"):
        procedure.advance(project, actor=None, to=Stage.CONTRACTING, on=D(2026, 3, 17))
    procedure.advance(project, actor=None, to=Stage.CONTRACTING, on=D(2026, 3, 18))


def test_a_deliberation_dated_after_the_others_holds_the_budget_stage_back():
    project = new_project()
    deliberate(project, steps=4)
    procedure.record_deliberation(
        project, actor=None, step="resolution", held_on=D(2026, 3, 9), **VOTES["resolution"]
    )
    procedure.record_disclosure(
        project, actor=None, kind="resolution", published_on=D(2026, 3, 9), place="村务公开栏"
    )
    with refused(project, "(2026-03-09)"):
        procedure.advance(project, actor=None, to=Stage.BUDGET, on=D(2026, 3, 8))


def test_acceptance_cannot_open_before_the_site_inspection_it_relies_on():
    project = at_stage(Stage.CONSTRUCTION)
    construction_records(project)  # inspected on DAYS["inspected"] (2026-04-20)
    with refused(project, "before the records of the stage before it", field="on"):
        procedure.advance(project, actor=None, to=Stage.ACCEPTANCE, on=D(2026, 4, 10))


def test_an_inspection_before_construction_does_not_count_for_the_construction(demo_user):
    from fieldapp.models import Checklist, ChecklistItem

    survey = Checklist.objects.create(name="项目现场踏勘", subject_kind="project", stage="")
    item = ChecklistItem.objects.create(
        checklist=survey, position=1, text="现场与公示位置一致", answer_type="yes_no"
    )
    project = complete_stage(at_stage(Stage.CONTRACTING))
    field_services.record_inspection(
        project,
        actor=demo_user("inspector"),
        checklist=survey,
        answers={item.pk: "yes"},
        client_uuid=uuid.uuid4(),
        stage_seen=Stage.CONTRACTING,
    )
    assert procedure.inspection_count(project) == 0  # not an inspection of the works
    project = procedure.advance(project, actor=None, to=Stage.CONSTRUCTION, on=DAYS["construction"])
    project = construction_records(project, inspected=False)
    with refused(project, "At least one site inspection from the field app."):
        procedure.advance(project, actor=None, to=Stage.ACCEPTANCE, on=DAYS["acceptance"])


# ---------------------------------------------------------------------------------------------
# is_complete and the timeline
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ORDER[:-1], ids=str)
def test_a_complete_stage_before_the_settlement_is_not_a_complete_procedure(stage):
    project = complete_stage(at_stage(stage))
    assert procedure.missing_for(project) == []
    assert not procedure.is_complete(project)


def test_the_procedure_is_complete_only_when_the_settlement_has_everything():
    project = at_stage(Stage.SETTLEMENT)
    assert not procedure.is_complete(project)
    project = complete_stage(project)
    assert procedure.is_complete(project)
    views = procedure.timeline(project)
    assert [v.state for v in views] == ["done"] * 6
    assert all(v.missing == [] for v in views)
    assert [v.date for v in views] == [DAYS[k] for k in ("proposed", *map(str, ORDER[1:]))]


@pytest.mark.parametrize(("code", "text"), SETTLEMENT_PIECES)
def test_the_settlement_missing_one_piece_is_not_complete(code, text):
    project = complete_at(Stage.SETTLEMENT)
    take_away(project, code)
    project = fresh(project)
    assert not procedure.is_complete(project)
    assert [m.code for m in procedure.missing_for(project)] == [code]
    views = procedure.timeline(project)
    assert [v.state for v in views] == ["done"] * 5 + ["current"]
    assert [m.text for m in views[-1].missing] == [text]


@pytest.mark.parametrize("stage", ORDER, ids=str)
def test_the_timeline_shows_done_current_and_ahead_with_what_the_current_stage_lacks(stage):
    project = at_stage(stage)
    views = procedure.timeline(project)
    index = ORDER.index(stage)
    assert [v.stage for v in views] == ORDER
    assert [v.label for v in views] == [s.label for s in ORDER]
    assert [v.state for v in views] == ["done"] * index + ["current"] + ["ahead"] * (5 - index)
    assert views[index].missing == procedure.missing_for(project) != []
    assert all(v.missing == [] for v in views if v.state != "current")
    assert all(v.date is not None for v in views[: index + 1])
    assert all(v.date is None for v in views[index + 1 :])


# ---------------------------------------------------------------------------------------------
# Deliberations (五议)
# ---------------------------------------------------------------------------------------------


def hold(project, step, day=None, **numbers):
    day = day or DAYS["proposed"] + dt.timedelta(days=STEPS.index(Deliberation.Step(step)) + 1)
    numbers = VOTES.get(step, {}) | numbers
    return procedure.record_deliberation(project, actor=None, step=step, held_on=day, **numbers)


def test_a_deliberation_is_logged_with_its_numbers():
    project = new_project()
    before = Event.objects.count()
    record = hold(project, "suggestion", summary="  村民建议硬化道路  ")
    assert record.passed and record.summary == "村民建议硬化道路"
    assert Event.objects.count() == before + 1
    event = last_event(project)
    assert event.action == Event.Action.DELIBERATE
    assert event.changes["step"] == "suggestion"
    assert event.changes["public_summary"] == "村民建议硬化道路"


@pytest.mark.parametrize("step", STEPS[1:], ids=str)
def test_deliberations_out_of_order_are_refused(step):
    project = new_project()
    previous = STEPS[STEPS.index(step) - 1]
    with refused(project, f"“{previous.label}” must be recorded, and passed, before", field="step"):
        hold(project, step)


def test_an_unknown_deliberation_is_refused():
    project = new_project()
    with refused(project, "There is no deliberation “vote”.", field="step"):
        hold(project, "vote", day=DAYS["proposed"])


@pytest.mark.parametrize("step", sorted(Deliberation.MEETINGS), ids=str)
@pytest.mark.parametrize(
    "numbers", [{"entitled": None, "present": None}, {"present": None}, {"entitled": 0}]
)
def test_a_meeting_without_attendance_is_refused(step, numbers):
    project = new_project()
    deliberate(project, steps=STEPS.index(step))
    with refused(project, "A meeting needs the number of members entitled and present."):
        hold(project, step, **numbers)


@pytest.mark.parametrize("step", sorted(Deliberation.MEETINGS), ids=str)
def test_more_members_present_than_entitled_is_refused(step):
    project = new_project()
    deliberate(project, steps=STEPS.index(step))
    with refused(project, "More members present than are entitled to attend.", field="present"):
        hold(project, step, entitled=10, present=11, votes_for=11, votes_against=0, votes_abstain=0)


@pytest.mark.parametrize("step", sorted(Deliberation.VOTES), ids=str)
def test_more_votes_than_members_present_is_refused(step):
    project = new_project()
    deliberate(project, steps=STEPS.index(step))
    with refused(project, "More votes were cast than members were present.", field="votes_for"):
        hold(project, step, entitled=45, present=40, votes_for=36, votes_against=3, votes_abstain=2)


@pytest.mark.parametrize("step", sorted(Deliberation.VOTES), ids=str)
@pytest.mark.parametrize("blank", ["votes_for", "votes_against", "votes_abstain"])
def test_a_vote_without_its_counts_is_refused(step, blank):
    project = new_project()
    deliberate(project, steps=STEPS.index(step))
    with refused(project, "A vote needs the votes for, against and abstaining."):
        hold(project, step, **{blank: None})


def test_negative_numbers_are_refused():
    project = new_project()
    deliberate(project, steps=1)
    with refused(project):
        hold(project, "proposal", entitled=7, present=-1)


def test_a_resolution_needs_two_thirds_present():
    project = new_project()
    deliberate(project, steps=4)
    # 29 of 45 is short of two thirds: recorded, but it does not pass.
    record = hold(
        project,
        "resolution",
        entitled=45,
        present=29,
        votes_for=29,
        votes_against=0,
        votes_abstain=0,
    )
    assert Deliberation.objects.get(pk=record.pk).present == 29
    assert (record.quorate, record.passed) == (False, False)
    assert last_event(project).action == Event.Action.DELIBERATE
    codes = [m.code for m in procedure.missing_for(fresh(project))]
    assert codes == ["deliberation:resolution", "disclosure:resolution"]
    with refused(project, "There is no passed resolution to make public yet.", field="kind"):
        procedure.record_disclosure(
            project, actor=None, kind="resolution", published_on=D(2026, 3, 7), place="公开栏"
        )
    with refused(project, "did not pass (no quorum or no majority): hold it again."):
        procedure.advance(project, actor=None, to=Stage.BUDGET, on=DAYS["budget"])
    # Exactly two thirds is enough.
    again = hold(project, "resolution", entitled=45, present=30, votes_for=16)
    assert again.pk == record.pk and again.quorate and again.passed


def test_other_meetings_need_more_than_half_present():
    project = new_project()
    deliberate(project, steps=2)
    record = hold(project, "joint", entitled=12, present=6)
    assert not record.passed
    with refused(project, f"“{Deliberation.Step.JOINT.label}” must be recorded, and passed"):
        hold(project, "party")
    assert hold(project, "joint", entitled=12, present=7).passed


@pytest.mark.parametrize("step", sorted(Deliberation.VOTES), ids=str)
@pytest.mark.parametrize("votes_for", [20, 15])  # half of 40 present, and less
def test_a_vote_without_a_majority_of_those_present_does_not_pass(step, votes_for):
    project = new_project()
    deliberate(project, steps=STEPS.index(step))
    numbers = {"entitled": 45, "present": 40, "votes_against": 10, "votes_abstain": 5}
    record = hold(project, step, votes_for=votes_for, **numbers)
    assert record.quorate and not record.passed
    assert f"deliberation:{step}" in [m.code for m in procedure.missing_for(fresh(project))]
    if step == Deliberation.Step.PARTY:
        with refused(project, "must be recorded, and passed, before"):
            hold(project, "resolution")
    with refused(project, f"{Deliberation.Step(step).label} did not pass"):
        procedure.advance(project, actor=None, to=Stage.BUDGET, on=DAYS["budget"])


def test_a_failed_vote_is_held_again_and_replaced_while_the_log_keeps_both():
    project = new_project()
    deliberate(project, steps=3)
    failed = hold(project, "party", votes_for=20, votes_against=25, votes_abstain=5)
    assert not failed.passed
    before = Event.objects.count()
    again = hold(project, "party", day=D(2026, 3, 5), votes_for=40, votes_against=5)
    assert again.pk == failed.pk and again.passed and again.held_on == D(2026, 3, 5)
    assert project.deliberations.filter(step="party").count() == 1
    assert Event.objects.count() == before + 1
    party_events = Event.objects.filter(
        subject_id=project.pk, action=Event.Action.DELIBERATE, changes__step="party"
    )
    assert [e.changes["votes_for"] for e in party_events.order_by("seq")] == [20, 40]
    hold(project, "resolution")  # the next step opens


def test_a_vote_held_again_cannot_be_dated_before_the_vote_that_failed():
    project = new_project()
    deliberate(project, steps=3)  # the joint meeting on 2026-03-04
    hold(project, "party", day=D(2026, 3, 10), votes_for=20, votes_against=25, votes_abstain=5)
    with refused(project, field="held_on"):
        hold(project, "party", day=D(2026, 3, 5), votes_for=40, votes_against=5)


@pytest.mark.parametrize("step", STEPS, ids=str)
def test_a_passed_deliberation_cannot_be_recorded_twice(step):
    project = new_project()
    deliberate(project, steps=STEPS.index(step) + 1)
    with refused(project, "is already on record.", field="step"):
        hold(project, step)


def test_a_deliberation_cannot_be_dated_before_the_one_it_follows():
    project = new_project()
    deliberate(project, steps=2)  # the proposal held on 2026-03-03
    with refused(project, "This deliberation is dated before the one it follows.", field="held_on"):
        hold(project, "joint", day=D(2026, 3, 2))
    assert hold(project, "joint", day=D(2026, 3, 3)).passed  # the same day is fine


def test_a_deliberation_cannot_be_dated_in_the_future():
    project = new_project()
    with refused(project, "A date cannot be in the future.", field="held_on"):
        hold(project, "suggestion", day=timezone.localdate() + dt.timedelta(days=1))


@pytest.mark.parametrize("stage", ORDER[1:], ids=str)
def test_deliberations_belong_to_the_proposal_stage(stage):
    project = at_stage(stage)
    with refused(project, "A deliberation (五议) belongs to the stage", "cannot be skipped or"):
        hold(project, "suggestion")


# ---------------------------------------------------------------------------------------------
# Disclosures (两公开)
# ---------------------------------------------------------------------------------------------


RESOLUTION_PUBLISHED = D(2026, 3, 7)


def disclose(project, kind="resolution", day=RESOLUTION_PUBLISHED, **kwargs):
    fields = {"place": "村务公开栏"} | kwargs
    return procedure.record_disclosure(project, actor=None, kind=kind, published_on=day, **fields)


@pytest.mark.parametrize("steps", [0, 4])
def test_the_resolution_cannot_be_made_public_before_it_passed(steps):
    project = new_project()
    deliberate(project, steps=steps)
    with refused(project, "There is no passed resolution to make public yet.", field="kind"):
        disclose(project)


def test_the_resolution_cannot_be_published_before_it_was_made():
    project = new_project()
    deliberate(project)  # the resolution on 2026-03-06
    with refused(project, "cannot be published before it was made", field="published_on"):
        disclose(project, day=D(2026, 3, 5))
    record = disclose(project, day=D(2026, 3, 6), until=D(2026, 3, 16), place=" 村务公开栏 ")
    assert record.place == "村务公开栏"
    event = last_event(project)
    assert event.action == Event.Action.DISCLOSE
    assert event.changes == {
        "kind": "resolution",
        "published_on": "2026-03-06",
        "until": "2026-03-16",
        "place": "村务公开栏",
    }


def test_a_disclosure_is_recorded_once():
    project = new_project()
    deliberate(project)
    disclose(project)
    with refused(project, "This disclosure is already on record.", field="kind"):
        disclose(project, day=D(2026, 3, 8))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"day": timezone.localdate() + dt.timedelta(days=1)}, "A date cannot be in the future."),
        ({"until": D(2026, 3, 6)}, "A disclosure cannot end before it is published."),
        ({"place": "  "}, ""),
        ({"kind": "everything"}, "There is no disclosure “everything”."),
    ],
    ids=["future", "ends-before", "no-place", "unknown-kind"],
)
def test_bad_disclosures_are_refused(kwargs, fragment):
    project = new_project()
    deliberate(project)
    with refused(project, fragment):
        disclose(project, **kwargs)


@pytest.mark.parametrize("stage", ORDER[:-1], ids=str)
def test_the_result_is_made_public_only_at_the_settlement(stage):
    project = complete_stage(at_stage(stage)) if stage == Stage.PROPOSAL else at_stage(stage)
    with refused(project, "Making the result public belongs to the stage “Settlement audit”"):
        disclose(project, kind="result", day=timezone.localdate())


@pytest.mark.parametrize("stage", ORDER[1:], ids=str)
def test_the_resolution_is_made_public_only_at_the_proposal_stage(stage):
    project = at_stage(stage)
    Disclosure.objects.filter(project=project).delete()
    with refused(project, "Making the resolution public belongs to the stage"):
        disclose(project)


def test_the_result_disclosure_completes_the_settlement():
    project = at_stage(Stage.SETTLEMENT)
    complete_stage(project)
    project = fresh(project)
    assert procedure.is_complete(project)
    assert project.disclosures.get(kind="result").published_on == D(2026, 7, 5)


# ---------------------------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------------------------

PNG = documents.png()
JPEG = documents.jpeg()


def test_a_document_is_stored_with_its_sha256_on_the_public_log(media):
    project = at_stage(Stage.BUDGET)
    file = pdf("guidance")
    data = file.read()
    before = Event.objects.count()
    document = attach(
        project, kind="guidance", title=" 指导价 ", issued_on=DAYS["budget"], upload=file
    )
    digest = hashlib.sha256(data).hexdigest()
    assert document.sha256 == digest
    assert (document.size, document.content_type) == (len(data), "application/pdf")
    assert (document.stage, document.title) == (Stage.BUDGET, "指导价")
    assert re.fullmatch(rf"procedure/{project.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    assert digest[:16] not in document.file.name  # not guessable from the public hash
    assert (media / document.file.name).read_bytes() == data
    assert document.file_is_intact()
    assert Event.objects.count() == before + 1
    event = last_event(project)
    assert event.action == Event.Action.ATTACH
    assert event.changes["sha256"] == digest
    assert event.changes | {"sha256": "-"} == {
        "stage": "budget",
        "kind": "guidance",
        "title": "指导价",
        "issued_on": DAYS["budget"].isoformat(),
        "sha256": "-",
        "size": len(data),
        "content_type": "application/pdf",
    }


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [(PNG, "photo.png", "image/png"), (JPEG, "scan.jpg", "image/jpeg")],
)
def test_images_are_accepted_by_their_content(data, name, content_type):
    project = new_project()
    document = attach(project, upload=upload(data, name))
    assert document.content_type == content_type
    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_a_file_matching_the_hash_its_sender_gave_is_stored():
    project = new_project()
    file = pdf()
    digest = hashlib.sha256(file.read()).hexdigest()
    document = attach(project, upload=file, expected_sha256=f"  {digest.upper()} ")
    assert document.sha256 == digest


def test_a_tampered_file_is_refused_and_nothing_is_stored(media):
    project = new_project()
    attach(project, title="先前的纪要")  # a file already there, so the folder exists
    files = stored_files(media, project)
    original = pdf().read()
    expected = hashlib.sha256(original).hexdigest()
    tampered = original.replace(b"test document", b"test documenT", 1)
    assert tampered != original
    documents = ProjectDocument.objects.count()
    with refused(project, "does not match the SHA-256 given with it", expected, field="file"):
        attach(project, upload=upload(tampered), expected_sha256=expected)
    assert ProjectDocument.objects.count() == documents
    assert stored_files(media, project) == files


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("会议纪要：同意硬化道路".encode(), "minutes.txt"),
        ("会议纪要：同意硬化道路".encode(), "minutes.pdf"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200), "invoice.pdf"),
        (b"PK\x03\x04" + bytes(100), "minutes.docx"),
        (b"<html><script>alert(1)</script></html>", "notice.png"),
        (b"", "empty.pdf"),
    ],
    ids=["text", "text-as-pdf", "exe-as-pdf", "docx", "html-as-png", "empty"],
)
def test_only_pdf_jpeg_and_png_are_accepted(media, data, name):
    project = new_project()
    with refused(project, "Only PDF, JPEG and PNG documents are accepted.", field="file"):
        attach(project, upload=upload(data, name))
    assert stored_files(media, project) == set()


def test_a_file_over_the_size_limit_is_refused(settings, media):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    project = new_project()
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 8 - 6) + b"%%EOF\n"
    assert len(big) == 1024 * 1024 + 1
    with refused(project, "The file is larger than 1 MB.", field="file"):
        attach(project, upload=upload(big))
    assert stored_files(media, project) == set()
    assert attach(project, upload=upload(big[:-1])).size == 1024 * 1024


def test_the_same_file_cannot_be_attached_twice():
    project = new_project()
    data = pdf().read()
    attach(project, upload=upload(data, "a.pdf"))
    with refused(project, "This very file is already attached to the project.", field="file"):
        attach(project, title="另一份", upload=upload(data, "b.pdf"))


def test_the_same_file_may_belong_to_two_projects():
    data = pdf().read()
    first, second = new_project(), new_project()
    a = attach(first, upload=upload(data))
    b = attach(second, upload=upload(data))
    assert a.sha256 == b.sha256 and a.file.name != b.file.name


@pytest.mark.parametrize(
    ("kind", "belongs"),
    [
        ("guidance", Stage.BUDGET),
        ("contract", Stage.CONTRACTING),
        ("acceptance", Stage.ACCEPTANCE),
        ("audit", Stage.SETTLEMENT),
    ],
)
@pytest.mark.parametrize("stage", ORDER, ids=str)
def test_a_stage_document_only_at_its_own_stage(stage, kind, belongs):
    project = at_stage(stage)
    label = ProjectDocument.Kind(kind).label
    if stage == belongs:
        assert attach(project, kind=kind, issued_on=DAYS["proposed"]).stage == stage
        return
    with refused(project, f"{label} belongs to the stage “{belongs.label}”", "cannot be skipped"):
        attach(project, kind=kind, issued_on=DAYS["proposed"])


@pytest.mark.parametrize("stage", ORDER, ids=str)
def test_minutes_and_notices_fit_any_stage(stage):
    project = at_stage(stage)
    assert attach(project, kind="minutes").stage == stage
    assert attach(project, kind="notice").stage == stage


@pytest.mark.parametrize(
    ("kwargs", "fragment", "field"),
    [
        ({"kind": "photo"}, "There is no document kind “photo”.", "kind"),
        ({"title": "   "}, "Give the document a title.", "title"),
        ({"title": "纪" * 201}, "", "title"),
        (
            {"issued_on": timezone.localdate() + dt.timedelta(days=1)},
            "A date cannot be in the future.",
            "issued_on",
        ),
    ],
    ids=["unknown-kind", "no-title", "long-title", "future"],
)
def test_bad_documents_are_refused(media, kwargs, fragment, field):
    project = new_project()
    with refused(project, fragment, field=field):
        attach(project, **kwargs)
    assert stored_files(media, project) == set()


def test_a_document_title_with_personal_data_is_scrubbed_on_the_log():
    project = new_project()
    document = attach(project, title="张三 33038119900101123X 13812345678 收据")
    assert "33038119900101123X" in document.title  # staff see it as entered
    logged = last_event(project).changes["title"]
    assert "33038119900101123X" not in logged and "13812345678" not in logged
    assert "[身份证号已隐去]" in logged and "[手机号已隐去]" in logged


@pytest.mark.parametrize("how", ["changed", "deleted"])
def test_a_stored_file_changed_on_disk_is_no_longer_intact(media, how):
    project = new_project()
    document = attach(project)
    path = media / document.file.name
    assert ProjectDocument.objects.get(pk=document.pk).file_is_intact()
    if how == "changed":
        path.write_bytes(path.read_bytes() + b"%% appended\n")
    else:
        path.unlink()
    assert not ProjectDocument.objects.get(pk=document.pk).file_is_intact()


# ---------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------


def contract(project, amount, actor=None, **kwargs):
    fields = {
        "contracting_method": "comparison",
        "contractor": "瑞安市测试建设有限公司",
        "contract_signed_on": DAYS["signed"],
    } | kwargs
    return procedure.record_contract(
        project, actor=actor, contract_amount=Decimal(amount), **fields
    )


def settle(project, amount, actor=None):
    return procedure.record_settlement(
        project, actor=actor, settlement_amount=Decimal(amount), audit_agency="某审计所"
    )


def test_a_contract_above_the_guidance_price_needs_a_reason():
    project = at_stage(Stage.CONTRACTING)  # guidance price 150,000
    with refused(
        project,
        "The contract amount is above the budget guidance price: give the reason",
        field="over_guidance_reason",
    ):
        contract(project, "150000.01")
    with refused(project, "give the reason"):
        contract(project, "160000", over_guidance_reason="   ")
    project = contract(project, "160000", over_guidance_reason="钢材涨价，经村民代表会议同意")
    project = fresh(project)
    assert project.exceeds_guidance
    assert project.flags() == [
        "The contract amount is above the budget guidance price (reason given)."
    ]
    changes = last_event(project).changes
    assert changes["contract_amount"]["from"] is None
    assert Decimal(changes["contract_amount"]["to"]) == Decimal("160000")
    assert changes["over_guidance_reason"]["to"] == "钢材涨价，经村民代表会议同意"


def test_a_contract_at_the_guidance_price_needs_no_reason_and_raises_no_flag():
    project = contract(at_stage(Stage.CONTRACTING), "150000")
    assert fresh(project).flags() == []


@pytest.mark.parametrize(
    ("settlement", "percent", "flagged"),
    [
        ("154000", None, False),  # exactly 10% over 140,000
        ("154000.01", None, True),
        ("140000", None, False),
        ("120000", None, False),  # under the contract
        ("147000", 5, False),  # exactly 5%
        ("147000.01", 5, True),
        ("154000.01", 20, False),
        ("168000.01", 20, True),
    ],
)
def test_a_settlement_overrun_is_flagged_above_the_set_percent(settlement, percent, flagged):
    project = at_stage(Stage.SETTLEMENT)  # contract 140,000
    overrides = {} if percent is None else {"SETTLEMENT_OVERRUN_PERCENT": percent}
    with override_settings(**overrides):
        settle(project, settlement)
        project = fresh(project)
        assert project.settlement_overrun is flagged
        expected = [f"The audited settlement is more than {percent or 10}% over the contract."]
        assert project.flags() == (expected if flagged else [])


def set_guidance(project, amount, actor=None):
    return procedure.set_guidance_price(
        project, actor=actor, budget_price=Decimal(amount), guidance_agency="某造价咨询公司"
    )


@pytest.mark.parametrize(
    ("stage", "field"),
    [(Stage.BUDGET, "budget_price"), (Stage.CONTRACTING, "contract_amount")],
    ids=str,
)
def test_amounts_above_200000_are_refused(stage, field):
    project = at_stage(stage)

    def record(amount):
        if stage == Stage.BUDGET:
            return set_guidance(project, amount)
        return contract(project, amount, over_guidance_reason="钢材涨价")  # a reason is no way out

    with refused(project, "A small village project is at most 200,000 yuan", field=field):
        record("200000.01")
    with refused(project, "at most 200,000 yuan"):
        record("1000000")
    record("200000")
    assert getattr(fresh(project), field) == Decimal("200000")


@pytest.mark.parametrize("amount", ["0", "-1", "-150000"])
@pytest.mark.parametrize(
    ("stage", "fragment"),
    [
        (Stage.BUDGET, "The guidance price must be more than zero."),
        (Stage.CONTRACTING, "The contract amount must be more than zero."),
        (Stage.SETTLEMENT, "The audited settlement must be more than zero."),
    ],
    ids=str,
)
def test_zero_and_negative_amounts_are_refused(stage, fragment, amount):
    project = at_stage(stage)
    with refused(project, fragment):
        if stage == Stage.BUDGET:
            procedure.set_guidance_price(
                project, actor=None, budget_price=Decimal(amount), guidance_agency="某公司"
            )
        elif stage == Stage.CONTRACTING:
            contract(project, amount)
        else:
            settle(project, amount)


@pytest.mark.parametrize(
    ("kwargs", "fragment", "field"),
    [
        ({"contracting_method": "open_tender"}, "simplified contracting methods", None),
        ({"contractor": "  "}, "Name the contractor.", "contractor"),
        (
            {"contract_signed_on": timezone.localdate() + dt.timedelta(days=1)},
            "A date cannot be in the future.",
            "contract_signed_on",
        ),
        (
            {"contract_signed_on": DAYS["budget"] - dt.timedelta(days=1)},
            "A contract cannot be signed before the guidance price",
            "contract_signed_on",
        ),
    ],
    ids=["method", "contractor", "future", "before-guidance"],
)
def test_bad_contracts_are_refused(kwargs, fragment, field):
    project = at_stage(Stage.CONTRACTING)
    with refused(project, fragment, field=field):
        contract(project, "140000", **kwargs)


def test_a_contract_cannot_be_signed_before_the_guidance_price_document_or_the_stage():
    project = at_stage(Stage.BUDGET)  # the budget stage opened on 2026-03-12
    procedure.set_guidance_price(
        project, actor=None, budget_price=Decimal("150000"), guidance_agency="某造价咨询公司"
    )
    attach(project, kind="guidance", title="指导价", issued_on=D(2026, 3, 15))
    procedure.advance(project, actor=None, to=Stage.CONTRACTING, on=D(2026, 3, 16))
    with refused(project, field="contract_signed_on"):
        contract(project, "140000", contract_signed_on=D(2026, 3, 13))


def test_the_settlement_needs_its_audit_agency():
    project = at_stage(Stage.SETTLEMENT)
    with refused(project, "Name the agency that audited the settlement.", field="audit_agency"):
        procedure.record_settlement(
            project, actor=None, settlement_amount=Decimal("141000"), audit_agency=" "
        )


@pytest.mark.parametrize(
    ("stage", "call"),
    [
        (Stage.PROPOSAL, "guidance"),
        (Stage.CONTRACTING, "guidance"),
        (Stage.BUDGET, "contract"),
        (Stage.CONSTRUCTION, "contract"),
        (Stage.CONSTRUCTION, "acceptance"),
        (Stage.SETTLEMENT, "acceptance"),
        (Stage.ACCEPTANCE, "settlement"),
    ],
    ids=str,
)
def test_stage_records_only_at_their_stage(stage, call):
    project = at_stage(stage)
    with refused(project, "belongs to the stage", "Stages cannot be skipped or reopened."):
        if call == "guidance":
            procedure.set_guidance_price(
                project, actor=None, budget_price=Decimal("150000"), guidance_agency="某公司"
            )
        elif call == "contract":
            contract(project, "140000")
        elif call == "acceptance":
            procedure.record_acceptance(project, actor=None, passed=True)
        else:
            settle(project, "141000")


def test_procedure_fields_cannot_be_changed_around_the_procedure():
    project = at_stage(Stage.CONTRACTING)
    for fields in (
        {"stage": Stage.SETTLEMENT},
        {"contract_amount": Decimal("1")},
        {"settled_on": DAYS["settlement"]},
    ):
        with refused(project, "changes only through its stages"):
            project_services.update_project(project, actor=None, **fields)


# ---------------------------------------------------------------------------------------------
# Who may run the procedure
# ---------------------------------------------------------------------------------------------

OPERATIONS = {
    "deliberation": (
        Stage.PROPOSAL,
        lambda p, a: procedure.record_deliberation(
            p, actor=a, step="suggestion", held_on=DAYS["proposed"]
        ),
    ),
    "disclosure": (
        Stage.PROPOSAL,
        lambda p, a: procedure.record_disclosure(
            p, actor=a, kind="resolution", published_on=D(2026, 3, 7), place="村务公开栏"
        ),
    ),
    "advance-to-budget": (
        Stage.PROPOSAL,
        lambda p, a: procedure.advance(p, actor=a, to=Stage.BUDGET, on=DAYS["budget"]),
    ),
    "guidance": (
        Stage.BUDGET,
        lambda p, a: procedure.set_guidance_price(
            p, actor=a, budget_price=Decimal("150000"), guidance_agency="某造价咨询公司"
        ),
    ),
    "document": (Stage.BUDGET, lambda p, a: attach(p, actor=a, kind="guidance")),
    "contract": (Stage.CONTRACTING, lambda p, a: contract(p, "140000", actor=a)),
    "advance-to-construction": (
        Stage.CONTRACTING,
        lambda p, a: procedure.advance(p, actor=a, to=Stage.CONSTRUCTION, on=DAYS["construction"]),
    ),
    "acceptance": (
        Stage.ACCEPTANCE,
        lambda p, a: procedure.record_acceptance(p, actor=a, passed=True, opinion="合格"),
    ),
    "settlement": (Stage.SETTLEMENT, lambda p, a: settle(p, "141000", actor=a)),
}


def ready_for(operation: str, village: str = "东岙村") -> Project:
    stage, _call = OPERATIONS[operation]
    project = at_stage(stage, village=village)
    if operation == "disclosure":
        deliberate(project)
    if operation.startswith("advance"):
        project = complete_stage(project)
    return fresh(project)


@pytest.mark.parametrize("username", ["township", "bookkeeper", "city"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_township_staff_bookkeepers_and_city_staff_run_the_procedure(
    demo_user, username, operation
):
    user = demo_user(username)
    project = ready_for(operation)
    before = Event.objects.count()
    OPERATIONS[operation][1](project, user)
    assert Event.objects.count() == before + 1
    assert last_event(project).actor_name == username


@pytest.mark.parametrize("username", ["inspector", "supervisor"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_field_staff_may_not_run_the_procedure(demo_user, username, operation):
    project = ready_for(operation)
    with refused(project, "Only township staff and bookkeepers", error=PermissionDenied):
        OPERATIONS[operation][1](project, demo_user(username))


@pytest.mark.parametrize("username", ["township", "bookkeeper", "inspector", "supervisor"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_nobody_runs_the_procedure_outside_their_units(demo_user, username, operation):
    project = ready_for(operation, village="白岩桥村")
    with refused(project, error=PermissionDenied):
        OPERATIONS[operation][1](project, demo_user(username))


def test_the_city_runs_the_procedure_anywhere(demo_user):
    project = complete_stage(at_stage(Stage.CONTRACTING, village="白岩桥村"))
    moved = procedure.advance(
        project, actor=demo_user("city"), to=Stage.CONSTRUCTION, on=DAYS["construction"]
    )
    assert moved.stage == Stage.CONSTRUCTION


def test_the_bookkeeper_covers_only_their_two_villages(demo_user):
    bookkeeper = demo_user("bookkeeper")
    for name, allowed in [
        ("东岙村", True),
        ("许岙村", True),
        ("南堡村", False),
        ("白岩桥村", False),
    ]:
        project = new_project(AdminUnit.objects.get(name=name))
        assert may(bookkeeper, Task.RUN_PROCEDURE, project) is allowed, name
    township = demo_user("township")
    assert may(township, Task.RUN_PROCEDURE, new_project(AdminUnit.objects.get(name="南堡村")))


def test_anonymous_visitors_cannot_run_the_procedure():
    from django.contrib.auth.models import AnonymousUser

    project = new_project()
    with refused(project, error=PermissionDenied):
        procedure.record_deliberation(
            project, actor=AnonymousUser(), step="suggestion", held_on=DAYS["proposed"]
        )


@pytest.mark.parametrize("username", ["inspector", "supervisor", "township", "bookkeeper"])
def test_field_staff_may_move_construction_on_to_acceptance(demo_user, username):
    project = construction_records(at_stage(Stage.CONSTRUCTION))
    moved = procedure.advance(
        project, actor=demo_user(username), to=Stage.ACCEPTANCE, on=DAYS["acceptance"]
    )
    assert moved.stage == Stage.ACCEPTANCE
    assert last_event(project).actor_name == username


@pytest.mark.parametrize("username", ["inspector", "supervisor"])
def test_field_staff_move_to_acceptance_only_with_complete_records_in_their_units(
    demo_user, username
):
    user = demo_user(username)
    incomplete = construction_records(at_stage(Stage.CONSTRUCTION), inspected=False)
    with refused(incomplete, "At least one site inspection from the field app."):
        procedure.advance(incomplete, actor=user, to=Stage.ACCEPTANCE, on=DAYS["acceptance"])
    elsewhere = construction_records(at_stage(Stage.CONSTRUCTION, village="白岩桥村"))
    with refused(elsewhere, error=PermissionDenied):
        procedure.advance(elsewhere, actor=user, to=Stage.ACCEPTANCE, on=DAYS["acceptance"])


# ---------------------------------------------------------------------------------------------
# The field app moving construction on to acceptance
# ---------------------------------------------------------------------------------------------


def report(project, user, percent=100, advance_to="acceptance", stage_seen="construction"):
    """What the field app's progress form sends: a photo of the site and the report, in one
    transaction as the view makes them, so a refusal keeps neither."""
    with transaction.atomic():
        photo, _ = field_services.add_photo(
            project, actor=user, data=site_photos.jpeg(), client_uuid=uuid.uuid4()
        )
        return field_services.report_progress(
            project,
            actor=user,
            client_uuid=uuid.uuid4(),
            percent=percent,
            stage_seen=stage_seen,
            advance_to=advance_to,
            evidence=[photo],
        )


def test_the_field_app_moves_no_stage_without_a_photo_of_the_site(demo_user):
    """The rule lives in the service, not only in the phone's form."""
    project = construction_records(at_stage(Stage.CONSTRUCTION))
    inspector = demo_user("inspector")
    elsewhere = Project.objects.exclude(pk=project.pk).first()
    other_photo, _ = field_services.add_photo(
        elsewhere, actor=demo_user("city"), data=site_photos.jpeg(), client_uuid=uuid.uuid4()
    )
    reports = ProgressReport.objects.count()
    for evidence in ([], [other_photo]):
        with refused(project, "Attach at least one photo"):
            field_services.report_progress(
                project,
                actor=inspector,
                client_uuid=uuid.uuid4(),
                percent=100,
                stage_seen="construction",
                advance_to="acceptance",
                evidence=evidence,
            )
    assert ProgressReport.objects.count() == reports  # the report is not kept either


def test_the_inspector_reports_the_works_done_and_acceptance_opens_today(demo_user):
    project = at_stage(Stage.CONSTRUCTION)
    inspect(project)
    report_, created = report(project, demo_user("inspector"))
    project = fresh(project)
    assert created and report_.conflict == ""
    assert (project.stage, project.progress_percent) == (Stage.ACCEPTANCE, 100)
    assert project.accepted_on == timezone.localdate()
    event = last_event(project)
    assert (event.action, event.actor_name) == (Event.Action.STAGE, "inspector")


@pytest.mark.parametrize(
    ("inspected", "percent", "fragment"),
    [
        (False, 100, "At least one site inspection from the field app."),
        (True, 90, "The works are reported 90% done; acceptance needs 100%."),
    ],
)
def test_the_inspector_cannot_open_acceptance_on_incomplete_records(
    demo_user, inspected, percent, fragment
):
    project = at_stage(Stage.CONSTRUCTION)
    if inspected:
        inspect(project)
    reports = ProgressReport.objects.count()
    with refused(project, "“Completion acceptance” cannot open yet.", fragment):
        report(project, demo_user("inspector"), percent=percent)
    assert ProgressReport.objects.count() == reports  # the progress is not half-applied
    assert fresh(project).progress_percent == 0


@pytest.mark.parametrize("advance_to", ["settlement", "budget", "demolition"])
def test_the_field_app_cannot_move_a_project_anywhere_else(demo_user, advance_to):
    project = at_stage(Stage.CONSTRUCTION)
    inspect(project)
    with refused(project):
        report(project, demo_user("inspector"), advance_to=advance_to)


def test_the_field_app_cannot_open_the_budget_stage(demo_user):
    project = complete_stage(new_project())
    with refused(project, error=PermissionDenied):
        report(project, demo_user("inspector"), advance_to="budget", stage_seen="proposal")


def test_a_stale_phone_does_not_move_the_stage(demo_user):
    project = at_stage(Stage.CONSTRUCTION)
    inspect(project)
    report_, _created = report(project, demo_user("inspector"), stage_seen="contracting")
    assert report_.conflict
    assert fresh(project).stage == Stage.CONSTRUCTION


def test_the_result_is_not_made_public_before_the_settlement_stage_opened():
    project = at_stage(Stage.SETTLEMENT)  # opened on 2026-07-01
    procedure.record_settlement(
        project, actor=None, settlement_amount=Decimal("141000"), audit_agency="某审计所"
    )
    attach(project, kind="audit", title="审计报告", issued_on=D(2026, 7, 1))
    with refused(project, "before the settlement", field="published_on"):
        procedure.record_disclosure(
            project, actor=None, kind="result", published_on=D(2026, 6, 30), place="公开栏"
        )


def test_the_result_is_not_made_public_before_the_settlement_is_on_record():
    project = at_stage(Stage.SETTLEMENT)
    with refused(project, "once the settlement is on record", field="kind"):
        procedure.record_disclosure(
            project, actor=None, kind="result", published_on=D(2026, 7, 5), place="公开栏"
        )


def test_once_the_result_is_public_the_settlement_is_closed():
    project = complete_stage(at_stage(Stage.SETTLEMENT))
    assert procedure.is_complete(project)
    with refused(project, "the settlement is closed"):
        procedure.record_settlement(
            project, actor=None, settlement_amount=Decimal("120000"), audit_agency="另一审计所"
        )
    with refused(project, "the settlement is closed"):
        attach(project, kind="audit", title="补充审计报告", issued_on=D(2026, 7, 10))


def test_the_guidance_price_needs_its_agency():
    project = at_stage(Stage.BUDGET)
    with refused(
        project, "Name the agency that issued the guidance price.", field="guidance_agency"
    ):
        procedure.set_guidance_price(
            project, actor=None, budget_price=Decimal("150000"), guidance_agency="  "
        )


def test_the_field_app_refuses_an_unknown_stage_before_saving_anything(demo_user):
    project = at_stage(Stage.CONSTRUCTION)
    with refused(project, "There is no stage"):
        field_services.report_progress(
            project,
            actor=demo_user("inspector"),
            client_uuid=uuid.uuid4(),
            percent=50,
            stage_seen="construction",
            advance_to="x" * 40,
        )
