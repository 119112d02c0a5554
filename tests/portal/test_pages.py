import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from leasing.models import Lease
from projects.models import Project
from registry.models import AdminUnit, Asset
from visits.models import Site

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
LANGUAGES = {"zh-hans": ">登录</a>", "en": ">Log in</a>"}


def _pages():
    township = AdminUnit.objects.get(name="曹村镇")
    village = AdminUnit.objects.get(name="东岙村")
    asset = Asset.objects.filter(leases__isnull=False).first()
    project = Project.objects.filter(village=village).first()
    return {
        "portal:home": reverse("portal:home"),
        "portal:unit-detail township": reverse("portal:unit-detail", args=[township.code]),
        "portal:unit-detail village": reverse("portal:unit-detail", args=[village.code]),
        "portal:asset-detail": reverse("portal:asset-detail", args=[asset.pk]),
        "portal:project-detail": reverse("portal:project-detail", args=[project.pk]),
        "portal:site-detail": reverse("portal:site-detail", args=[Site.objects.first().pk]),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "page", [k for k in BUDGETS if k.startswith("portal:") and "htmx" not in k]
)
def test_public_pages_render_in_both_languages_within_their_query_budget(
    client, django_assert_max_num_queries, page, language
):
    url = _pages()[page]
    with django_assert_max_num_queries(BUDGETS[page]):
        response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert LANGUAGES[language] in html


def test_pages_load_nothing_from_another_host(client):
    for url in _pages().values():
        html = client.get(url).content.decode()
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html), url


def test_home_map_shows_townships_assets_and_projects(client):
    html = client.get(reverse("portal:home")).content.decode()
    for township in AdminUnit.objects.filter(level="township"):
        assert township.name in html
    assert html.count('"kind": "parcel"') > 50
    assert '"stage": "construction"' in html
    assert "L.map(" in html


def test_asset_page_shows_only_public_fields(client):
    lease = (
        Lease.objects.filter(tenant_kind="person", asset__book_value__isnull=False)
        .select_related("asset")
        .first()
    )
    assert lease is not None
    html = client.get(reverse("portal:asset-detail", args=[lease.asset.pk])).content.decode()
    assert lease.asset.name in html
    assert lease.tenant_name not in html
    assert lease.tenant_name[0] + "*" in html
    assert str(lease.asset.book_value) not in html


def test_project_page_shows_the_stages_money_and_history(client):
    project = Project.objects.filter(stage="construction").exclude(contractor_contact="").first()
    project = project or Project.objects.filter(stage="construction").first()
    html = client.get(reverse("portal:project-detail", args=[project.pk])).content.decode()
    assert project.name in html
    assert "stage-step current" in html
    assert project.contractor in html
    if project.contractor_contact:
        assert project.contractor_contact not in html
    assert "timeline" in html


def test_unknown_records_are_404(client):
    assert client.get(reverse("portal:asset-detail", args=[999999])).status_code == 404
    assert client.get(reverse("portal:unit-detail", args=["999999"])).status_code == 404
    assert client.get("/units/%00/").status_code == 404


def test_a_gzipped_layer_answers_304_to_the_weak_etag_browsers_send_back(client):
    response = client.get("/api/units/", headers={"accept-encoding": "gzip"})
    weak = response["ETag"]
    assert weak.startswith('W/"')
    again = client.get("/api/units/", headers={"accept-encoding": "gzip", "if-none-match": weak})
    assert again.status_code == 304


def test_more_assets_load_as_an_htmx_fragment(client, django_assert_max_num_queries):
    township = AdminUnit.objects.get(name="安阳街道")
    base = reverse("portal:unit-detail", args=[township.code])
    with django_assert_max_num_queries(BUDGETS["portal:unit-detail htmx"]):
        response = client.get(f"{base}?page=2", headers={"hx-request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    expected = set(Asset.objects.filter(village__parent=township).values_list("pk", flat=True))
    last = -(-len(expected) // 30)
    assert last >= 2
    htmls = [
        client.get(f"{base}?page={n}", headers={"hx-request": "true"}).content.decode()
        for n in range(1, last + 1)
    ]
    assert htmls[1] == html
    pages = [listed_assets(h) for h in htmls]
    assert len(pages[0]) == len(pages[1]) == 30
    assert not set(pages[0]) & set(pages[1])
    shown = [pk for page in pages for pk in page]
    assert len(shown) == len(set(shown))
    assert set(shown) == expected
    assert all('id="more-assets"' in h for h in htmls[:-1])
    assert 'id="more-assets"' not in htmls[-1]


def listed_assets(html: str) -> list[int]:
    """The assets a page of the unit's asset rows links to, in order."""
    return [int(pk) for pk in re.findall(r'<li><a href="/assets/(\d+)/">', html)]


def test_language_switch_sets_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert '<html lang="en">' in response.content.decode()
