"""The procedure as people and programs reach it: the staff HTMX screens, the REST API and its
OpenAPI schema, and the public project page."""

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token

from demo.loader import demo_pdf
from projects import procedure
from projects.models import Project, ProjectDocument, Stage
from tests.conftest import DEMO_PASSWORD
from tests.projects.walk import DAYS, complete_stage, new_project, pdf, walk_to
from trail.models import Event

pytestmark = pytest.mark.django_db
ID_NUMBER = "330381199001011234"
MOBILE = "13812345678"


@pytest.fixture
def township(client):
    client.cookies["django_language"] = "en"
    assert client.login(username="township", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def api(client, demo_user):
    """A client that sends the township user's token (no session, as a program would)."""
    token, _created = Token.objects.get_or_create(user=demo_user("township"))
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def htmx_post(client, project, action: str, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(reverse("staff:project", args=[project.pk]), data, HTTP_HX_REQUEST="true")


# --- staff screens -----------------------------------------------------------------------------


def test_the_staff_list_shows_projects_in_scope_with_what_they_lack(township):
    response = township.get(reverse("staff:projects"))
    assert response.status_code == 200
    names = {project.name for project, _missing in response.context["rows"]}
    assert "东岙村道路硬化工程" in names
    assert not any(name.startswith("白岩桥") for name in names)  # another township
    filtered = township.get(reverse("staff:projects"), {"stage": "construction"})
    assert {p.stage for p, _m in filtered.context["rows"]} == {"construction"}


def test_a_project_outside_the_users_units_is_not_found(township):
    other = Project.objects.filter(village__name="白岩桥村").first()
    assert township.get(reverse("staff:project", args=[other.pk])).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client):
    project = Project.objects.first()
    response = client.get(reverse("staff:project", args=[project.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_walking_a_project_through_the_screen_one_piece_at_a_time(township):
    project = new_project()
    page = township.get(reverse("staff:project", args=[project.pk]))
    assert page.status_code == 200
    assert "Record: Suggestions" in page.content.decode()
    # Out of order: the Party members' review before the proposal
    refused = htmx_post(
        township, project, "deliberation", step="party", held_on="2026-03-02",
        entitled=60, present=50, votes_for=40, votes_against=5, votes_abstain=5,
    )  # fmt: skip
    assert refused.status_code == 400
    assert "must be recorded, and passed, before" in refused.content.decode()
    assert not project.deliberations.exists()
    steps = [
        ("suggestion", {}),
        ("proposal", {"entitled": 7, "present": 7}),
        ("joint", {"entitled": 12, "present": 10}),
        ("party", {"entitled": 60, "present": 50, "votes_for": 44, "votes_against": 4,
                   "votes_abstain": 2}),
        ("resolution", {"entitled": 45, "present": 40, "votes_for": 35, "votes_against": 3,
                        "votes_abstain": 2}),
    ]  # fmt: skip
    for day, (step, numbers) in enumerate(steps, start=2):
        response = htmx_post(
            township, project, "deliberation", step=step, held_on=f"2026-03-{day:02d}",
            summary=f"会议，联系人{MOBILE}", **numbers,
        )  # fmt: skip
        assert response.status_code == 200, response.content.decode()
    early = htmx_post(township, project, "advance", to="budget", on="2026-03-10")
    assert early.status_code == 400
    assert "Make the resolution public" in early.content.decode()
    assert htmx_post(
        township, project, "disclosure", kind="resolution", published_on="2026-03-08",
        place="村务公开栏",
    ).status_code == 200  # fmt: skip
    response = htmx_post(township, project, "advance", to="budget", on="2026-03-10")
    assert response.status_code == 200
    project.refresh_from_db()
    assert (project.stage, project.budget_priced_on) == ("budget", dt.date(2026, 3, 10))
    data = demo_pdf("guidance")
    response = township.post(
        reverse("staff:project", args=[project.pk]),
        {
            "action": "document",
            "document-kind": "guidance",
            "document-title": "指导价文件",
            "document-issued_on": "2026-03-10",
            "document-upload": SimpleUploadedFile("g.pdf", data, "application/pdf"),
            "document-expected_sha256": hashlib.sha256(data).hexdigest(),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    document = project.documents.get()
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.file_is_intact()
    check = reverse("staff:document-check", args=[document.pk])
    assert check in response.content.decode()
    assert "file intact" in township.get(check, HTTP_HX_REQUEST="true").content.decode()
    page = township.get(reverse("portal:project-detail", args=[project.pk])).content.decode()
    assert MOBILE not in page and document.sha256 in page


def test_a_refused_form_comes_back_with_its_input_and_nothing_is_saved(township):
    project = walk_to(new_project(), "contracting")
    before = Event.objects.count()
    response = htmx_post(
        township, project, "contract", contracting_method="comparison", contractor="某公司",
        contract_amount="160000", contract_signed_on="2026-03-22",
    )  # fmt: skip
    assert response.status_code == 400
    body = response.content.decode()
    assert "above the budget guidance price" in body and 'value="160000"' in body
    assert Project.objects.get(pk=project.pk).contract_amount is None
    assert Event.objects.count() == before


def test_a_future_date_and_a_skipped_stage_are_refused_by_the_screen(township):
    project = walk_to(new_project(), "budget")
    complete_stage(project)
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    response = htmx_post(township, project, "advance", to="contracting", on=tomorrow.isoformat())
    assert response.status_code == 400 and "future" in response.content.decode()
    response = htmx_post(township, project, "advance", to="construction", on="2026-03-20")
    assert response.status_code == 400 and "one stage at a time" in response.content.decode()
    assert Project.objects.get(pk=project.pk).stage == "budget"


def test_a_supervisor_can_follow_but_not_move_a_project(client):
    client.cookies["django_language"] = "en"
    client.login(username="supervisor", password=DEMO_PASSWORD)
    project = Project.objects.get(name="东岙村水渠修缮工程")
    page = client.get(reverse("staff:project", args=[project.pk]))
    assert page.status_code == 200 and not page.context["forms"]
    refused = htmx_post(client, project, "acceptance", passed="true")
    assert refused.status_code == 403


def test_the_original_document_is_for_staff_only(client, township):
    document = ProjectDocument.objects.filter(project__village__name="东岙村").first()
    response = township.get(reverse("staff:document", args=[document.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == document.sha256 == response["X-Content-SHA256"]
    other = ProjectDocument.objects.filter(project__village__name="白岩桥村").first()
    assert township.get(reverse("staff:document", args=[other.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("staff:document", args=[document.pk])).status_code == 302


def test_a_changed_file_on_disk_shows_on_the_staff_screen(township):
    project = walk_to(new_project(), "contracting")
    complete_stage(project)
    document = project.documents.get(kind="contract")
    with open(document.file.path, "ab") as handle:
        handle.write(b"tampered")
    page = township.get(reverse("staff:project", args=[project.pk])).content.decode()
    assert "file changed or missing since it was logged" in page


def test_a_same_size_change_is_found_by_checking_the_hash(township, client):
    project = walk_to(new_project(), "contracting")
    complete_stage(project)
    document = project.documents.get(kind="contract")
    path = Path(document.file.path)
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit, same size
    page = township.get(reverse("staff:project", args=[project.pk])).content.decode()
    assert "file changed or missing" not in page  # the page only looks at the size
    check = township.get(reverse("staff:document-check", args=[document.pk]))
    assert "file changed or missing since it was logged" in check.content.decode()
    other = ProjectDocument.objects.filter(project__village__name="白岩桥村").first()
    assert township.get(reverse("staff:document-check", args=[other.pk])).status_code == 404


# --- REST API ----------------------------------------------------------------------------------


def test_the_procedure_is_public_to_read(client):
    project = Project.objects.get(name="东岙村道路硬化工程")
    response = client.get(reverse("procedure-detail", args=[project.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["stage"] == "settlement" and data["complete"] is True
    assert [s["state"] for s in data["timeline"]] == ["done"] * 6
    assert len(data["deliberations"]) == 5 and all(d["passed"] for d in data["deliberations"])
    assert {d["kind"] for d in data["documents"]} >= {"guidance", "contract", "acceptance", "audit"}
    assert all("file" not in d for d in data["documents"])
    assert "contractor_contact" not in json.dumps(data)


def test_every_staff_action_works_through_the_api(api):
    project = new_project()
    url = lambda name: reverse(f"procedure-{name}", args=[project.pk])  # noqa: E731
    for i, step in enumerate(["suggestion", "proposal", "joint", "party", "resolution"]):
        counts = {"entitled": 45, "present": 40}
        if step in ("party", "resolution"):
            counts |= {"votes_for": 35, "votes_against": 3, "votes_abstain": 2}
        if step == "suggestion":
            counts = {}
        body = {"step": step, "held_on": f"2026-03-0{i + 2}", **counts}
        response = api.post(url("deliberations"), body, content_type="application/json")
        assert response.status_code == 201, response.json()
    body = {"kind": "resolution", "published_on": "2026-03-08", "place": "公开栏"}
    assert api.post(url("disclosures"), body, content_type="application/json").status_code == 201
    response = api.post(url("advance"), {"to": "budget", "on": "2026-03-10"}, "application/json")
    assert response.status_code == 200 and response.json()["stage"] == "budget"
    missing = {m["code"] for m in response.json()["missing"]}
    assert missing == {"field:budget_price", "field:guidance_agency", "document:guidance"}
    body = {"budget_price": "150000", "guidance_agency": "某造价公司"}
    assert api.post(url("guidance"), body, content_type="application/json").status_code == 200
    data = demo_pdf("api guidance")
    response = api.post(
        url("documents"),
        {
            "kind": "guidance",
            "title": "指导价",
            "issued_on": "2026-03-10",
            "file": SimpleUploadedFile("g.pdf", data, "application/pdf"),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    assert response.status_code == 201, response.json()
    event = Event.objects.latest("seq")
    assert (
        event.action == "document" and event.changes["sha256"] == hashlib.sha256(data).hexdigest()
    )
    response = api.post(
        url("advance"), {"to": "contracting", "on": "2026-03-20"}, "application/json"
    )
    assert response.status_code == 200
    body = {
        "contracting_method": "simple_tender",
        "contractor": "某建设公司",
        "contract_amount": "155000",
        "contract_signed_on": "2026-03-21",
        "over_guidance_reason": "材料涨价，经村民代表会议同意",
    }
    response = api.post(url("contract"), body, content_type="application/json")
    assert response.status_code == 200
    assert any("above the budget guidance price" in f for f in response.json()["flags"])


def test_api_refusals_are_400_with_the_rule_and_save_nothing(api):
    project = walk_to(new_project(), "budget")
    url = reverse("procedure-documents", args=[project.pk])
    data = demo_pdf("tampered")
    before = (Event.objects.count(), ProjectDocument.objects.count())
    response = api.post(
        url,
        {
            "kind": "guidance",
            "title": "指导价",
            "issued_on": "2026-03-10",
            "file": SimpleUploadedFile("g.pdf", data + b"x", "application/pdf"),
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    assert response.status_code == 400
    assert "does not match the SHA-256" in json.dumps(response.json())
    assert (Event.objects.count(), ProjectDocument.objects.count()) == before
    response = api.post(
        reverse("procedure-advance", args=[project.pk]),
        {"to": "contracting", "on": "2026-03-20"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "Still missing" in json.dumps(response.json())
    response = api.post(
        reverse("procedure-guidance", args=[project.pk]),
        {"budget_price": "250000", "guidance_agency": "某公司"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "200,000" in json.dumps(response.json())


def test_api_writes_need_a_login_and_the_right_role(client, demo_user):
    project = Project.objects.get(name="东岙村水渠修缮工程")
    url = reverse("procedure-acceptance", args=[project.pk])
    body = {"passed": True}
    assert client.post(url, body, content_type="application/json").status_code in (401, 403)
    token, _created = Token.objects.get_or_create(user=demo_user("inspector"))
    response = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 403


def test_every_procedure_action_is_in_the_openapi_schema(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    paths = json.loads(response.content)["paths"]
    for action in (
        "deliberations",
        "disclosures",
        "documents",
        "guidance",
        "contract",
        "acceptance",
        "settlement",
        "advance",
    ):
        assert "post" in paths[f"/api/procedure/{{id}}/{action}/"], action
    assert "get" in paths["/api/procedure/{id}/"]


# --- the public page ---------------------------------------------------------------------------


def test_the_public_page_shows_the_whole_procedure_and_hides_personal_data(client):
    project = walk_to(new_project(), "contracting")
    procedure.record_contract(
        project,
        actor=None,
        contracting_method="comparison",
        contractor="某建设公司",
        contract_amount=Decimal("155000"),
        contract_signed_on=DAYS["signed"],
        over_guidance_reason=f"经办人身份证{ID_NUMBER}，电话{MOBILE}，材料涨价",
    )
    procedure.attach_document(
        project, actor=None, kind="contract", title=f"合同（联系电话{MOBILE}）",
        issued_on=DAYS["signed"], upload=pdf(),
    )  # fmt: skip
    procedure.advance(project, actor=None, to="construction", on=DAYS["construction"])
    project = walk_to(Project.objects.get(pk=project.pk), "settlement")
    project = complete_stage(project)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("portal:project-detail", args=[project.pk])).content.decode()
    for stage in Stage:
        assert f'id="stage-{stage}"' in page
    for document in project.documents.all():
        assert document.sha256 in page
    assert "the procedure is complete" in page and "材料涨价" in page
    assert reverse("staff:document", args=[project.documents.first().pk]) not in page
    assert ID_NUMBER not in page and MOBILE not in page
    log = b"".join(client.get(reverse("log:events")).streaming_content).decode()
    assert ID_NUMBER not in log and MOBILE not in log


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_project_layer_hides_personal_data_in_free_text(client, demo_user, signed_in):
    full_width = "１３９１２３４５６７８"
    project = new_project(
        description=f"施工负责人{MOBILE}，身份证{ID_NUMBER}，监理{full_width}，欢迎监督。"
    )
    if signed_in:  # a user from another township: the serializer, not the SQL fast path
        client.force_login(demo_user("supervisor"))
        Project.objects.filter(pk=project.pk).update(village=Project.objects.filter(
            village__name="白岩桥村").first().village)  # fmt: skip
    response = client.get(reverse("project-list"), {"page_size": 5000})
    body = response.content.decode()
    assert response.status_code == 200 and "欢迎监督" in body
    assert MOBILE not in body and ID_NUMBER not in body and full_width not in body


def test_documents_are_stored_privately_under_a_random_name(settings):
    project = walk_to(new_project(), "budget")
    complete_stage(project)
    document = project.documents.get(kind="guidance")
    path = Path(document.file.path)
    assert Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert Path(settings.MEDIA_ROOT) not in path.parents
    assert document.sha256[:16] not in path.name and path.suffix == ".pdf"


def test_a_document_named_html_is_stored_by_its_detected_type(settings):
    project = walk_to(new_project(), "budget")
    data = b"%PDF-<script>alert(1)</script>\n%%EOF\n"
    document = procedure.attach_document(
        project,
        actor=None,
        kind="guidance",
        title="指导价",
        issued_on=DAYS["budget"],
        upload=SimpleUploadedFile("evil.html", data, "text/html"),
    )
    assert document.file.name.endswith(".pdf") and document.content_type == "application/pdf"


def test_the_result_is_made_public_only_once_the_settlement_is_on_record(api):
    project = walk_to(new_project(), "settlement")
    body = {"kind": "result", "published_on": "2026-07-05", "place": "公开栏"}
    url = reverse("procedure-disclosures", args=[project.pk])
    response = api.post(url, body, content_type="application/json")
    assert (
        response.status_code == 400 and "Enter the audited settlement" in response.content.decode()
    )
    complete_stage(project)  # the settlement, its report, then the result made public
    assert procedure.is_complete(Project.objects.get(pk=project.pk))


def test_the_procedure_list_needs_the_same_queries_for_5_or_100_projects(client):
    for i in range(100 - Project.objects.count()):
        project = new_project(name=f"查询预算测试工程{i}")
        if i % 20 == 0:  # some with deliberations, disclosures, documents and inspections
            walk_to(project, Stage.CONSTRUCTION)
    assert Project.objects.count() >= 100
    queries = {}
    for size in (5, 100):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("procedure-list"), {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        queries[size] = len(captured)
    assert queries[5] == queries[100] <= 8, queries


def test_names_and_places_are_scrubbed_in_the_procedure_api_and_page(client):
    project = walk_to(new_project(), "contracting")
    procedure.record_contract(
        project,
        actor=None,
        contracting_method="comparison",
        contractor=f"李四 {MOBILE} 施工队",
        contract_amount=Decimal("140000"),
        contract_signed_on=DAYS["signed"],
    )
    api_body = client.get(reverse("procedure-detail", args=[project.pk])).content.decode()
    page = client.get(reverse("portal:project-detail", args=[project.pk])).content.decode()
    for body in (api_body, page):
        assert "施工队" in body and MOBILE not in body


def test_verify_documents_names_a_changed_file():
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("verify_documents", stdout=out)
    assert out.getvalue().startswith("OK:")
    project = walk_to(new_project(), "contracting")
    complete_stage(project)
    document = project.documents.get(kind="contract")
    Path(document.file.path).write_bytes(b"%PDF- replaced")
    err = StringIO()
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_documents", stdout=StringIO(), stderr=err)
    assert f"document {document.pk}" in err.getvalue()
