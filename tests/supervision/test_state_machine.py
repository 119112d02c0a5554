"""The case state machine, edge by edge: every allowed move per role, every refused one."""

import datetime as dt
import itertools
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from supervision import services
from supervision.models import Case, CaseState, State
from supervision.services import EDGES
from tests.supervision.conftest import jpeg
from trail.models import Event

STAFF_EDGES = [pair for pair, edge in EDGES.items() if not edge.by_reporter]
REPORTER_EDGES = [pair for pair, edge in EDGES.items() if edge.by_reporter]
NOT_EDGES = [
    pair
    for pair in itertools.product(State, State)
    if pair not in EDGES and pair[1] != State.MERGED
]
HANDLERS = ["supervisor", "discipline", "city"]
NOT_HANDLERS = ["inspector", "bookkeeper", "township"]


def _arguments(to: str) -> dict:
    return {
        "reason": "现场核实。",
        "rectify_who": "村委会",
        "rectify_by": timezone.localdate() + dt.timedelta(days=10),
        "outcome": "已整改。",
    }


def with_evidence(case: Case, to: str) -> Case:
    """A case about to be rectified has its rectification photo."""
    if to == State.RECTIFIED:
        services.add_evidence_photo(case, jpeg(), purpose="rectified", actor=None, client_uuid=None)
    return case


@pytest.mark.parametrize(("start", "to"), STAFF_EDGES)
@pytest.mark.parametrize("username", HANDLERS)
def test_each_staff_edge_is_open_to_each_handling_role(case_in, demo_user, username, start, to):
    case = with_evidence(case_in(start), to)
    moved = services.move(case, to=to, actor=demo_user(username), **_arguments(to))
    assert moved.state == to
    last = CaseState.objects.filter(case=case).last()
    assert (last.state, last.actor.username, last.reason) == (to, username, "现场核实。")
    event = Event.objects.filter(action=Event.Action.CASE).order_by("seq").last()
    assert event.changes["state"] == to


@pytest.mark.parametrize(("start", "to"), STAFF_EDGES)
@pytest.mark.parametrize("username", NOT_HANDLERS)
def test_each_staff_edge_is_refused_to_roles_without_cases(case_in, demo_user, username, start, to):
    case = case_in(start)
    with pytest.raises(PermissionDenied):
        services.move(case, to=to, actor=demo_user(username), **_arguments(to))
    case.refresh_from_db()
    assert case.state == start
    assert CaseState.objects.filter(case=case).count() == 1  # only "received"


@pytest.mark.parametrize(("start", "to"), NOT_EDGES)
def test_a_move_that_is_no_edge_is_refused_and_says_so(case_in, demo_user, start, to):
    case = case_in(start)
    with pytest.raises(ValidationError) as refused:
        services.move(case, to=to, actor=demo_user("city"), **_arguments(to))
    assert "to" in refused.value.message_dict
    case.refresh_from_db()
    assert case.state == start


@pytest.mark.parametrize(("start", "to"), REPORTER_EDGES)
def test_reporter_edges_are_the_reporters_not_staffs(case_in, demo_user, start, to):
    case = case_in(start)
    with pytest.raises(ValidationError):
        services.move(case, to=to, actor=demo_user("city"), reason="x")
    reopened = services.reporter_reopen(case, reason="问题还在，没有整改。")
    assert reopened.state == to
    assert CaseState.objects.filter(case=case).last().by_reporter


@pytest.mark.parametrize("start", [s for s in State if (s, State.REOPEN_ASKED) not in EDGES])
def test_the_reporter_cannot_reopen_an_open_case(case_in, start):
    case = case_in(start)
    with pytest.raises(ValidationError):
        services.reporter_reopen(case, reason="问题还在，没有整改。")


@pytest.mark.parametrize(("start", "to"), [p for p in STAFF_EDGES if EDGES[p].reason])
def test_an_edge_that_ends_or_reopens_needs_a_reason(case_in, demo_user, start, to):
    case = with_evidence(case_in(start), to)
    arguments = {**_arguments(to), "reason": "  "}
    with pytest.raises(ValidationError) as refused:
        services.move(case, to=to, actor=demo_user("supervisor"), **arguments)
    assert "reason" in refused.value.message_dict


