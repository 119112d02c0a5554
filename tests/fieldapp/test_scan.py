"""The field scanner's page, the codes my work carries for it, the web manifest that puts the
field app on a home screen, and where the WeChat notice is (and is not)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from fieldapp import offline, selectors, services
from qr.models import ElectronicId
from registry.models import Asset
from tests.fieldapp.test_views import inspection_data

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
OWN_VILLAGES = ["东岙村", "许岙村"]


@pytest.fixture
def inspector(client, demo_user):
    user = demo_user("inspector")
    client.force_login(user)
    return user


def plaque_urls(response) -> dict[str, str]:
    found = re.search(
        r'<script id="plaque-urls" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def test_the_scanner_needs_a_login_and_sends_to_the_field_login(client):
    response = client.get(reverse("fieldapp:scan"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('fieldapp:login')}?next={reverse('fieldapp:scan')}"


def test_the_scanner_only_shows_itself(client, inspector):
    assert client.head(reverse("fieldapp:scan")).status_code == 200
    assert client.post(reverse("fieldapp:scan")).status_code == 405


def test_the_scanner_carries_my_works_codes_to_their_field_pages(client, inspector):
    response = client.get(reverse("fieldapp:scan"))
    assert response.status_code == 200
    urls = plaque_urls(response)
    work = selectors.my_work(inspector)
    expected = {
        subject.pk
        for subject in work.due_assets
        if ElectronicId.objects.filter(subject_type__model="asset", subject_id=subject.pk)
    }
    assert expected
    for pk in expected:
        code = ElectronicId.objects.get(subject_type__model="asset", subject_id=pk).code
        assert urls[code] == reverse("fieldapp:subject", args=["asset", pk])
    # Every code is of the user's own villages: none of another village leaks into the page.
    for code, url in urls.items():
        eid = ElectronicId.objects.get(code=code)
        record = eid.subject_type.model_class().objects.get(pk=eid.subject_id)
        assert record.village.name in OWN_VILLAGES
        assert url == reverse("fieldapp:subject", args=[eid.subject_type.model, record.pk])
    html = response.content.decode()
    assert 'data-decoder="/static/vendor/jsqr-1.4.0/jsQR.js"' in html
    assert '<script src="/static/vendor/jsqr' not in html  # loaded only when needed


def test_my_work_carries_the_same_codes_as_the_scanner(client, inspector):
    my_work = plaque_urls(client.get(reverse("fieldapp:my-work")))
    assert my_work == plaque_urls(client.get(reverse("fieldapp:scan")))
    assert len(my_work) > 5


def test_an_inspected_records_code_stays_while_its_follow_up_is_open(client, inspector):
    scan = reverse("fieldapp:scan")
    asset = Asset.objects.filter(village__name="东岙村").exclude(status="retired").first()
    code = ElectronicId.objects.get(subject_type__model="asset", subject_id=asset.pk).code
    field_page = reverse("fieldapp:subject", args=["asset", asset.pk])
    assert plaque_urls(client.get(scan))[code] == field_page  # due for inspection
    checklist = services.checklists_for(asset)[0]
    failing = checklist.items.filter(answer_type="yes_no").first()
    inspect = reverse("fieldapp:inspect", args=["asset", asset.pk, checklist.pk])
    response = client.post(inspect, inspection_data(checklist, **{failing.text: "no"}))
    assert response.status_code == 302
    work = selectors.my_work(inspector)
    assert asset.pk not in {a.pk for a in work.due_assets}
    assert [f.subject_id for f in work.follow_ups] == [asset.pk]
    assert plaque_urls(client.get(scan))[code] == field_page


def test_the_scanner_costs_no_more_queries_than_my_work(
    client, inspector, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["fieldapp:my-work"]):
        assert client.get(reverse("fieldapp:scan")).status_code == 200


def test_the_tab_bar_scans_in_the_field_app(client, inspector):
    html = client.get(reverse("fieldapp:my-work")).content.decode()
    assert f'href="{reverse("fieldapp:scan")}" data-keep-offline' in html
    assert f'href="{reverse("qr:entry")}"' not in html


def test_the_service_worker_keeps_the_scanner_and_its_decoder_in_the_shell(client):
    worker = client.get(reverse("fieldapp-offline:sw")).content.decode()
    config = json.loads(worker.split("\n", 1)[0].removeprefix("var CONFIG = ").rstrip(";"))
    for name in ("fieldapp/scan.js", "fieldapp/keep.js", "vendor/jsqr-1.4.0/jsQR.js"):
        assert f"/static/{name}" in config["shell"]
    assert all(finders.find(name) for name in offline.SHELL_STATIC)


def test_the_manifest_puts_the_field_app_on_a_home_screen(client):
    response = client.get(reverse("fieldapp-offline:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == reverse("fieldapp:my-work")
    assert manifest["scope"] == "/field/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            width, height = Image.open(path).size
            assert icon["sizes"] == f"{width}x{height}"
    login = client.get(reverse("fieldapp:login")).content.decode()
    assert f'<link rel="manifest" href="{reverse("fieldapp-offline:manifest")}">' in login
    assert 'rel="apple-touch-icon"' in login


@pytest.mark.parametrize(
    "url",
    [
        reverse("fieldapp:login"),
        reverse("open_data:index"),
        reverse("supervision:case-list"),
    ],
)
def test_pages_where_wechat_falls_short_carry_the_wechat_notice(client, url):
    html = client.get(url).content.decode()
    assert html.count("data-wechat-notice") == 1
    assert "/static/js/wechat_notice.js" in html


def test_the_layer_downloads_carry_the_wechat_notice(client):
    html = client.get(reverse("transfer:export-index")).content.decode()
    assert "data-wechat-notice" in html


def test_the_plaque_sheet_page_carries_the_wechat_notice_but_not_its_progress_poll(
    admin_client, admin_user
):
    from qr.models import PlaqueJob

    job = PlaqueJob.objects.create(requested_by=admin_user, total=10)
    url = reverse("qr:plaque-job", args=[job.pk])
    assert "data-wechat-notice" in admin_client.get(url).content.decode()
    poll = admin_client.get(url, headers={"hx-request": "true"}).content.decode()
    assert "data-wechat-notice" not in poll


def test_a_public_record_page_does_not_carry_the_wechat_notice(client):
    eid = ElectronicId.objects.filter(prefix="P").first()
    html = client.get(reverse("qr:record", args=[eid.code])).content.decode()
    assert "data-wechat-notice" not in html
    assert "wechat_notice.js" not in html
