"""The finance admin: the power list edited by whoever may edit it, each save logged; payees,
requests, receipts and disclosures only looked at, each user in their own units."""

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType

from finance import powers, services
from finance.models import ApprovalRule, Payee, PaymentRequest, PowerItem, PowerLink, RiskPoint
from projects.models import Project
from registry.models import AdminUnit, Profile
from trail.models import Event

pytestmark = pytest.mark.django_db
ADMIN = "/admin/finance"


@pytest.fixture
def as_user(client, demo_user):
    def login(name: str):
        client.force_login(demo_user(name))
        return client

    return login


def events_on(record) -> list[Event]:
    return list(
        Event.objects.filter(
            subject_type=ContentType.objects.get_for_model(record), subject_id=record.pk
        ).order_by("seq")
    )


def item_form(item: PowerItem, **changes) -> dict:
    """The item's change form as the admin posts it, with its steps inline and `changes`."""
    data = {
        "number": item.number,
        "area": item.area,
        "title": item.title,
        "decider": item.decider,
        "basis": item.basis,
        "description": item.description,
        "applies_to": item.applies_to,
        "sample": "on" if item.sample else "",
    }
    steps = list(item.steps.order_by("position"))
    data |= {
        "steps-TOTAL_FORMS": len(steps) + 1,
        "steps-INITIAL_FORMS": len(steps),
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
    }
    for n, step in enumerate(steps):
        data |= {
            f"steps-{n}-id": step.pk,
            f"steps-{n}-item": item.pk,
            f"steps-{n}-position": step.position,
            f"steps-{n}-kind": step.kind,
            f"steps-{n}-actor": step.actor,
            f"steps-{n}-action": step.action,
        }
    data[f"steps-{len(steps)}-kind"] = "step"  # the empty form's select, as a browser sends it
    data |= changes
    return {k: v for k, v in data.items() if v != ""}


def errors_in(response) -> str:
    """What the admin form said was wrong (for a failing assertion's message)."""
    context = response.context or {}
    form = context.get("adminform")
    inlines = context.get("inline_admin_formsets") or []
    return repr((form.form.errors if form else None, [f.formset.errors for f in inlines]))


def other_townships_request(power_item) -> PaymentRequest:
    village = AdminUnit.objects.filter(level="village").exclude(parent__code="330381102").first()
    bookkeeper = User.objects.create_user("far-bookkeeper", is_staff=True)
    bookkeeper.groups.add(Group.objects.get(name="bookkeeper"))
    Profile.objects.get_or_create(user=bookkeeper)[0].units.set([village])
    payee = services.save_payee(
        Payee(
            village=village,
            kind=Payee.Kind.COMPANY,
            name="外镇建设有限公司",
            credit_code="91330381894900911J",
            bank_name="瑞安农商银行",
            account_number="6228480099990001",
        ),
        actor=None,
    )
    request, _created = services.draft_request(
        actor=bookkeeper,
        village=village,
        payee=payee,
        amount="3000",
        purpose="外镇的用款",
        category="purchases",
        power_item=power_item,
    )
    return request


# ---------------------------------------------------------------- money: looked at, in scope


def test_township_staff_see_only_their_units_payment_requests(as_user, make_draft, power_item):
    own = make_draft("2000")
    other = other_townships_request(power_item)
    client = as_user("township")
    html = client.get(f"{ADMIN}/paymentrequest/").content.decode()
    assert f"/paymentrequest/{own.pk}/change/" in html
    assert f"/paymentrequest/{other.pk}/change/" not in html
    assert client.get(f"{ADMIN}/paymentrequest/{own.pk}/change/").status_code == 200
    assert client.get(f"{ADMIN}/paymentrequest/{other.pk}/change/").status_code == 302
    city = as_user("city").get(f"{ADMIN}/paymentrequest/").content.decode()
    assert f"/paymentrequest/{other.pk}/change/" in city


def test_a_request_shows_its_vouchers_and_chain_to_an_approver(as_user, make_draft, demo_user):
    request = services.submit(make_draft("2000"), actor=demo_user("bookkeeper"))
    html = as_user("head").get(f"{ADMIN}/paymentrequest/{request.pk}/change/").content.decode()
    assert request.vouchers.get().sha256 in html
    assert "村务监督委员会会签" in html


@pytest.mark.parametrize(
    "model", ["payee", "paymentrequest", "receipt", "monthlydisclosure", "disclosurequestion"]
)
def test_money_is_not_added_in_the_admin(as_user, model):
    assert as_user("city").get(f"{ADMIN}/{model}/add/").status_code == 403


