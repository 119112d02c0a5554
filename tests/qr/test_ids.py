import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
import zxingcpp
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from PIL import Image

from projects import services as project_services
from projects.models import Project
from qr import services
from qr.codes import ALPHABET
from qr.models import ElectronicId, ScanCount
from qr.selectors import scans_on
from registry import services as registry_services
from registry.models import AdminUnit, Asset, Profile
from registry.roles import Role, Task
from registry.scoping import may
from trail.models import Event
from visits.models import Site

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
SITE_CSS = Path(settings.BASE_DIR, "static", "css", "site.css").read_bytes()


def eid_of(subject) -> ElectronicId:
    return ElectronicId.objects.get(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )


def test_every_demo_record_has_one_code():
    assert ElectronicId.objects.count() == (
        Asset.objects.count() + Project.objects.count() + Site.objects.count()
    )


def test_issuing_again_returns_the_same_code_and_serials_count_up():
    village = AdminUnit.objects.get(name="东岙村")
    asset = Asset.objects.filter(village=village, kind="parcel").first()
    first = eid_of(asset)
    assert services.issue_code(asset, actor=None) == first
    new = registry_services.create_asset(
        actor=None,
        kind="parcel",
        name="新地块",
        village=village,
        owner=asset.owner,
        geometry=asset.geometry,
        land_use="forest",
    )
    issued = services.issue_codes(village, actor=None)
    assert [e.subject_id for e in issued] == [new.pk]
    last = ElectronicId.objects.filter(prefix="D", unit=village).order_by("-serial")[1]
    assert issued[0].serial == last.serial + 1
    assert issued[0].code.startswith("D-102201-")
    event = Event.objects.latest("seq")
    assert (event.action, event.changes) == ("issue", {"code": issued[0].code})


def test_staff_cannot_issue_codes_outside_their_units(demo_user):
    village = AdminUnit.objects.get(name="白岩桥村")
    asset = registry_services.create_asset(
        actor=None,
        kind="facility",
        name="新设施",
        village=village,
        owner=village.cooperatives.first(),
        geometry=Asset.objects.filter(village=village).first().geometry.centroid,
    )
    with pytest.raises(PermissionDenied):
        services.issue_code(asset, actor=demo_user("township"))


@pytest.mark.parametrize("model", [Asset, Project, Site])
def test_scanning_a_code_opens_the_public_record(client, model, django_assert_max_num_queries):
    subject = model.objects.first()
    eid = eid_of(subject)
    with django_assert_max_num_queries(BUDGETS[f"qr:record {model._meta.model_name}"]):
        response = client.get(f"/e/{eid.code}")
    html = response.content.decode()
    assert response.status_code == 200
    assert subject.name in html
    assert eid.code in html
    assert f"/e/{eid.code}/report/" in html
    assert "步步留痕" in html


def test_the_scan_page_is_light_and_its_queries_do_not_grow_with_history(
    client, django_assert_num_queries
):
    project = Project.objects.filter(stage="construction").first()
    eid = eid_of(project)
    client.get(f"/e/{eid.code}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ScanCount.objects.bulk_create(  # every counter row exists: each scan is one UPDATE
        [
            ScanCount(electronic_id=eid, day=dt.date.today(), shard=n)
            for n in range(ScanCount.SHARDS)
        ],
        ignore_conflicts=True,
    )
    cache.clear()  # measure the page being drawn, not served from the shared cache
    with CaptureQueriesContext(connection) as before:
        response = client.get(f"/e/{eid.code}")
    for percent in range(1, 41):
        project_services.update_project(project, actor=None, progress_percent=percent)
    cache.clear()
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(f"/e/{eid.code}")
    compressed = len(gzip.compress(response.content)) + len(gzip.compress(SITE_CSS))
    assert compressed < 60_000


