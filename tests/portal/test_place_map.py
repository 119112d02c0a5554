"""A record page shows its place as a small server-drawn picture; the Leaflet map is a tap away."""

import xml.etree.ElementTree as ET

import pytest

from gis.svgmap import NEIGHBOUR_FILL
from projects import services as project_services
from projects.models import Project
from qr.models import ElectronicId
from registry.models import Asset
from visits.models import Site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "kind"), [(Asset, "asset"), (Project, "project"), (Site, "site")]
)
def test_a_record_page_draws_its_place_without_a_map_library(client, model, kind):
    record = model.objects.first()
    html = client.get(f"/{kind}s/{record.pk}/").content.decode()
    assert f'src="/places/{kind}/{record.pk}.svg"' in html
    assert "leaflet" not in html.lower()
    assert 'href="?map=1#map"' in html


def test_the_interactive_map_is_one_tap_away(client):
    asset = Asset.objects.first()
    html = client.get(f"/assets/{asset.pk}/?map=1").content.decode()
    assert "leaflet.js" in html
    assert ".svg" not in html.split('id="map"')[1][:200]


def test_a_plaque_page_draws_its_place_and_opening_the_map_is_not_another_scan(client):
    eid = ElectronicId.objects.filter(prefix="D").first()
    html = client.get(f"/e/{eid.code}").content.decode()
    assert f'src="/places/asset/{eid.subject_id}.svg"' in html
    assert "leaflet" not in html.lower()
    import datetime as dt

    from qr.selectors import scans_on

    before = scans_on(eid, dt.date.today())
    assert "leaflet.js" in client.get(f"/e/{eid.code}?map=1").content.decode()
    assert scans_on(eid, dt.date.today()) == before


def test_the_picture_shows_the_village_and_the_neighbouring_records(client):
    asset = Asset.objects.filter(kind="building").select_related("village").first()
    response = client.get(f"/places/asset/{asset.pk}.svg")
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "public" in response["Cache-Control"]
    svg = response.content.decode()
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert asset.village.name in svg
    assert asset.name in root.find("{http://www.w3.org/2000/svg}title").text
    neighbours = Asset.objects.filter(village=asset.village).exclude(pk=asset.pk)
    assert neighbours.exists()
    grey = [e for e in root.iter() if e.get("fill") == NEIGHBOUR_FILL]
    assert grey, "neighbouring records are drawn, in grey"
    dashed = [e for e in root.iter() if e.get("stroke-dasharray")]
    assert dashed, "the village boundary is drawn"
    assert len(response.content) < 20_000


def test_the_picture_is_revalidated_with_its_etag_and_changes_with_the_record(client):
    project = Project.objects.filter(stage="construction").first()
    first = client.get(f"/places/project/{project.pk}.svg")
    etag = first["ETag"]
    assert (
        client.get(f"/places/project/{project.pk}.svg", HTTP_IF_NONE_MATCH=etag).status_code == 304
    )
    project_services.update_project(project, actor=None, progress_percent=77)
    assert (
        client.get(f"/places/project/{project.pk}.svg", HTTP_IF_NONE_MATCH=etag).status_code == 200
    )


@pytest.mark.parametrize("model", [Asset, Project, Site])
def test_every_kind_of_record_is_drawn_inside_its_whole_village(client, model):
    unit = "unit" if model is Site else "village"
    records = model.objects.filter(**{f"{unit}__level": "village"}).order_by("pk")[:5]
    assert records
    for record in records:
        kind = model._meta.model_name
        svg = client.get(f"/places/{kind}/{record.pk}.svg").content.decode()
        root = ET.fromstring(svg)  # noqa: S314 - our own output
        dashed = [e for e in root.iter() if e.get("stroke-dasharray")]
        assert dashed, (kind, record.pk)
        assert "50 m<" not in svg, "a frame as wide as a village, not a street"


@pytest.mark.parametrize("path", ["/places/lease/1.svg", "/places/asset/999999999.svg"])
def test_unknown_places_are_404(client, path):
    assert client.get(path).status_code == 404