def test_a_payment_request_is_not_changed_in_the_admin(as_user, make_draft):
    request = make_draft("2000")
    client = as_user("city")
    url = f"{ADMIN}/paymentrequest/{request.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="amount"' not in html  # shown, not editable
    response = client.post(url, {"amount": "1", "purpose": "改了", "state": "paid"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.amount == 2000 and request.state == "draft"


def test_a_payee_is_not_changed_in_the_admin(as_user, payee):
    response = as_user("city").post(f"{ADMIN}/payee/{payee.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    payee.refresh_from_db()
    assert payee.name == "瑞安市曹村建筑工程有限公司"


def test_staff_without_a_money_task_do_not_see_money(as_user):
    client = as_user("inspector")
    assert client.get(f"{ADMIN}/paymentrequest/").status_code == 403
    assert client.get(f"{ADMIN}/payee/").status_code == 403


# ---------------------------------------------------------------- the power list, edited


def test_a_power_item_edit_is_logged_with_its_steps(as_user):
    item = PowerItem.objects.get(number=8)
    second = item.steps.get(position=2)
    response = as_user("city").post(
        f"{ADMIN}/poweritem/{item.pk}/change/",
        item_form(item, decider="村民代表会议（正式文本）", **{"steps-1-action": "出具预算价"}),
    )
    assert response.status_code == 302, errors_in(response)
    item.refresh_from_db()
    second.refresh_from_db()
    assert item.decider == "村民代表会议（正式文本）" and second.action == "出具预算价"
    item_event = events_on(item)[-1]
    assert item_event.action == Event.Action.UPDATE
    assert item_event.changes["decider"]["to"] == "村民代表会议（正式文本）"
    assert item_event.actor.username == "city"
    assert events_on(second)[-1].changes["action"] == {
        "from": "出具工程预算指导价",
        "to": "出具预算价",
    }


def test_a_step_added_and_one_removed_are_logged(as_user):
    item = PowerItem.objects.get(number=30)
    last = item.steps.order_by("position").last()
    count = item.steps.count()
    form = item_form(
        item,
        **{
            f"steps-{count - 1}-DELETE": "on",
            f"steps-{count}-item": item.pk,
            f"steps-{count}-position": 9,
            f"steps-{count}-kind": "publish",
            f"steps-{count}-actor": "村务监督委员会",
            f"steps-{count}-action": "公开出具证明的登记",
        },
    )
    response = as_user("city").post(f"{ADMIN}/poweritem/{item.pk}/change/", form)
    assert response.status_code == 302, errors_in(response)
    assert not item.steps.filter(pk=last.pk).exists()
    added = item.steps.get(position=9)
    assert events_on(added)[0].action == Event.Action.CREATE
    removed = events_on(item)[-1].changes["step_removed"]
    assert removed["action"] == last.action


def test_township_staff_read_the_power_list_but_do_not_change_it(as_user):
    item = PowerItem.objects.get(number=8)
    client = as_user("township")
    assert client.get(f"{ADMIN}/poweritem/").status_code == 200
    assert client.get(f"{ADMIN}/poweritem/add/").status_code == 403
    response = client.post(f"{ADMIN}/poweritem/{item.pk}/change/", item_form(item, decider="x"))
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.decider != "x"


def test_an_approval_rule_edit_is_logged(as_user):
    rule = ApprovalRule.objects.get(power_item__isnull=True, role="finance_office")
    response = as_user("city").post(
        f"{ADMIN}/approvalrule/{rule.pk}/change/",
        {"position": rule.position, "role": rule.role, "above": "60000", "label": rule.label},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.above == 60000
    assert events_on(rule)[-1].changes["above"] == {"from": "50000.00", "to": "60000.00"}


def test_township_staff_add_risk_points_for_their_own_villages_only(as_user):
    client = as_user("township")
    own = AdminUnit.objects.get(code="330381102201")
    far = AdminUnit.objects.filter(level="village").exclude(parent__code="330381102").first()
    row = {"post": "bookkeeper", "level": "high", "risk": "本村风险", "measure": "本村措施"}
    for village, refused in ((None, True), (far, True), (own, False)):
        data = row | ({"village": village.pk} if village else {})
        response = client.post(f"{ADMIN}/riskpoint/add/", data)
        assert (response.status_code == 200) is refused, village
    point = RiskPoint.objects.get(risk="本村风险")
    assert point.village == own
    assert events_on(point)[0].changes["risk"] == "本村风险"


def test_township_staff_read_the_general_risk_points_but_do_not_change_them(as_user):
    general = RiskPoint.objects.filter(village__isnull=True).first()
    client = as_user("township")
    assert f"/riskpoint/{general.pk}/change/" in client.get(f"{ADMIN}/riskpoint/").content.decode()
    response = client.post(
        f"{ADMIN}/riskpoint/{general.pk}/change/",
        {"post": general.post, "level": "low", "risk": "x", "measure": "y"},
    )
    assert response.status_code == 403


def test_a_record_is_linked_to_another_item_in_the_admin_through_the_service(as_user):
    project = Project.objects.filter(village__parent__code="330381102").first()
    far = Project.objects.exclude(village__parent__code="330381102").first()
    project_type = ContentType.objects.get_for_model(Project)
    item = PowerItem.objects.get(number=7)
    client = as_user("township")
    refused = client.post(
        f"{ADMIN}/powerlink/add/",
        {"item": item.pk, "subject_type": project_type.pk, "subject_id": far.pk},
    )
    assert refused.status_code == 200 and not PowerLink.objects.filter(subject_id=far.pk).exists()
    response = client.post(
        f"{ADMIN}/powerlink/add/",
        {"item": item.pk, "subject_type": project_type.pk, "subject_id": project.pk},
    )
    assert response.status_code == 302
    assert powers.item_for(project) == item
    assert events_on(project)[-1].changes["power_item"]["to"] == str(item)
