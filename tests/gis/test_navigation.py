"""Navigation links hand a site to AMap in GCJ-02 and to Baidu in BD-09."""

from urllib.parse import parse_qs, urlsplit

import pytest

from gis.chinacoords import wgs84_to_bd09, wgs84_to_gcj02
from gis.navigation import navigation_links
from visits.models import Site

LON, LAT = 120.6387, 27.8723  # 曹村镇, about


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_amap_gets_gcj02_and_baidu_gets_bd09():
    amap, baidu, _tencent = navigation_links(LON, LAT, "曹东花灯文化馆")
    assert (amap.app, baidu.app) == ("amap", "baidu")
    assert urlsplit(amap.url).netloc == "uri.amap.com"
    assert urlsplit(baidu.url).netloc == "api.map.baidu.com"
    gcj = tuple(float(v) for v in query(amap.url)["position"].split(","))
    assert gcj == pytest.approx(wgs84_to_gcj02(LON, LAT), abs=1e-6)
    assert query(amap.url)["coordinate"] == "gaode"
    bd_lat, bd_lon = (float(v) for v in query(baidu.url)["location"].split(","))
    assert (bd_lon, bd_lat) == pytest.approx(wgs84_to_bd09(LON, LAT), abs=1e-6)
    assert query(baidu.url)["coord_type"] == "bd09ll"
    # The shifts are hundreds of metres, not nothing: the two apps get different numbers.
    assert abs(gcj[0] - LON) > 0.003 and abs(bd_lon - gcj[0]) > 0.005


@pytest.mark.django_db
def test_a_site_page_offers_both_apps_with_its_name_encoded(client):
    site = Site.objects.order_by("pk").first()
    Site.objects.filter(pk=site.pk).update(name='清廉阁"><b>')
    html = client.get(f"/sites/{site.pk}/").content.decode()
    assert "导航前往" in html and "高德地图" in html and "百度地图" in html and "腾讯地图" in html
    assert '"><b>' not in html.split("导航前往", 1)[1].split("</dl>", 1)[0]
    amap = html.split('data-nav="amap"')[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert query(amap.replace("&amp;", "&"))["name"] == '清廉阁"><b>'


def test_tencent_gets_gcj02_and_a_name_that_cannot_break_its_marker():
    *_others, tencent = navigation_links(LON, LAT, "文化馆;title:假的")
    assert tencent.app == "tencent"
    assert urlsplit(tencent.url).netloc == "apis.map.qq.com"
    fields = dict(part.split(":", 1) for part in query(tencent.url)["marker"].split(";"))
    lat, lon = (float(v) for v in fields["coord"].split(","))
    assert (lon, lat) == pytest.approx(wgs84_to_gcj02(LON, LAT), abs=1e-6)
    assert fields["title"] == "文化馆 title 假的"
