"""The power list: the shipped sample, which item each record follows and linking another, the
flowchart drawn from the steps, the public pages, and the panels on plaque and village pages."""

import json
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from finance import powers, services
from finance.flowchart import flowchart_svg, wrap
from finance.models import PaymentRequest, PowerItem, PowerLink, PowerStep, RiskPoint
from leasing.models import Auction, Lease
from projects.models import Project
from qr.models import ElectronicId
from registry.models import AdminUnit
from trail.models import Event

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
SAMPLE_PATH = Path(apps.get_app_config("finance").path, "data", "power_list_sample.json")
EN = {"accept-language": "en"}
# The power pages' query budgets: bounded whatever the number of records.
BUDGETS = {"list": 4, "item": 14, "item village": 14, "flowchart": 3, "risks": 5}


def item(number: int) -> PowerItem:
    return PowerItem.objects.get(number=number)


def default(kind: str) -> PowerItem:
    return PowerItem.objects.get(applies_to=kind)


def events_on(record) -> list[Event]:
    return list(
        Event.objects.filter(
            subject_type=ContentType.objects.get_for_model(record), subject_id=record.pk
        ).order_by("seq")
    )


def code_of(record) -> str:
    return ElectronicId.objects.get(
        subject_type=ContentType.objects.get_for_model(record), subject_id=record.pk
    ).code


@pytest.fixture
def village():
    return AdminUnit.objects.get(code="330381102201")


# ---------------------------------------------------------------- the sample


def test_the_sample_list_has_36_items_with_their_steps_all_marked_sample():
    items = list(PowerItem.objects.prefetch_related("steps"))
    assert len(items) == 36
    assert [i.number for i in items] == list(range(1, 37))
    assert all(i.sample and i.decider and i.title for i in items)
    for power_item in items:
        positions = [s.position for s in power_item.steps.all()]
        assert 4 <= len(positions) <= 9, power_item
        assert positions == list(range(1, len(positions) + 1))
    assert {i.area for i in items} == set(PowerItem.Area.values)


def test_every_kind_of_record_has_exactly_one_default_item():
    kinds = Counter(PowerItem.objects.exclude(applies_to="").values_list("applies_to", flat=True))
    assert kinds == {"project": 1, "lease": 1, "auction": 1, "payment": 1}


def test_the_sample_names_risk_points_for_each_post_linked_to_items():
    general = RiskPoint.objects.filter(village__isnull=True)
    per_post = Counter(general.values_list("post", flat=True))
    assert set(per_post) == set(RiskPoint.Post.values)
    assert all(3 <= n <= 5 for n in per_post.values())
    assert all(p.sample and p.item_id for p in general)


def test_the_sample_loads_only_into_an_empty_list_and_matches_its_file():
    migration = __import__("finance.migrations.0003_power_list_sample", fromlist=["load_sample"])
    migration.load_sample(apps, None)  # the list is not empty: nothing is added
    assert PowerItem.objects.count() == 36
    data = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    assert [row["title"] for row in data["items"]] == list(
        PowerItem.objects.order_by("number").values_list("title", flat=True)
    )
    assert PowerStep.objects.count() == sum(len(row["steps"]) for row in data["items"])


# ---------------------------------------------------------------- which item a record follows


@pytest.mark.parametrize(
    ("model", "kind"), [(Project, "project"), (Lease, "lease"), (Auction, "auction")]
)
def test_a_record_follows_its_kinds_item_until_linked_to_another(model, kind):
    record = model.objects.order_by("pk").first()
    assert powers.item_for(record) == default(kind)
    powers.link(record, item(1), actor=None)
    assert powers.item_for(record) == item(1)
    assert powers.item_for(model.objects.order_by("pk").last()) == default(kind)


def test_a_payment_request_follows_its_own_item(make_draft):
    request = make_draft("2000", power_item=item(21))
    assert powers.item_for(request) == item(21)
    with pytest.raises(ValidationError):
        powers.link(request, item(1), actor=None)