def test_ordering_rectification_needs_who_and_a_day_to_come(case_in, demo_user):
    case = case_in(State.FOUND)
    supervisor = demo_user("supervisor")
    with pytest.raises(ValidationError):
        services.move(case, to=State.ORDERED, actor=supervisor, rectify_who="村委会")
    with pytest.raises(ValidationError):
        services.move(
            case,
            to=State.ORDERED,
            actor=supervisor,
            rectify_who="村委会",
            rectify_by=timezone.localdate() - dt.timedelta(days=1),
        )
    day = timezone.localdate() + dt.timedelta(days=5)
    moved = services.move(
        case, to=State.ORDERED, actor=supervisor, rectify_who="村委会", rectify_by=day
    )
    assert (moved.rectify_who, moved.rectify_by) == ("村委会", day)


def test_a_replayed_move_is_stored_once(case_in, demo_user):
    case = case_in(State.RECEIVED)
    submission = uuid.uuid4()
    supervisor = demo_user("supervisor")
    services.move(case, to=State.ACCEPTED, actor=supervisor, client_uuid=submission)
    again = services.move(case, to=State.ACCEPTED, actor=supervisor, client_uuid=submission)
    assert again.state == State.ACCEPTED
    assert CaseState.objects.filter(case=case, state=State.ACCEPTED).count() == 1


def test_a_case_routed_to_the_township_is_not_the_stations(case_in, demo_user):
    case = case_in(State.RECEIVED, about_cadre=True)
    assert case.route == Case.Route.TOWNSHIP
    with pytest.raises(PermissionDenied):
        services.move(case, to=State.ACCEPTED, actor=demo_user("supervisor"))
    assert services.move(case, to=State.ACCEPTED, actor=demo_user("discipline")).state == (
        State.ACCEPTED
    )


def test_merging_closes_the_duplicate_into_an_open_case(report, demo_user):
    first = report().case
    second = report(text="同一条路面裂缝，我也看到了。").case
    merged = services.merge(second, into=first, actor=demo_user("supervisor"), reason="同一件事")
    assert (merged.state, merged.merged_into) == (State.MERGED, first)
    with pytest.raises(ValidationError):
        services.merge(first, into=second, actor=demo_user("supervisor"))


def test_closing_stamps_the_time_and_reopening_clears_it(case_in, demo_user):
    case = case_in(State.RECTIFIED)
    closed = services.move(case, to=State.CLOSED, actor=demo_user("supervisor"), reason="办结")
    assert closed.closed_at is not None
    asked = services.reporter_reopen(closed, reason="问题还在，没有整改。")
    assert asked.closed_at is None


def test_a_case_is_rectified_only_on_a_photo_of_the_rectification(case_in, demo_user):
    case = case_in(State.ORDERED)
    supervisor = demo_user("supervisor")
    with pytest.raises(ValidationError) as refused:
        services.move(case, to=State.RECTIFIED, actor=supervisor, reason="已整改")
    assert "to" in refused.value.message_dict
    services.add_evidence_photo(case, jpeg(), purpose="verify", actor=None, client_uuid=None)
    with pytest.raises(ValidationError):
        services.move(case, to=State.RECTIFIED, actor=supervisor, reason="已整改")
    with_evidence(case, State.RECTIFIED)
    assert services.move(case, to=State.RECTIFIED, actor=supervisor, reason="已整改").state == (
        State.RECTIFIED
    )


def test_ordering_rectification_opens_its_task_and_rectifying_closes_it(case_in, demo_user):
    case = case_in(State.FOUND)
    supervisor = demo_user("supervisor")
    day = timezone.localdate() + dt.timedelta(days=7)
    services.move(case, to=State.ORDERED, actor=supervisor, rectify_who="施工方", rectify_by=day)
    task = case.tasks.get()
    assert (task.who, task.due_on, task.done_on) == ("施工方", day, None)
    with_evidence(case, State.RECTIFIED)
    services.move(case, to=State.RECTIFIED, actor=supervisor, reason="已返工")
    task.refresh_from_db()
    assert (task.done_on, task.evidence) == (timezone.localdate(), "已返工")


def test_the_outcome_set_when_closing_is_in_the_public_log(case_in, demo_user):
    case = case_in(State.NOT_FOUND)
    services.move(
        case,
        to=State.CLOSED,
        actor=demo_user("supervisor"),
        reason="办结",
        outcome="经核实无此事。",
    )
    event = Event.objects.filter(action=Event.Action.CASE).order_by("seq").last()
    assert event.changes["outcome"] == "经核实无此事。"