def test_a_crowd_shares_one_drawing_of_the_scan_page_and_a_change_shows_at_once(
    client, django_assert_max_num_queries
):
    project = Project.objects.filter(stage="construction").first()
    eid = eid_of(project)
    client.get(f"/e/{eid.code}")
    today = dt.date.today()
    ScanCount.objects.bulk_create(
        [ScanCount(electronic_id=eid, day=today, shard=n) for n in range(ScanCount.SHARDS)],
        ignore_conflicts=True,
    )
    # Served from the shared page: read the log's head, count the scan (a savepoint here, a
    # transaction in production, that does not wait for the disk).
    with django_assert_max_num_queries(5):
        again = client.get(f"/e/{eid.code}")
    assert again.status_code == 200
    assert f"{project.progress_percent}%" in again.content.decode()
    zipped = client.get(f"/e/{eid.code}", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == again.content
    assert "Accept-Encoding" in zipped["Vary"]
    project_services.update_project(project, actor=None, progress_percent=93)
    assert "93%" in client.get(f"/e/{eid.code}").content.decode()


def test_a_logged_in_inspector_gets_a_page_of_their_own(client):
    inspector = User.objects.get(username="inspector")
    project = next(
        p
        for p in Project.objects.filter(stage="construction")
        if may(inspector, Task.RECORD_FIELD_WORK, p)
    )
    eid = eid_of(project)
    client.get(f"/e/{eid.code}")  # shared page cached for anonymous visitors
    client.force_login(inspector)
    html = client.get(f"/e/{eid.code}").content.decode()
    assert "/field/project/" in html


def test_a_retired_assets_code_still_resolves_and_says_so(client):
    asset = Asset.objects.filter(status="retired").first()
    html = client.get(f"/e/{eid_of(asset).code}").content.decode()
    assert "status-retired" in html
    assert 'class="notice"' in html


def test_a_typo_gives_404_with_the_likely_code(client):
    eid = ElectronicId.objects.filter(prefix="P").first()
    wrong = eid.code[:-1] + next(c for c in ALPHABET if c != eid.code[-1])
    response = client.get(f"/e/{wrong}")
    assert response.status_code == 404
    assert eid.code in response.content.decode()
    swapped = eid.code[:3] + eid.code[4] + eid.code[3] + eid.code[5:]
    if swapped != eid.code:
        assert eid.code in client.get(f"/e/{swapped}").content.decode()


def test_an_unknown_but_well_formed_code_is_404(client):
    from qr.codes import format_code

    response = client.get(f"/e/{format_code('P', '999999', 9999)}")
    assert response.status_code == 404


def test_a_malformed_code_is_400_with_a_message(client):
    response = client.get("/e/not-a-code")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_codes_typed_loosely_redirect_to_the_printed_form(client):
    eid = ElectronicId.objects.first()
    response = client.get("/e/" + eid.code.lower().replace("-", ""))
    assert response.status_code == 301
    assert response["Location"] == f"/e/{eid.code}"
    response = client.get("/e/", {"code": eid.code.replace("-", " ").lower()})
    assert response["Location"] == f"/e/{eid.code}"


def test_the_code_form_renders(client):
    response = client.get("/e/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_qr_png_decodes_to_the_exact_public_url(client):
    eid = ElectronicId.objects.filter(prefix="B").first()
    response = client.get(f"/e/{eid.code}/qr.png")
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [r.text for r in results] == [f"{settings.PUBLIC_BASE_URL}/e/{eid.code}"]
    assert results[0].ec_level == "Q"


def test_qr_svg_is_an_svg(client):
    eid = ElectronicId.objects.first()
    response = client.get(f"/e/{eid.code}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_scans_are_counted_per_code_per_day_without_personal_data(client):
    eid = ElectronicId.objects.filter(prefix="S").first()
    for _ in range(3):
        client.get(f"/e/{eid.code}", REMOTE_ADDR="10.1.2.3")
    assert scans_on(eid, dt.date.today()) == 3
    assert {f.name for f in ScanCount._meta.fields} == {
        "id",
        "electronic_id",
        "day",
        "shard",
        "count",
    }


def test_scans_spread_over_counter_rows_so_a_crowd_does_not_queue_on_one_row(client):
    eid = ElectronicId.objects.filter(prefix="B").first()
    for _ in range(40):
        client.get(f"/e/{eid.code}")
    rows = ScanCount.objects.filter(electronic_id=eid, day=dt.date.today())
    assert rows.count() > 1  # 40 scans on one of 16 rows each: all on one has odds 16^-39
    assert scans_on(eid, dt.date.today()) == 40


def supervisor_of(village: AdminUnit, full_name: str, phone: str) -> User:
    user = User.objects.create_user(username=f"sup-{phone}", first_name=full_name)
    user.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    Profile.objects.create(user=user, phone=phone).units.add(village)
    return user


def test_report_page_names_the_station_and_never_a_supervisors_own_mobile(client):
    village = AdminUnit.objects.get(name="东岙村")
    supervisor_of(village, "东岙监察甲", "13900000001")
    eid = ElectronicId.objects.filter(unit=village).first()
    html = client.get(f"/e/{eid.code}/report/").content.decode()
    station = village.station
    assert station.name in html
    assert f'<a href="tel:{station.office_phone}"' in html
    assert "13900000001" not in html


def test_map_popups_reach_the_electronic_id_page(client):
    project = Project.objects.first()
    response = client.get(f"/e/of/project/{project.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/e/{eid_of(project).code}"
    assert client.get("/e/of/castle/1/").status_code == 404
    assert client.get("/e/of/asset/99999999/").status_code == 404