def test_something_that_is_no_record_of_a_procedure_follows_no_item(village):
    with pytest.raises(ValidationError):
        powers.item_for(village)


def test_linking_writes_one_public_event_on_the_record_and_replaces_the_link(demo_user):
    project = Project.objects.filter(village__code="330381102201").first()
    township = demo_user("township")
    before = len(events_on(project))
    powers.link(project, item(7), actor=township)
    powers.link(project, item(7), actor=township)  # the same again: nothing new
    powers.link(project, item(9), actor=township)
    events = events_on(project)[before:]
    assert [e.action for e in events] == [Event.Action.UPDATE, Event.Action.UPDATE]
    assert events[0].changes == {"power_item": {"from": str(item(8)), "to": str(item(7))}}
    assert events[1].changes == {"power_item": {"from": str(item(7)), "to": str(item(9))}}
    assert events[0].actor == township
    assert PowerLink.objects.filter(subject_id=project.pk).count() == 1
    assert powers.item_for(project) == item(9)


@pytest.mark.parametrize("who", ["bookkeeper", "supervisor", "head"])
def test_only_who_may_write_the_record_links_it(demo_user, who):
    project = Project.objects.filter(village__code="330381102201").first()
    before = len(events_on(project)), PowerLink.objects.count()
    with pytest.raises(PermissionDenied):
        powers.link(project, item(7), actor=demo_user(who))
    assert (len(events_on(project)), PowerLink.objects.count()) == before


def test_township_staff_do_not_link_another_townships_records(demo_user):
    project = Project.objects.exclude(village__parent__code="330381102").first()
    with pytest.raises(PermissionDenied):
        powers.link(project, item(7), actor=demo_user("township"))


def test_a_lease_is_linked_by_who_manages_leases(demo_user):
    lease = Lease.objects.filter(asset__village__code="330381102201").first()
    powers.link(lease, item(16), actor=demo_user("bookkeeper"))
    assert events_on(lease)[-1].changes["power_item"]["to"] == str(item(16))


def test_records_following_an_item_are_its_links_and_the_unlinked_of_its_kind(village):
    project, other = Project.objects.filter(village=village).order_by("pk")[:2]
    powers.link(project, item(7), actor=None)
    assert list(powers.records_following(item(7)).projects) == [project]
    by_default = powers.records_following(item(8), village=village).projects
    assert project not in by_default and other in by_default
    assert not powers.records_following(item(1)).projects.exists()


def test_counts_per_township_add_up_to_every_record_of_the_kind():
    project_type = ContentType.objects.get_for_model(Project)
    powers.link(Project.objects.first(), item(7), actor=None)
    elsewhere = PowerLink.objects.filter(subject_type=project_type).exclude(item=default("project"))
    counts = powers.following_counts(default("project"))
    assert sum(row.counts.get("project", 0) for row in counts) == (
        Project.objects.count() - elsewhere.count()
    )
    assert [row.township.code for row in counts] == sorted(row.township.code for row in counts)


def test_an_items_own_approval_rules_replace_the_general_chain():
    rules, own = powers.approval_chain(item(18))
    assert not own and [r.role for r in rules][:2] == ["village_supervisor", "village_head"]
    from finance.models import ApprovalRule

    ApprovalRule.objects.create(
        power_item=item(18), position=1, role="village_head", label="主任审批"
    )
    rules, own = powers.approval_chain(item(18))
    assert own and [r.label for r in rules] == ["主任审批"]


def test_a_villages_risk_points_are_its_own_then_the_general_ones_by_post(village):
    own = RiskPoint.objects.create(
        post="bookkeeper", village=village, level="low", risk="本村特有风险", measure="本村措施"
    )
    elsewhere = RiskPoint.objects.create(
        post="head",
        village=AdminUnit.objects.get(code="330381102202"),
        level="high",
        risk="别村风险",
        measure="措施",
    )
    groups = powers.risk_points_for(village)
    assert list(groups) == ["secretary", "head", "bookkeeper"]
    assert groups["bookkeeper"][0] == own
    assert elsewhere not in groups["head"]
    assert [p.level for p in groups["head"]] == sorted(
        (p.level for p in groups["head"]), key=["high", "medium", "low"].index
    )
    assert own not in powers.risk_points_for(None)["bookkeeper"]


