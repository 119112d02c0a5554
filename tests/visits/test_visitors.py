import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.db.models import Q
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.translation import ngettext

from registry.models import AdminUnit
from visits import services as visit_services
from visits.models import Route, Site
from visits.selectors import Duration, route_facts

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
GPX = "{http://www.topografix.com/GPX/1/1}"
MM = 0.001
LISTED_SITE = re.compile(r'class="site-name"><a href="/sites/(\d+)/">')


def parse_gpx(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own response, not untrusted input


def listed_sites(html: str) -> set[int]:
    return {int(pk) for pk in LISTED_SITE.findall(html)}


def ordered_stops(route: Route) -> list[Site]:
    return [stop.site for stop in route.stops.select_related("site").order_by("position")]


def postgis_length(route: Route) -> float:
    """The route's length as PostGIS measures it on the spheroid (Karney's algorithm)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Length(path::geography, true) FROM visits_route WHERE id = %s", [route.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def caocun_route() -> Route:
    return Route.objects.get(name="曹村清廉文化线路")


@pytest.fixture
def city_route() -> Route:
    return Route.objects.get(name="瑞安清廉教育基地精品线路")


# --- the list of sites ----------------------------------------------------------------------


def test_visit_page_lists_every_site_with_hours_story_and_a_map(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(BUDGETS["visit:sites"]):
        response = client.get(reverse("visit:sites"))
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_sites(html) == set(Site.objects.values_list("pk", flat=True))
    site = Site.objects.get(name="北麂乡鱼拓廉政馆")
    assert site.opening_hours in html
    assert site.address in html
    assert site.story[:30] in html
    assert site.story not in html  # an excerpt, the whole story is on the site's page
    assert "L.map(" in html
    assert html.count('"type": "Point"') == Site.objects.count()
    for route in Route.objects.all():
        assert reverse("visit:route-detail", args=[route.pk]) in html


def test_each_listed_site_links_to_its_page(client):
    html = client.get(reverse("visit:sites")).content.decode()
    pk = sorted(listed_sites(html))[0]
    response = client.get(reverse("portal:site-detail", args=[pk]))
    assert response.status_code == 200
    assert Site.objects.get(pk=pk).name in response.content.decode()


def test_kind_filter_lists_only_that_kind(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGETS["visit:sites filtered"]):
        response = client.get(reverse("visit:sites"), {"kind": Site.Kind.PAVILION})
    html = response.content.decode()
    assert response.status_code == 200
    pavilions = Site.objects.filter(kind=Site.Kind.PAVILION)
    assert listed_sites(html) == set(pavilions.values_list("pk", flat=True)) != set()
    assert 'href="/visit/?kind=pavilion" class="active" aria-current="page"' in html


def test_township_filter_lists_sites_of_the_township_and_its_villages(
    client, django_assert_max_num_queries
):
    caocun = AdminUnit.objects.get(name="曹村镇")
    with django_assert_max_num_queries(BUDGETS["visit:sites filtered"]):
        response = client.get(reverse("visit:sites"), {"township": caocun.code})
    html = response.content.decode()
    expected = Site.objects.filter(Q(unit=caocun) | Q(unit__parent=caocun))
    assert listed_sites(html) == set(expected.values_list("pk", flat=True))
    assert expected.filter(unit=caocun).exists() and expected.filter(unit__parent=caocun).exists()
    assert "曹村清廉文化线路" in html


def test_township_filter_finds_a_site_held_by_the_township_itself(client):
    beiji = AdminUnit.objects.get(name="北麂乡")
    html = client.get(reverse("visit:sites"), {"township": beiji.code}).content.decode()
    assert listed_sites(html) == {Site.objects.get(name="北麂乡鱼拓廉政馆").pk}
    assert (
        "No visitor route passes these sites yet."
        in client.get(
            reverse("visit:sites"), {"township": beiji.code}, headers={"accept-language": "en"}
        ).content.decode()
    )


def test_kind_and_township_filters_combine(client):
    caocun = AdminUnit.objects.get(name="曹村镇")
    html = client.get(
        reverse("visit:sites"), {"kind": Site.Kind.FAMILY_HALL, "township": caocun.code}
    ).content.decode()
    expected = Site.objects.filter(
        Q(unit=caocun) | Q(unit__parent=caocun), kind=Site.Kind.FAMILY_HALL
    )
    assert listed_sites(html) == set(expected.values_list("pk", flat=True))
    # Each filter's links keep the other filter.
    assert f"?kind=pavilion&amp;township={caocun.code}" in html
    assert "?kind=family_hall&quot;" not in html
    assert 'href="/visit/?kind=family_hall"' in html


def test_filter_counts_say_what_each_link_will_show(client):
    caocun = AdminUnit.objects.get(name="曹村镇")
    html = client.get(reverse("visit:sites"), {"kind": Site.Kind.PAVILION}).content.decode()
    pavilions = Site.objects.filter(kind=Site.Kind.PAVILION, unit__parent=caocun).count()
    assert f'township={caocun.code}">曹村镇 <span class="chip-count">{pavilions}</span>' in html
    html = client.get(reverse("visit:sites"), {"township": caocun.code}).content.decode()
    halls = Site.objects.filter(Q(unit=caocun) | Q(unit__parent=caocun), kind="family_hall")
    link = re.search(
        rf'\?kind=family_hall&amp;township={caocun.code}">[^<]+<span class="chip-count">(\d+)<',
        html,
    )
    assert int(link.group(1)) == halls.count() < Site.objects.filter(kind="family_hall").count()


def test_empty_filter_values_list_everything(client):
    response = client.get(reverse("visit:sites"), {"kind": "", "township": ""})
    assert response.status_code == 200
    assert len(listed_sites(response.content.decode())) == Site.objects.count()


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"kind": "museum"}, "Kind"),
        ({"township": "caocun"}, "Township or subdistrict"),
        ({"township": "330381102201"}, "Township or subdistrict"),  # a village, not a township
        ({"township": "9" * 300}, "Township or subdistrict"),
        ({"township": "33038110\x00"}, "Township or subdistrict"),
        ({"kind": "pavilion", "township": "../../etc"}, "Township or subdistrict"),
    ],
)
def test_a_malformed_filter_is_a_400_that_says_why(client, params, reason):
    response = client.get(reverse("visit:sites"), params, headers={"accept-language": "en"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert re.search(rf"<li>{reason}: [^<]+</li>", html)
    assert listed_sites(html)  # the page still works, without the filter it did not understand


def test_visit_page_is_chinese_by_default_and_english_on_request(client):
    html = client.get(reverse("visit:sites")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "开放时间" in html
    html = client.get(reverse("visit:sites"), headers={"accept-language": "en"}).content.decode()
    assert "Opening hours" in html


def test_visitor_pages_load_nothing_from_another_host_nor_jquery(client, caocun_route):
    for url in (reverse("visit:sites"), reverse("visit:route-detail", args=[caocun_route.pk])):
        html = client.get(url).content.decode()
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html), url
        assert "jquery" not in html.lower()
        assert "bootstrap" not in html.lower()
        assert "css/visit.css" in html


def test_visitor_pages_refuse_a_post(client, caocun_route):
    assert client.post(reverse("visit:sites")).status_code == 405
    assert client.post(reverse("visit:route-gpx", args=[caocun_route.pk])).status_code == 405


# --- a route's page -------------------------------------------------------------------------


def test_route_page_shows_the_stops_in_order_and_the_length(
    client, django_assert_max_num_queries, city_route
):
    with django_assert_max_num_queries(BUDGETS["visit:route-detail"]):
        response = client.get(
            reverse("visit:route-detail", args=[city_route.pk]), headers={"accept-language": "en"}
        )
    assert response.status_code == 200
    html = response.content.decode()
    stops = ordered_stops(city_route)
    positions = [html.index(f'href="/sites/{site.pk}/">{site.name}</a>') for site in stops]
    assert positions == sorted(positions)
    badges = re.findall(r'<span class="stop-badge" aria-hidden="true">(\d+)</span>', html)
    assert badges == [str(n) for n in range(1, len(stops) + 1)]
    for site in stops:
        assert site.opening_hours in html
    facts = route_facts(city_route)
    assert f"{facts.length_km:.1f} km" in html
    walking = facts.walking
    assert f"{walking.hours} h {walking.minutes} min" in html
    assert reverse("visit:route-gpx", args=[city_route.pk]) in html
    assert reverse("visit:route-geojson", args=[city_route.pk]) in html


def test_route_length_is_geodesic_as_postgis_measures_it(caocun_route, city_route):
    for route in (caocun_route, city_route):
        assert route_facts(route).length_m == pytest.approx(postgis_length(route), abs=MM)


def test_travel_times_follow_the_speed_settings(client, settings, city_route):
    url = reverse("visit:route-detail", args=[city_route.pk])
    facts = route_facts(city_route)
    settings.VISIT_WALKING_KMH = 5
    settings.VISIT_DRIVING_KMH = 60
    html = client.get(url, headers={"accept-language": "en"}).content.decode()
    walking = Duration.travelling(facts.length_m, 5)
    driving = Duration.travelling(facts.length_m, 60)
    assert f"{walking.hours} h {walking.minutes} min" in html
    assert f"{driving.hours} h {driving.minutes} min" in html or f">{driving.minutes} min" in html
    assert "5 km/h on foot and 60 km/h by car" in html


def test_durations_are_whole_hours_and_minutes():
    assert Duration.travelling(4500, 4.5) == Duration(hours=1, minutes=0)
    assert Duration.travelling(10_000, 30) == Duration(hours=0, minutes=20)
    assert Duration.travelling(53_100, 4.5) == Duration(hours=11, minutes=48)


def test_route_without_a_drawn_path_is_measured_between_its_stops(client, caocun_route):
    client.cookies["django_language"] = "en"
    length = route_facts(caocun_route).length_m
    Route.objects.filter(pk=caocun_route.pk).update(path=None)
    route = Route.objects.get(pk=caocun_route.pk)
    assert route_facts(route).length_m == pytest.approx(length, abs=MM)
    response = client.get(reverse("visit:route-detail", args=[route.pk]))
    assert response.status_code == 200
    assert f"{length / 1000:.1f} km" in response.content.decode()


@pytest.mark.parametrize("name", ["visit:route-detail", "visit:route-gpx", "visit:route-geojson"])
@pytest.mark.parametrize("pk", [999_999, 2**63, 10**30])
def test_unknown_route_is_404(client, name, pk):
    assert client.get(reverse(name, args=[pk])).status_code == 404


# --- downloads ------------------------------------------------------------------------------


def test_gpx_download_has_every_stop_in_order(client, django_assert_max_num_queries, caocun_route):
    url = reverse("visit:route-gpx", args=[caocun_route.pk])
    with django_assert_max_num_queries(BUDGETS["visit:route-gpx"]):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gpx+xml"
    assert response["Content-Disposition"] == (
        f'attachment; filename="qinglian-route-{caocun_route.pk}.gpx"'
    )
    root = parse_gpx(response.content)
    assert root.tag == f"{GPX}gpx"
    assert root.get("version") == "1.1"
    stops = ordered_stops(caocun_route)

    rtepts = root.findall(f"{GPX}rte/{GPX}rtept")
    assert [p.findtext(f"{GPX}name") for p in rtepts] == [
        f"{n}. {site.name}" for n, site in enumerate(stops, start=1)
    ]
    for point, site in zip(rtepts, stops, strict=True):
        assert float(point.get("lon")) == pytest.approx(site.location.x, abs=1e-7)
        assert float(point.get("lat")) == pytest.approx(site.location.y, abs=1e-7)
        assert point.find(f"{GPX}link").get("href").endswith(f"/sites/{site.pk}/")
    assert len(root.findall(f"{GPX}wpt")) == len(stops)
    trkpts = root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    assert len(trkpts) == len(caocun_route.path.coords)
    for point, (lon, lat) in zip(trkpts, caocun_route.path.coords, strict=True):
        assert (float(point.get("lon")), float(point.get("lat"))) == pytest.approx((lon, lat))
    # GPX 1.1 wants waypoints, then routes, then tracks.
    assert [child.tag.removeprefix(GPX) for child in root][-3:] == ["wpt", "rte", "trk"]


def test_geojson_download_round_trips_the_path_and_stops(
    client, django_assert_max_num_queries, caocun_route
):
    url = reverse("visit:route-geojson", args=[caocun_route.pk])
    with django_assert_max_num_queries(BUDGETS["visit:route-geojson"]):
        response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    path, *points = data["features"]

    line = GEOSGeometry(json.dumps(path["geometry"]), srid=4326)
    assert line.equals_exact(caocun_route.path, tolerance=1e-7)
    assert path["properties"]["name"] == caocun_route.name
    assert path["properties"]["length_m"] == pytest.approx(postgis_length(caocun_route), abs=MM)

    stops = ordered_stops(caocun_route)
    assert [p["properties"]["order"] for p in points] == list(range(1, len(stops) + 1))
    for point, site in zip(points, stops, strict=True):
        assert point["properties"]["name"] == site.name
        assert point["properties"]["kind"] == site.kind
        assert GEOSGeometry(json.dumps(point["geometry"])).equals_exact(site.location, 1e-7)
        match = resolve(urlparse(point["properties"]["url"]).path)
        assert match.view_name == "portal:site-detail"
        assert match.kwargs == {"pk": site.pk}


@pytest.mark.parametrize("name", ["visit:route-gpx", "visit:route-geojson"])
def test_downloads_are_cacheable_until_the_record_changes(client, name, caocun_route, city_route):
    url = reverse(name, args=[caocun_route.pk])
    first = client.get(url)
    assert "public" in first["Cache-Control"]
    assert "max-age=" in first["Cache-Control"]
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert client.get(reverse(name, args=[city_route.pk]))["ETag"] != first["ETag"]
    assert client.get(url, headers={"accept-language": "en"})["ETag"] != first["ETag"]


def test_a_change_to_the_route_changes_its_download(client, caocun_route):
    url = reverse("visit:route-gpx", args=[caocun_route.pk])
    before = client.get(url)
    visit_services.set_route_stops(
        caocun_route, actor=None, sites=reversed(ordered_stops(caocun_route))
    )
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200
    first = parse_gpx(after.content).find(f"{GPX}rte/{GPX}rtept/{GPX}name").text
    assert first == f"1. {ordered_stops(caocun_route)[0].name}"


def test_a_site_page_gives_each_route_its_whole_number_of_stops(client):
    route = max(Route.objects.all(), key=lambda r: r.stops.count())
    stops = route.stops.count()
    assert stops > 1
    site = route.stops.order_by("position").last().site
    html = client.get(f"/sites/{site.pk}/").content.decode()
    with translation.override("zh-hans"):
        label = ngettext("%(counter)s stop", "%(counter)s stops", stops) % {"counter": stops}
    row = html.split(f'href="/visit/routes/{route.pk}/"')[1].split("</li>")[0]
    assert label in row


def test_a_route_page_navigates_to_its_first_stop(client):
    route = Route.objects.filter(stops__isnull=False).first()
    first = route.stops.order_by("position").first().site
    html = client.get(f"/visit/routes/{route.pk}/").content.decode()
    navigate = html.split('<details class="navigate">')[1].split("</details>")[0]
    assert first.name in navigate
    assert 'data-nav="amap"' in navigate and "uri.amap.com/marker" in navigate
    assert 'data-nav="baidu"' in navigate and 'data-nav="tencent"' in navigate
