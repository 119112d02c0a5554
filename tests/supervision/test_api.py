"""The supervision API: villagers report and follow their reports without an account; staff
list and move the cases they handle; the public reads cases and stations, never who reported."""

import datetime as dt
import io
import json
import uuid

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Project
from qr.selectors import code_of_pk
from registry.models import AdminUnit
from supervision import services
from supervision.models import Case, ReporterContact, State, Station
from tests.supervision.conftest import DONGAO, XUAO, jpeg

pytestmark = pytest.mark.django_db

REPORTS = "/api/supervision/reports/"
RECEIPT = "/api/supervision/receipt/"
CASES = "/api/supervision/cases/"
PUBLIC = "/api/supervision/public-cases/"
STATIONS = "/api/supervision/stations/"
OTHER_TOWNSHIP_VILLAGE = "330381001201"


@pytest.fixture(autouse=True)
def fresh_limits():
    """The per-address report limit lives in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def body(**overrides) -> dict:
    fields = {
        "client_uuid": str(uuid.uuid4()),
        "category": "quality",
        "text": "村道路面开裂，施工时没有监理在场。",
        "identity": "anonymous",
        "village": DONGAO,
    }
    fields.update(overrides)
    return fields


def post_json(client, url, data, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


# Reports ------------------------------------------------------------------------------------


def test_a_report_is_filed_and_a_resent_form_gets_the_same_receipt(client):
    sent = body()
    first = post_json(client, REPORTS, sent)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["case"]["state"] == "received"
    assert data["case"]["village"] == DONGAO
    assert "text" not in data["case"]
    again = post_json(client, REPORTS, sent)
    assert again.status_code == 200
    assert again.json() == data
    assert Case.objects.filter(text=sent["text"]).count() == 1


def test_a_report_with_photos_keeps_their_pixels(client):
    photos = [SimpleUploadedFile(f"p{n}.jpg", jpeg(), "image/jpeg") for n in range(2)]
    response = client.post(REPORTS, body(photos=photos))
    assert response.status_code == 201, response.content
    case = Case.objects.get(receipt_hash=services.receipts.receipt_hash(response.json()["receipt"]))
    assert case.photos.count() == 2


def test_more_photos_than_allowed_are_refused_naming_the_limit(client):
    photos = [SimpleUploadedFile(f"p{n}.jpg", jpeg(), "image/jpeg") for n in range(4)]
    response = client.post(REPORTS, body(photos=photos))
    assert response.status_code == 400
    assert "3" in response.json()["photos"][0]


def test_a_file_that_is_no_photo_is_refused_naming_photos(client):
    text_file = SimpleUploadedFile("p.jpg", b"not an image at all", "image/jpeg")
    response = client.post(REPORTS, body(photos=[text_file]))
    assert response.status_code == 400
    assert "photos" in response.json()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"client_uuid": "not-a-uuid"}, "client_uuid"),
        ({"category": "no-such-category"}, "category"),
        ({"identity": "secret"}, "identity"),
        ({"text": "短"}, "text"),
        ({"text": "长" * (services.TEXT_MAX + 1)}, "text"),
        ({"village": "12345"}, "village"),
        ({"village": "330381999999"}, "village"),
        ({"village": "", "subject": "P-000000-0000-X"}, "subject"),
        ({"village": "", "lon": 120.5}, "lat"),
        ({"village": "", "lon": 120.5, "lat": 95}, "lat"),
        ({"village": "", "lon": "NaN", "lat": 27.9}, "lon"),
        ({"village": "", "lon": 10.0, "lat": 10.0}, "lon"),
        ({"village": ""}, "village"),
        ({"identity": "named", "phone": "13900000000"}, "name"),
        ({"identity": "confidential"}, "phone"),
        ({"email": "not an address", "identity": "named"}, "email"),
    ],
)
def test_a_bad_field_is_a_400_naming_it(client, overrides, field):
    response = post_json(client, REPORTS, body(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Case.objects.filter(text=body()["text"]).exists()


def test_a_body_that_is_no_object_is_a_400(client):
    response = client.post(REPORTS, "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    response = client.post(REPORTS, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_an_anonymous_report_keeps_no_contact_even_if_one_was_typed(client):
    response = post_json(client, REPORTS, body(name="张三", phone="13900000001"))
    assert response.status_code == 201
    assert not ReporterContact.objects.filter(phone="13900000001").exists()


def test_a_report_by_electronic_id_is_placed_at_its_record(client):
    project = Project.objects.filter(village__code=XUAO).first()
    eid = code_of_pk(Project, project.pk)
    typed = eid.code.lower()
    response = post_json(client, REPORTS, body(village="", subject=typed))
    assert response.status_code == 201, response.content
    assert response.json()["case"]["subject_code"] == eid.code
    assert response.json()["case"]["village"] == XUAO


def test_a_report_by_position_goes_to_the_village_there(client):
    village = AdminUnit.objects.get(code=DONGAO)
    point = village.boundary.point_on_surface
    response = post_json(client, REPORTS, body(village="", lon=point.x, lat=point.y))
    assert response.status_code == 201, response.content
    assert response.json()["case"]["village"] == DONGAO


def test_full_width_village_codes_are_read(client):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in DONGAO)
    response = post_json(client, REPORTS, body(village=full_width))
    assert response.status_code == 201, response.content


def test_too_many_reports_from_one_address_wait_but_a_resent_form_is_answered(client, settings):
    settings.REPORT_LIMIT_PER_HOUR = 2
    first = body()
    assert post_json(client, REPORTS, first).status_code == 201
    assert post_json(client, REPORTS, body()).status_code == 201
    held = post_json(client, REPORTS, body())
    assert held.status_code == 429
    assert int(held["Retry-After"]) > 0
    assert "2" in held.json()["detail"]
    assert post_json(client, REPORTS, first).status_code == 200
    other = post_json(client, REPORTS, body(), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 201


def test_the_address_is_stored_nowhere(client):
    post_json(client, REPORTS, body(), REMOTE_ADDR="10.66.77.88")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM supervision_case t WHERE t::text LIKE %s", ["%10.66.77.88%"]
        )
        assert cursor.fetchone()[0] == 0


def test_a_signed_in_browser_reports_without_a_csrf_token(client, demo_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(demo_user("bookkeeper"))
    response = post_json(browser, REPORTS, body())
    assert response.status_code == 201, response.content


# Receipts -----------------------------------------------------------------------------------


def test_a_receipt_shows_the_state_its_history_and_messages(client, demo_user):
    response = post_json(client, REPORTS, body())
    receipt = response.json()["receipt"]
    case = Case.objects.get(receipt_hash=services.receipts.receipt_hash(receipt))
    services.move(case, to=State.ACCEPTED, actor=demo_user("supervisor"))
    services.ask_reporter(case, text="裂缝在哪一段路？", actor=demo_user("supervisor"))
    status = post_json(client, RECEIPT, {"receipt": receipt.lower().replace("-", " ")})
    assert status.status_code == 200
    data = status.json()
    assert data["state"] == "accepted"
    assert [h["state"] for h in data["history"]] == ["received", "accepted"]
    assert data["history"][0]["on"] == timezone.localdate().isoformat()
    assert data["messages"][0]["text"] == "裂缝在哪一段路？"
    assert data["may_reopen"] is False
    assert "text" not in data and "identity" not in data


def test_an_unknown_and_a_mistyped_receipt_get_the_same_404(client):
    unknown = post_json(client, RECEIPT, {"receipt": "2345-6789-ABCD"})
    mistyped = post_json(client, RECEIPT, {"receipt": "?!?"})
    assert unknown.status_code == mistyped.status_code == 404
    assert unknown.content == mistyped.content


def test_a_receipt_request_without_a_code_names_the_field(client):
    response = post_json(client, RECEIPT, {})
    assert response.status_code == 400
    assert "receipt" in response.json()


# Cases for staff ----------------------------------------------------------------------------


def _township_case() -> Case:
    return services.submit_report(
        client_uuid=uuid.uuid4(),
        category=services.Category.objects.get(code="money"),
        text="村干部把集体资金借给亲戚。",
        identity="anonymous",
        village=AdminUnit.objects.get(code=DONGAO),
        about_cadre=True,
    ).case


def _listed(client, user, **params) -> list[dict]:
    client.force_login(user)
    response = client.get(CASES, {"page_size": 1000, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_station_member_lists_the_stations_cases_of_their_villages(client, demo_user):
    township_case = _township_case()
    rows = _listed(client, demo_user("supervisor"))
    assert rows
    assert {row["village"] for row in rows} <= {DONGAO, XUAO}
    assert all(row["route"] == "station" for row in rows)
    assert township_case.pk not in {row["id"] for row in rows}
    assert any(row["text"] for row in rows)


def test_the_discipline_office_lists_its_townships_cases(client, demo_user):
    township_case = _township_case()
    rows = _listed(client, demo_user("discipline"))
    ids = {row["id"] for row in rows}
    assert township_case.pk in ids
    assert OTHER_TOWNSHIP_VILLAGE not in {row["village"] for row in rows}
    parents = set(
        AdminUnit.objects.filter(code__in={row["village"] for row in rows}).values_list(
            "parent__code", flat=True
        )
    )
    assert parents == {"330381102"}


def test_city_staff_list_every_case(client, demo_user):
    rows = _listed(client, demo_user("city"))
    assert len(rows) == Case.objects.count()


@pytest.mark.parametrize("username", ["township", "bookkeeper", "inspector"])
def test_staff_without_cases_are_refused_with_the_reason(client, demo_user, username):
    client.force_login(demo_user(username))
    response = client.get(CASES)
    assert response.status_code == 403
    assert "station" in response.json()["detail"] or "站" in response.json()["detail"]


def test_the_public_may_not_list_cases(client):
    assert client.get(CASES).status_code in (401, 403)


def test_contacts_are_shown_only_to_those_who_may_see_them(client, demo_user):
    for username in ("supervisor", "discipline", "city"):
        user = demo_user(username)
        for row in _listed(client, user):
            case = Case.objects.get(pk=row["id"])
            if services.may_see_contact(user, case) and hasattr(case, "contact"):
                assert row["contact"]["phone"] == case.contact.phone
            else:
                assert row["contact"] is None
    rows = _listed(client, demo_user("discipline"), state="received")
    assert all(row["contact"] is None for row in rows if row["identity"] == "anonymous")


def test_cases_are_filtered_by_state_village_category_and_lateness(client, demo_user):
    user = demo_user("city")
    assert {r["state"] for r in _listed(client, user, state="accepted")} == {"accepted"}
    assert {r["village"] for r in _listed(client, user, village=XUAO)} == {XUAO}
    assert {r["category"] for r in _listed(client, user, category="quality")} == {"quality"}
    late = Case.objects.filter(state=State.VERIFYING).first()
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    overdue = _listed(client, user, overdue="true")
    assert late.pk in {r["id"] for r in overdue}
    assert all(r["late"] >= 1 for r in overdue)
    assert late.pk not in {r["id"] for r in _listed(client, user, overdue="false")}
    assert client.get(CASES, {"state": "lost"}).status_code == 400


def test_a_case_outside_ones_scope_is_not_found(client, demo_user):
    elsewhere = Case.objects.filter(village__code=OTHER_TOWNSHIP_VILLAGE).first()
    client.force_login(demo_user("supervisor"))
    assert client.get(f"{CASES}{elsewhere.pk}/").status_code == 404
    assert client.get(f"{CASES}99999999999999999999999/").status_code == 404
    mine = Case.objects.filter(village__code=DONGAO, route="station").first()
    detail = client.get(f"{CASES}{mine.pk}/")
    assert detail.status_code == 200
    assert detail.json()["history"][0]["state"] == "received"


def test_the_case_list_costs_the_same_queries_however_many_cases(client, demo_user):
    client.force_login(demo_user("city"))
    with CaptureQueriesContext(connection) as few:
        client.get(CASES, {"page_size": 2})
    with CaptureQueriesContext(connection) as many:
        client.get(CASES, {"page_size": 1000})
    assert len(many) == len(few)


def test_photos_are_linked_for_handlers(client, demo_user):
    case = Case.objects.filter(photos__isnull=False, village__code=DONGAO).first()
    client.force_login(demo_user("supervisor"))
    photo = client.get(f"{CASES}{case.pk}/").json()["photos"][0]
    assert photo["image"].startswith("http") and photo["image"].endswith(".jpg")
    assert client.get(photo["thumbnail"]).status_code == 200


# Moving a case ------------------------------------------------------------------------------


def _received(village: str = DONGAO) -> Case:
    return services.submit_report(
        client_uuid=uuid.uuid4(),
        category=services.Category.objects.get(code="asset"),
        text="集体仓库被个人占用，没有看到合同。",
        identity="anonymous",
        village=AdminUnit.objects.get(code=village),
    ).case


def test_a_station_member_accepts_a_case(client, demo_user):
    case = _received()
    client.force_login(demo_user("supervisor"))
    response = post_json(client, f"{CASES}{case.pk}/move/", {"to": "accepted"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    assert response.json()["next_states"] == ["verifying"]
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    assert case.states.last().actor == demo_user("supervisor")


def test_a_move_that_is_no_edge_is_a_400_saying_why(client, demo_user):
    case = _received()
    client.force_login(demo_user("supervisor"))
    response = post_json(client, f"{CASES}{case.pk}/move/", {"to": "closed", "reason": "x"})
    assert response.status_code == 400
    assert "to" in response.json()
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_declining_without_a_reason_is_refused_naming_the_reason(client, demo_user):
    case = _received()
    client.force_login(demo_user("discipline"))
    response = post_json(client, f"{CASES}{case.pk}/move/", {"to": "declined"})
    assert response.status_code == 400
    assert "reason" in response.json()


def test_ordering_rectification_needs_who_and_by_when(client, demo_user):
    case = _received()
    Case.objects.filter(pk=case.pk).update(state=State.FOUND)
    client.force_login(demo_user("supervisor"))
    url = f"{CASES}{case.pk}/move/"
    assert post_json(client, url, {"to": "ordered"}).status_code == 400
    bad_date = post_json(client, url, {"to": "ordered", "rectify_by": "tomorrow"})
    assert bad_date.status_code == 400 and "rectify_by" in bad_date.json()
    by = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    done = post_json(client, url, {"to": "ordered", "rectify_who": "村委会", "rectify_by": by})
    assert done.status_code == 200, done.content
    assert done.json()["rectify_by"] == by


@pytest.mark.parametrize("username", ["township", "bookkeeper", "inspector"])
def test_a_move_by_staff_without_cases_is_a_403(client, demo_user, username):
    case = _received()
    client.force_login(demo_user(username))
    response = post_json(client, f"{CASES}{case.pk}/move/", {"to": "accepted"})
    assert response.status_code == 403


def test_a_station_member_cannot_find_the_townships_case_to_move_it(client, demo_user):
    case = _township_case()
    client.force_login(demo_user("supervisor"))
    response = post_json(client, f"{CASES}{case.pk}/move/", {"to": "nonsense"})
    missing = post_json(client, f"{CASES}987654321/move/", {"to": "nonsense"})
    # The same answer as for no case at all: a member named in a report learns nothing.
    assert (response.status_code, response.json()) == (404, missing.json())


def test_the_discipline_office_may_not_move_another_townships_case(client, demo_user):
    case = _received(OTHER_TOWNSHIP_VILLAGE)
    client.force_login(demo_user("discipline"))
    response = post_json(client, f"{CASES}{case.pk}/move/", {"to": "accepted"})
    assert response.status_code == 404


def test_moving_a_case_that_does_not_exist_is_a_404(client, demo_user):
    client.force_login(demo_user("city"))
    assert post_json(client, f"{CASES}987654321/move/", {"to": "accepted"}).status_code == 404


# Public reads -------------------------------------------------------------------------------


def test_the_public_map_never_shows_what_a_reporter_wrote_or_who_they_are(client):
    reporter_point = AdminUnit.objects.get(code=DONGAO).boundary.point_on_surface
    named = body(
        identity="named",
        name="李举报",
        phone="13912345678",
        email="li@example.com",
        village="",
        lon=round(reporter_point.x, 6),
        lat=round(reporter_point.y, 6),
    )
    assert post_json(client, REPORTS, named).status_code == 201
    response = client.get(PUBLIC, {"page_size": 1000})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == Case.objects.count()
    raw = response.content.decode()
    for case in Case.objects.all():
        if case.text not in case.public_text:
            assert case.text not in raw
    for contact in ReporterContact.objects.all():
        for value in (contact.name, contact.phone, contact.email):
            assert not value or value not in raw
    for feature in data["features"]:
        props = feature["properties"]
        assert not {"text", "identity", "about_member", "contact", "about_cadre"} & set(props)
        if feature["geometry"]:
            assert feature["geometry"]["coordinates"] != [named["lon"], named["lat"]]


def test_public_cases_are_filtered_by_village_and_state(client):
    response = client.get(PUBLIC, {"village": XUAO, "state": "closed"})
    features = response.json()["features"]
    assert features
    assert {(f["properties"]["village"], f["properties"]["state"]) for f in features} == {
        (XUAO, "closed")
    }


def test_stations_list_their_office_but_no_members_phones(client):
    response = client.get(STATIONS, {"village": DONGAO})
    assert response.status_code == 200
    (station,) = response.json()["results"]
    assert set(station) == {
        "id",
        "name",
        "village",
        "village_name",
        "office_phone",
        "place",
        "office_hours",
    }
    assert station["office_phone"] == Station.objects.get(village__code=DONGAO).office_phone


# The schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_builds_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target), stdout=io.StringIO())
    text = target.read_text()
    for path in ("reports", "receipt", "cases", "cases/{id}/move", "public-cases", "stations"):
        assert f"/api/supervision/{path}/:" in text


def test_the_categories_a_report_takes_are_listed(client):
    codes = [row["code"] for row in client.get("/api/supervision/categories/").json()]
    assert codes[:3] == ["quality", "money", "asset"]
    assert "cadre" in codes