# ---------------------------------------------------------------- the flowchart


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own drawing)


def test_the_flowchart_has_one_node_per_step_in_order():
    power_item = item(8)
    root = parse(flowchart_svg(power_item))
    nodes = root.findall(f"{SVG}g")
    steps = list(power_item.steps.order_by("position"))
    assert [n.get("data-position") for n in nodes] == [str(s.position) for s in steps]
    assert [n.get("class").split()[1] for n in nodes] == [s.kind for s in steps]
    for node, step in zip(nodes, steps, strict=True):
        assert step.actor in "".join(node.itertext())
    decisions = [n for n in nodes if "decision" in n.get("class")]
    assert decisions and all(n.find(f"{SVG}polygon") is not None for n in decisions)
    assert all(n.find(f"{SVG}rect") is not None for n in nodes if n not in decisions)
    assert len(root.findall(f"{SVG}line")) == len(steps) - 1  # one arrow between two boxes
    assert root.get("viewBox").startswith("0 0 360 ")


def test_the_flowchart_escapes_its_text_and_is_the_same_every_time():
    power_item = PowerItem.objects.create(
        number=90, area="money", title="<script>&", decider="村委会", sample=False
    )
    PowerStep.objects.create(item=power_item, position=1, actor="A<&>B", action='x"</text>y')
    PowerStep.objects.create(item=power_item, position=2, kind="decision", actor="甲", action="乙")
    svg = flowchart_svg(power_item)
    assert "<script>" not in svg and "A&lt;&amp;&gt;B" in svg
    root = parse(svg)
    texts = "".join(root.itertext())
    assert "A<&>B" in texts and 'x"</text>y' in texts and "<script>&" in texts
    assert flowchart_svg(power_item) == svg


def test_chinese_text_wraps_without_starting_a_line_with_a_closing_mark():
    lines = wrap("村民代表会议或村民会议决议（到会人数过半、赞成票过半方为通过）", 10)
    assert "".join(lines) == "村民代表会议或村民会议决议（到会人数过半、赞成票过半方为通过）"
    assert all(line[0] not in "，。、）" and line[-1] != "（" for line in lines)
    assert len(wrap("a" * 60, 10)) > 1


# ---------------------------------------------------------------- the pages


