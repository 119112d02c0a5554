"""The village money warning rules (issue 17): W12 a payment approved and not made, W13 payments
split under an approval threshold, W14 payments above a project's contract or settlement (and a
"paid so far" that its bank payments do not add up to), each on planted cases and the near misses
that must not fire, through `alerts.engine.evaluate` and the Alert rows it leaves; parameters from
settings; a change to a request queues the rules; their query counts do not grow with the data;
and the demo shows every planted case and none of its near misses.

The test requests are saved whole, as an import saves them, in a township and villages of their
own beside the demo's: a rule reads the state of the record, however it got there.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from alerts import demo as alerts_demo
from alerts import engine, tasks
from alerts.models import ACTIVE_STATES, Alert, AlertState, RuleSetting
from alerts.rules import Context, get_rule
from finance import demo as finance_demo
from finance.models import ApprovalRule, Payee, PaymentRequest, PowerItem
from projects.models import Project, Stage
from registry import services as registry_services
from registry.models import AdminUnit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
State = PaymentRequest.State
SERIAL = itertools.count(1)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def payee(village: AdminUnit, name: str = "瑞安市甲建材经营部") -> Payee:
    return Payee.objects.create(
        village=village,
        kind=Payee.Kind.COMPANY,
        name=name,
        bank_name="瑞安农商银行",
        account_name=name,
        account_number=f"62170000{next(SERIAL):011d}",
    )


def item() -> PowerItem:
    return PowerItem.objects.filter(applies_to=PowerItem.AppliesTo.PAYMENT).first()


def request(
    village: AdminUnit,
    to: Payee,
    amount: str,
    *,
    state: str = State.PAID,
    submitted: int = 10,
    approved: int | None = None,
    power_item: PowerItem | None = None,
    **fields,
) -> PaymentRequest:
    """A request saved whole: submitted `submitted` days ago, approved `approved` days ago (the
    day after its submission by default), paid (when PAID) the day after its approval."""
    serial = next(SERIAL)
    values = {
        "village": village,
        "number": f"2026-{serial:04d}",
        "payee": to,
        "amount": Decimal(amount),
        "purpose": f"测试用款{serial}",
        "category": "purchases",
        "power_item": power_item or item(),
        "state": state,
        "submitted_at": moment(ago(submitted)),
    }
    if state in (State.APPROVED, State.PAID, State.SUPERSEDED):
        approved_on = ago(submitted - 1 if approved is None else approved)
        values["approved_at"] = moment(approved_on)
    if state == State.PAID:
        values |= {"paid_on": ago(max(submitted - 2, 0)), "bank_reference": f"TEST{serial:08d}"}
    return PaymentRequest.objects.create(**(values | fields))


def project(village: AdminUnit, *, contract: str = "100000", **fields) -> Project:
    signed = ago(60)
    values = {
        "name": f"测试工程{next(SERIAL)}",
        "village": village,
        "location": Point(120.60, 27.80, srid=4326),
        "category": "road",
        "stage": Stage.CONSTRUCTION,
        "proposed_on": signed - dt.timedelta(days=20),
        "budget_priced_on": signed - dt.timedelta(days=10),
        "contracted_on": signed - dt.timedelta(days=5),
        "construction_started_on": signed,
        "budget_price": Decimal(contract),
        "contract_amount": Decimal(contract),
        "contractor": "瑞安市甲建设有限公司",
        "contract_signed_on": signed,
        "contracting_method": Project.Method.COMPARISON,
    }
    return registry_services.create(Project, actor=None, **(values | fields))


def evaluate(code: str, today: dt.date = TODAY, villages=None):
    return engine.evaluate(get_rule(code), today=today, villages=villages)


def alerts(code: str, *units: AdminUnit):
    return Alert.objects.filter(rule=code, unit__in=units, state__in=ACTIVE_STATES)


def level(code: str, key: str, today: dt.date = TODAY) -> str | None:
    evaluate(code, today)
    alert = Alert.objects.filter(rule=code, key=key, state__in=ACTIVE_STATES, holds=True).first()
    return alert.level if alert else None


def evidence_ids(alert: Alert, model: str = "finance.paymentrequest") -> set[int]:
    return {item["id"] for item in alert.evidence if item["model"] == model}


# ---------------------------------------------------------------------------------------------
# W12 approved, not paid
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"), [(0, None), (2, None), (3, "yellow"), (9, "yellow"), (10, "red")]
)
def test_an_approved_request_unpaid_for_3_days_is_yellow_and_for_10_red(village, days, expected):
    approved = request(village, payee(village), "6500", state=State.APPROVED, approved=days)
    assert level("W12", f"request:{approved.pk}") == expected


def test_the_warning_says_how_long_and_links_the_request(village):
    approved = request(village, payee(village), "6500", state=State.APPROVED, approved=4)
    evaluate("W12")
    [alert] = alerts("W12", village)
    assert alert.subject_id == approved.pk
    assert alert.numbers == {
        "reference": approved.reference,
        "amount": "6,500.00",
        "approved_on": ago(4).isoformat(),
        "days": 4,
    }
    assert evidence_ids(alert) == {approved.pk}
    assert alert.evidence[0]["url"] == f"/finance/requests/{approved.pk}/"
    assert "4 days ago, and no bank transfer has been recorded" in alert.explanation()


@pytest.mark.parametrize("state", [State.PAID, State.SUPERSEDED, State.PENDING, State.REFUSED])
def test_a_request_paid_superseded_or_not_approved_is_no_w12(village, state):
    old = request(village, payee(village), "6500", state=state, submitted=30, approved=20)
    assert level("W12", f"request:{old.pk}") is None


def test_an_approved_request_ages_into_yellow_then_red_and_paying_it_resolves_it(village):
    approved = request(village, payee(village), "6500", state=State.APPROVED, approved=1)
    key = f"request:{approved.pk}"
    assert level("W12", key) is None
    assert level("W12", key, TODAY + dt.timedelta(days=2)) == "yellow"
    assert level("W12", key, TODAY + dt.timedelta(days=9)) == "red"
    PaymentRequest.objects.filter(pk=approved.pk).update(
        state=State.PAID, paid_on=TODAY, bank_reference="TEST-PAID-1"
    )
    evaluate("W12", TODAY + dt.timedelta(days=9))
    alert = Alert.objects.get(rule="W12", key=key)
    assert not alert.holds  # red stays until what was done is recorded, as for every rule
    assert get_rule("W12").date_driven


def test_w12_days_come_from_settings_and_from_the_admin(village):
    approved = request(village, payee(village), "6500", state=State.APPROVED, approved=5)
    key = f"request:{approved.pk}"
    with override_settings(ALERT_RULES={"W12": {"yellow_days": 6, "red_days": 8}}):
        assert level("W12", key) is None
        assert level("W12", key, ago(-1)) == "yellow"
        assert level("W12", key, ago(-3)) == "red"
    RuleSetting.objects.create(rule="W12", params={"yellow_days": 1, "red_days": 5})
    assert level("W12", key) == "red"


def test_w12_reads_only_the_villages_asked_for(village, other_village):
    request(village, payee(village), "6500", state=State.APPROVED, approved=5)
    evaluate("W12", villages=frozenset({other_village.pk}))
    assert not alerts("W12", village).exists()
    evaluate("W12", villages=frozenset({village.pk}))
    assert alerts("W12", village).count() == 1


# ---------------------------------------------------------------------------------------------
# W13 split under an approval threshold
# ---------------------------------------------------------------------------------------------


def test_three_requests_just_under_50000_to_one_payee_in_a_month_are_red(village):
    to = payee(village)
    pieces = [
        request(village, to, "48600", submitted=25),
        request(village, to, "49200", submitted=15),
        request(village, to, "47900", state=State.PENDING, submitted=5),
    ]
    evaluate("W13")
    [alert] = alerts("W13", village)
    assert alert.level == "red"
    assert alert.key == f"payee:{to.pk}:50000.00:{pieces[0].pk}"
    assert alert.subject_id == pieces[0].pk
    assert alert.numbers == {
        "count": 3,
        "payee": to.public_name,
        "first": ago(25).isoformat(),
        "last": ago(5).isoformat(),
        "threshold": "50,000.00",
        "total": "145,700.00",
    }
    assert evidence_ids(alert) == {p.pk for p in pieces}
    assert "3 requests to 瑞安市甲建材经营部" in alert.explanation()


def test_two_requests_together_above_the_threshold_are_yellow(village):
    to = payee(village)
    request(village, to, "46500", submitted=26)
    request(village, to, "48000", state=State.APPROVED, submitted=10)
    evaluate("W13")
    [alert] = alerts("W13", village)
    assert alert.level == "yellow"
    assert alert.numbers["total"] == "94,500.00"


def test_together_above_the_next_threshold_is_red_however_few(village):
    to = payee(village)
    for days in (20, 12, 4):
        request(village, to, "45500", submitted=days)
    with override_settings(ALERT_RULES={"W13": {"red_count": 4}}):
        evaluate("W13")
    [alert] = alerts("W13", village)
    assert alert.level == "red"  # 136,500 yuan: above 100,000 too


def test_two_just_under_the_top_threshold_are_yellow(village):
    to = payee(village)
    request(village, to, "95000", submitted=20)
    request(village, to, "99000", submitted=4)
    evaluate("W13")
    [alert] = alerts("W13", village)
    assert alert.level == "yellow" and alert.numbers["threshold"] == "100,000.00"


@pytest.mark.parametrize(("apart", "raised"), [(30, True), (31, False)])
def test_requests_more_than_30_days_apart_are_not_a_split(village, apart, raised):
    to = payee(village)
    request(village, to, "47000", submitted=apart + 5)
    request(village, to, "48500", submitted=5)
    evaluate("W13")
    assert alerts("W13", village).exists() == raised


@pytest.mark.parametrize(("amount", "raised"), [("45000", True), ("44999.99", False)])
def test_only_requests_within_10_percent_under_the_threshold_count(village, amount, raised):
    to = payee(village)
    request(village, to, amount, submitted=12)
    request(village, to, "49000", submitted=3)
    evaluate("W13")
    assert alerts("W13", village).exists() == raised


def test_a_request_above_the_threshold_is_not_under_it(village):
    to = payee(village)
    request(village, to, "50000.01", submitted=12)
    request(village, to, "49000", submitted=3)
    evaluate("W13")
    assert not alerts("W13", village).exists()


def test_requests_to_different_payees_or_villages_are_not_a_split(village, other_village):
    request(village, payee(village, "甲公司"), "48800", submitted=12)
    request(village, payee(village, "乙公司"), "49100", submitted=3)
    request(other_village, payee(other_village, "甲公司"), "49000", submitted=5)
    evaluate("W13")
    assert not alerts("W13", village, other_village).exists()


@pytest.mark.parametrize("state", [State.DRAFT, State.REFUSED, State.WITHDRAWN, State.SUPERSEDED])
def test_requests_that_moved_no_money_do_not_count(village, state):
    to = payee(village)
    request(village, to, "48800", submitted=12, state=state)
    request(village, to, "49100", submitted=3)
    evaluate("W13")
    assert not alerts("W13", village).exists()


def test_the_percent_comes_from_settings(village):
    to = payee(village)
    request(village, to, "44000", submitted=12)
    request(village, to, "49000", submitted=3)
    with override_settings(ALERT_RULES={"W13": {"below_percent": "15"}}):
        evaluate("W13")
    assert alerts("W13", village).count() == 1


def test_a_request_joining_the_split_refreshes_the_same_warning(village):
    to = payee(village)
    first = request(village, to, "48000", submitted=20)
    request(village, to, "47000", submitted=10)
    evaluate("W13")
    [alert] = alerts("W13", village)
    assert alert.level == "yellow"
    request(village, to, "46000", submitted=2)
    evaluate("W13")
    [again] = alerts("W13", village)
    assert again.pk == alert.pk and again.key.endswith(f":{first.pk}")
    assert again.level == "red" and again.numbers["count"] == 3


def test_an_items_own_approval_rules_give_its_thresholds(village):
    own = PowerItem.objects.create(number=97, area="money", title="测试事项", decider="村委会")
    ApprovalRule.objects.create(power_item=own, position=1, role="village_head", label="审批")
    ApprovalRule.objects.create(
        power_item=own, position=2, role="finance_office", above=Decimal("20000"), label="审核"
    )
    to = payee(village)
    request(village, to, "19500", submitted=12, power_item=own)
    request(village, to, "19800", submitted=3, power_item=own)
    evaluate("W13")
    [alert] = alerts("W13", village)
    assert alert.numbers["threshold"] == "20,000.00"


# ---------------------------------------------------------------------------------------------
# W14 above the contract or settlement; paid so far not from payments
# ---------------------------------------------------------------------------------------------


def test_payments_above_the_contract_are_red(village):
    works = project(village, contract="100000")
    to = payee(village)
    paid = request(village, to, "80000", project=works)
    approved = request(village, to, "30000", state=State.APPROVED, approved=1, project=works)
    Project.objects.filter(pk=works.pk).update(paid_amount=Decimal("80000"))
    evaluate("W14")
    [alert] = alerts("W14", village)
    assert alert.level == "red" and alert.key == f"project:{works.pk}"
    assert alert.numbers["committed"] == "110,000.00"
    assert alert.numbers["cap"] == "100,000.00" and alert.numbers["over"] == "10,000.00"
    assert alert.numbers["cap_kind"] == "contract"
    with translation.override("en"):
        assert "against its contract (100,000.00 yuan)" in get_rule("W14").explain(alert.numbers)
    assert evidence_ids(alert) == {paid.pk, approved.pk}
    assert evidence_ids(alert, "projects.project") == {works.pk}


def test_a_settlement_audited_below_what_was_paid_is_red(village):
    works = project(village, contract="100000", settlement_amount=Decimal("90000"))
    request(village, payee(village), "95000", project=works)
    Project.objects.filter(pk=works.pk).update(paid_amount=Decimal("95000"))
    evaluate("W14")
    [alert] = alerts("W14", village)
    assert alert.level == "red"
    assert alert.numbers["cap_kind"] == "settlement"
    with translation.override("en"):
        assert "its audited settlement" in get_rule("W14").explain(alert.numbers)


@pytest.mark.parametrize(
    ("state", "raised"),
    [(State.PENDING, True), (State.REFUSED, False), (State.WITHDRAWN, False)],
)
def test_requests_awaiting_approval_count_refused_and_withdrawn_do_not(village, state, raised):
    works = project(village, contract="100000")
    to = payee(village)
    request(village, to, "90000", project=works)
    request(village, to, "20000", state=state, project=works)
    Project.objects.filter(pk=works.pk).update(paid_amount=Decimal("90000"))
    evaluate("W14")
    assert alerts("W14", village).exists() == raised


def test_payments_up_to_the_contract_raise_nothing(village):
    works = project(village, contract="100000")
    request(village, payee(village), "100000", project=works)
    Project.objects.filter(pk=works.pk).update(paid_amount=Decimal("100000"))
    evaluate("W14")
    assert not alerts("W14", village).exists()


def test_a_paid_so_far_figure_not_from_payments_is_yellow(village):
    works = project(village, contract="100000")
    request(village, payee(village), "30000", project=works)
    Project.objects.filter(pk=works.pk).update(paid_amount=Decimal("50000"))
    evaluate("W14")
    [alert] = alerts("W14", village)
    assert alert.level == "yellow"
    assert alert.numbers["paid"] == "30,000.00" and alert.numbers["recorded"] == "50,000.00"
    assert "50,000.00" in alert.evidence[0]["note"] and "30,000.00" in alert.evidence[0]["note"]


def test_money_committed_without_a_contract_is_red(village):
    works = project(village, contract="100000")
    Project.objects.filter(pk=works.pk).update(contract_amount=None)
    request(village, payee(village), "1000", state=State.PENDING, project=works)
    evaluate("W14")
    [alert] = alerts("W14", village)
    assert alert.level == "red" and alert.numbers["cap_kind"] == "none"


def test_how_far_over_is_red_comes_from_settings(village):
    works = project(village, contract="100000")
    request(village, payee(village), "105000", project=works)
    Project.objects.filter(pk=works.pk).update(paid_amount=Decimal("105000"))
    key = f"project:{works.pk}"
    with override_settings(ALERT_RULES={"W14": {"red_percent": "10"}}):
        assert level("W14", key) == "yellow"
    assert level("W14", key) == "red"


# ---------------------------------------------------------------------------------------------
# Every rule: what queues it, what it costs
# ---------------------------------------------------------------------------------------------


def test_a_change_to_a_request_queues_the_money_rules():
    assert {"W12", "W13", "W14"} <= set(tasks.rules_reading("finance.paymentrequest"))
    assert "W14" in tasks.rules_reading("projects.project")


def queries(code: str) -> tuple[int, int]:
    rule = get_rule(code)
    context = Context(today=TODAY, params=rule.parameters())
    with CaptureQueriesContext(connection) as captured:
        found = list(rule.find(context))
    return len(captured.captured_queries), len(found)


def fleet(village: AdminUnit, n: int) -> None:
    """`n` of each: an old approval unpaid, a pair split under 50,000, a project overpaid."""
    for _ in range(n):
        to = payee(village)
        request(village, to, "6500", state=State.APPROVED, approved=12)
        request(village, to, "48000", submitted=20)
        request(village, to, "49000", submitted=5)
        works = project(village, contract="10000")
        request(village, to, "12000", project=works)


def test_the_rules_read_as_many_queries_for_30_cases_as_for_3(village):
    codes = ("W12", "W13", "W14")
    for code in codes:
        queries(code)
    fleet(village, 3)
    few = {code: queries(code) for code in codes}
    fleet(village, 27)
    many = {code: queries(code) for code in codes}
    assert {c: n for c, (n, _f) in many.items()} == {c: n for c, (n, _f) in few.items()}
    assert all(many[code][1] >= few[code][1] + 27 for code in codes)


# ---------------------------------------------------------------------------------------------
# The demo
# ---------------------------------------------------------------------------------------------


def demo_alerts(code: str) -> list[Alert]:
    return list(Alert.objects.filter(rule=code, state__in=ACTIVE_STATES))


def shown(code: str) -> set[str]:
    """What the demo's warnings of `code` are about: the requests' purposes and the projects'
    names in their evidence."""
    found = demo_alerts(code)
    requests = {i for alert in found for i in evidence_ids(alert)}
    projects = {i for alert in found for i in evidence_ids(alert, "projects.project")}
    return set(
        PaymentRequest.objects.filter(pk__in=requests).values_list("purpose", flat=True)
    ) | set(Project.objects.filter(pk__in=projects).values_list("name", flat=True))


@pytest.mark.parametrize("code", ["W12", "W13", "W14"])
def test_the_demo_shows_every_planted_case_and_no_near_miss(code):
    planted = finance_demo.PLANTED[code] + alerts_demo.PLANTED.get(code, [])
    near = finance_demo.NEAR_MISSES[code] + alerts_demo.NEAR_MISSES.get(code, [])
    assert set(planted) <= shown(code)
    assert not set(near) & shown(code)


def test_the_demo_planted_levels():
    def level_of(code: str, name: str) -> str:
        [alert] = [
            a
            for a in demo_alerts(code)
            if name
            in set(
                PaymentRequest.objects.filter(pk__in=evidence_ids(a)).values_list(
                    "purpose", flat=True
                )
            )
            | {a.subject_label}
        ]
        return alert.level

    assert level_of("W12", finance_demo.W12_UNPAID[0].purpose) == "red"
    assert level_of("W12", finance_demo.W12_UNPAID[1].purpose) == "yellow"
    assert level_of("W13", finance_demo.W13_RED[0].purpose) == "red"
    assert level_of("W13", finance_demo.W13_YELLOW[0].purpose) == "yellow"
    assert level_of("W14", finance_demo.W14_IMPORTED[0]) == "red"
    assert level_of("W14", alerts_demo.W14_TYPED[0].name) == "yellow"


def test_a_demo_warning_resolves_when_the_request_is_paid():
    purpose = finance_demo.W12_UNPAID[1].purpose
    approved = PaymentRequest.objects.get(purpose=purpose)
    alert = Alert.objects.get(rule="W12", key=f"request:{approved.pk}")
    assert alert.level == "yellow" and alert.state == AlertState.OPEN
    PaymentRequest.objects.filter(pk=approved.pk).update(
        state=State.PAID, paid_on=TODAY, bank_reference="TEST-PAID-2"
    )
    evaluate("W12", villages=frozenset({approved.village_id}))
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED
