"""A shared link shows what it is: Open Graph and schema.org tags (WeChat reads the latter)."""

import html as html_lib
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from qr.models import ElectronicId

pytestmark = pytest.mark.django_db


def meta(page: str, attribute: str, name: str) -> str:
    found = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    assert found, f"no {name}"
    return html_lib.unescape(found.group(1))


def test_a_plaque_page_shared_in_wechat_shows_the_record_and_its_summary(client):
    eid = ElectronicId.objects.filter(prefix="P").order_by("code").first()
    page = client.get(f"/e/{eid.code}").content.decode()
    name = re.search(r"<h1>([^<]+)</h1>", page).group(1)
    spoken = html_lib.unescape(re.search(r'data-text="([^"]*)"', page).group(1))
    assert meta(page, "property", "og:title") == html_lib.unescape(name)
    assert meta(page, "itemprop", "name") == html_lib.unescape(name)
    assert meta(page, "property", "og:description") == spoken
    assert meta(page, "name", "description") == spoken
    assert meta(page, "property", "og:url") == f"http://testserver/e/{eid.code}"
    image = meta(page, "itemprop", "image")
    assert image == meta(page, "property", "og:image")
    assert image.startswith("http://testserver/static/")
    with Image.open(finders.find(image.removeprefix("http://testserver/static/"))) as picture:
        assert picture.size == (1200, 630)


def test_other_pages_share_the_sites_own_description(client):
    page = client.get("/visit/").content.decode()
    assert meta(page, "property", "og:description")
    assert meta(page, "property", "og:title")