def test_the_power_list_page_lists_items_by_area_and_says_it_is_a_sample(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["list"]):
        response = client.get("/finance/powers/", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sample text, not Rui&#x27;an&#x27;s official list" in html
    assert html.index("村级重大事项决策") < html.index("村级小额工程项目") < html.index("发展党员")
    assert 'href="/finance/powers/8/"' in html


def test_the_sample_banner_goes_once_no_item_is_a_sample(client):
    PowerItem.objects.update(sample=False)
    html = client.get("/finance/powers/", headers=EN).content.decode()
    assert "official list" not in html


def test_an_items_page_shows_decider_steps_flowchart_rules_and_counts(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["item"]):
        response = client.get("/finance/powers/8/", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    power_item = item(8)
    assert power_item.title in html and power_item.decider in html
    assert "Sample text" in html
    for step in power_item.steps.all():
        assert step.action in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert html.count('class="node ') == power_item.steps.count()
    assert "村务监督委员会会签" in html  # the general chain
    assert "曹村镇" in html  # its projects counted per township
    assert 'href="/finance/powers/8.svg"' in html


def test_an_items_page_lists_a_chosen_villages_records(
    client, village, django_assert_max_num_queries
):
    project = Project.objects.filter(village=village).first()
    other = Project.objects.exclude(village=village).first()
    with django_assert_max_num_queries(BUDGETS["item village"]):
        response = client.get(f"/finance/powers/8/?village={village.code}", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert project.name in html and other.name not in html


def test_an_items_page_lists_a_villages_payments_made_under_it(
    client, demo_user, make_draft, village, payee
):
    paid = pay_for(project_with_room(village), demo_user, make_draft, "1234.00", "REFITEM0001")
    waiting = services.submit(make_draft("4321.00"), actor=demo_user("bookkeeper"))
    number = paid.power_item.number
    html = client.get(f"/finance/powers/{number}/?village={village.code}", headers=EN)
    html = html.content.decode()
    assert "¥1,234.00" in html and payee.public_name in html and paid.purpose in html
    assert "¥4,321.00" not in html and waiting.state == "pending"
    other = AdminUnit.objects.get(code="330381102202")
    assert (
        "¥1,234.00"
        not in client.get(f"/finance/powers/{number}/?village={other.code}").content.decode()
    )


def test_an_items_village_section_comes_alone_to_htmx(client, village):
    response = client.get(
        f"/finance/powers/8/?village={village.code}", headers={"hx-request": "true", **EN}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="following">') and "<html" not in html


@pytest.mark.parametrize("number", ["99", "0", "37", "99999999999999999999999"])
def test_an_unknown_item_is_404(client, number):
    assert client.get(f"/finance/powers/{number}/").status_code == 404
    assert client.get(f"/finance/powers/{number}.svg").status_code == 404


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("33038110220X", "A division code has 6, 9 or 12 digits"),
        ("330381102", "No village has the division code 330381102"),
        ("330381999999", "No village has the division code 330381999999"),
    ],
)
@pytest.mark.parametrize("page", ["/finance/powers/8/", "/finance/powers/risks/"])
def test_a_mistyped_or_unknown_village_code_is_a_400_that_says_why(client, page, typed, reason):
    response = client.get(page, {"village": typed}, headers=EN)
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_a_village_code_typed_full_width_is_read(client, village):
    typed = village.code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert client.get("/finance/powers/risks/", {"village": typed}).status_code == 200


def test_the_flowchart_image_is_svg_with_an_etag_and_answers_304(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["flowchart"]):
        response = client.get("/finance/powers/8.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    root = parse(response.content.decode())
    assert len(root.findall(f"{SVG}g")) == item(8).steps.count()
    again = client.get("/finance/powers/8.svg", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    PowerStep.objects.filter(item=item(8), position=1).update(action="改过的步骤")
    changed = client.get("/finance/powers/8.svg", headers={"if-none-match": response["ETag"]})
    assert changed.status_code == 200 and "改过的步骤" in changed.content.decode()


def test_the_risk_points_page_shows_each_post_and_a_villages_own(
    client, village, django_assert_max_num_queries
):
    own = RiskPoint.objects.create(
        post="secretary", village=village, level="high", risk="东岙村特有风险", measure="措施甲"
    )
    general = RiskPoint.objects.filter(village__isnull=True, post="bookkeeper").first()
    html = client.get("/finance/powers/risks/", headers=EN).content.decode()
    assert general.risk in html and own.risk not in html
    with translation.override("en"):
        labels = [str(label) for label in RiskPoint.Post.labels]
    assert all(label in html for label in labels)
    with django_assert_max_num_queries(BUDGETS["risks"]):
        response = client.get(f"/finance/powers/risks/?village={village.code}", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200 and own.risk in html and general.risk in html


# ---------------------------------------------------------------- the panels


def pay_for(project: Project, demo_user, make_draft, amount: str, reference: str):
    request = make_draft(amount, project=project, category="works")
    request = services.submit(request, actor=demo_user("bookkeeper"))
    for name in ("supervisor", "head"):
        request = services.approve(request, actor=demo_user(name))
    return services.mark_paid(
        request,
        actor=demo_user("bookkeeper"),
        bank_reference=reference,
        paid_on=timezone.localdate(),
    )


def project_with_room(village) -> Project:
    """A project of the demo users' village with 30,000 yuan of its contract left to pay."""
    project = Project.objects.filter(village=village, contract_amount__isnull=False).first()
    room = services.project_committed(project) + Decimal("30000")
    Project.objects.filter(pk=project.pk).update(
        budget_price=room, contract_amount=room, settlement_amount=None
    )
    project.refresh_from_db()
    return project


def test_a_projects_plaque_page_names_its_item_and_its_bank_payments(
    client, demo_user, make_draft, village, payee
):
    project = project_with_room(village)
    pay_for(project, demo_user, make_draft, "10000", "REFPANEL0001")
    pay_for(project, demo_user, make_draft, "2500.50", "REFPANEL0002")
    make_draft("999", project=project, category="works")  # a draft is not a payment
    html = client.get(f"/e/{code_of(project)}", headers=EN).content.decode()
    assert 'href="/finance/powers/8/"' in html
    assert f"Operated by the list: item 8, {item(8).title}" in html
    panel = html[html.index('id="power-list"') :]
    assert f"¥{services.project_paid(project):,.2f}" in panel
    assert f"¥{project.contract_amount:,.2f}" in panel
    assert "REFPANEL0001" in panel and "REFPANEL0002" in panel
    assert payee.public_name in panel and "¥999" not in panel
    assert payee.account_number not in html


def test_a_linked_project_names_the_item_it_was_linked_to(client):
    paid = PaymentRequest.objects.filter(state="paid", project__isnull=False).values("project")
    project = Project.objects.exclude(pk__in=paid).first()
    powers.link(project, item(7), actor=None)
    html = client.get(f"/e/{code_of(project)}", headers=EN).content.decode()
    assert 'href="/finance/powers/7/"' in html and 'href="/finance/powers/8/"' not in html
    assert "Nothing has been paid against this project yet." in html


def test_a_leased_assets_plaque_page_names_the_lease_item(client):
    today = timezone.localdate()
    lease = Lease.objects.filter(start_on__lte=today, end_on__gt=today).first()
    html = client.get(f"/e/{code_of(lease.asset)}", headers=EN).content.decode()
    assert f'href="/finance/powers/{default("lease").number}/"' in html


def test_a_villages_page_shows_its_posts_risk_points_and_its_disclosures(client, village):
    own = RiskPoint.objects.create(
        post="head", village=village, level="medium", risk="东岙村主任风险", measure="措施乙"
    )
    html = client.get(f"/units/{village.code}/", headers=EN).content.decode()
    panel = html[html.index('id="village-money"') :]
    assert f'href="/disclosure/{village.code}/"' in panel
    assert own.risk in panel
    for post in RiskPoint.Post.values:
        assert RiskPoint.objects.filter(village__isnull=True, post=post).first().risk in panel
    assert f'href="/finance/powers/risks/?village={village.code}"' in panel


def test_a_townships_page_has_no_village_money_panel(client):
    html = client.get("/units/330381102/").content.decode()
    assert 'id="village-money"' not in html


def test_the_panels_show_no_private_payee_details(client, demo_user, make_draft, village):
    from finance.models import Payee

    person = services.save_payee(
        Payee(
            village=village,
            kind=Payee.Kind.PERSON,
            name="王小明",
            bank_name="瑞安农商银行",
            account_number="6228480012349999",
        ),
        actor=None,
    )
    project = project_with_room(village)
    request = make_draft("800", project=project, category="works", payee=person)
    request = services.submit(request, actor=demo_user("bookkeeper"))
    for name in ("supervisor", "head"):
        request = services.approve(request, actor=demo_user(name))
    services.mark_paid(
        request,
        actor=demo_user("bookkeeper"),
        bank_reference="REFPERSON01",
        paid_on=timezone.localdate(),
    )
    assert PaymentRequest.objects.get(pk=request.pk).state == "paid"
    html = client.get(f"/e/{code_of(project)}").content.decode()
    assert "REFPERSON01" in html and person.public_name in html
    assert "王小明" not in html and "6228480012349999" not in html
