import json

import pytest
from django.contrib.gis.geos import Polygon

from projects.models import Project
from registry.models import AdminUnit, Asset
from tests.conftest import DEMO_PASSWORD
from trail.models import Event

pytestmark = pytest.mark.django_db

PARCEL = {
    "type": "MultiPolygon",
    "coordinates": [
        [
            [
                [120.521, 27.901],
                [120.523, 27.9012],
                [120.5228, 27.9025],
                [120.5211, 27.902],
                [120.521, 27.901],
            ]
        ]
    ],
}
BOWTIE = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[120.52, 27.90], [120.53, 27.91], [120.53, 27.90], [120.52, 27.91], [120.52, 27.90]]]
    ],
}


def _parcel_payload(village: AdminUnit, geometry: dict) -> str:
    return json.dumps(
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kind": "parcel",
                "name": "API测试地块",
                "village": village.code,
                "owner": village.cooperatives.first().pk,
                "land_use": "farmland",
            },
        }
    )


def test_public_asset_layer_is_geojson_filtered_by_bbox_with_public_fields_only(client):
    response = client.get("/api/assets/", {"in_bbox": "120.40,27.80,120.60,27.98"})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["features"]
    props = data["features"][0]["properties"]
    assert "book_value" not in props and "acquired_on" not in props
    assert "area_m2" in props


def test_a_malformed_bbox_is_a_400_with_a_reason(client):
    response = client.get("/api/assets/", {"in_bbox": "east,of,eden"})
    assert response.status_code == 400
    assert "bbox" in response.content.decode().lower()


def test_anonymous_users_cannot_write(client):
    village = AdminUnit.objects.get(name="东岙村")
    response = client.post(
        "/api/assets/", _parcel_payload(village, PARCEL), content_type="application/json"
    )
    assert response.status_code == 403


def test_township_staff_create_a_parcel_and_it_is_logged(client, demo_user):
    client.force_login(demo_user("township"))
    village = AdminUnit.objects.get(name="东岙村")
    response = client.post(
        "/api/assets/", _parcel_payload(village, PARCEL), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    asset = Asset.objects.get(pk=response.json()["id"])
    assert asset.area_m2 > 0
    event = Event.objects.latest("seq")
    assert (event.subject_id, event.actor_name) == (asset.pk, "township")


def test_an_invalid_geometry_is_a_400_naming_the_field_and_nothing_is_saved(client, demo_user):
    client.force_login(demo_user("township"))
    village = AdminUnit.objects.get(name="东岙村")
    count = Asset.objects.count()
    response = client.post(
        "/api/assets/", _parcel_payload(village, BOWTIE), content_type="application/json"
    )
    assert response.status_code == 400
    assert "geometry" in response.json()
    assert Asset.objects.count() == count


def test_a_project_over_the_threshold_is_a_400(client, demo_user):
    client.force_login(demo_user("township"))
    project = Project.objects.filter(village__parent__name="曹村镇").first()
    response = client.patch(
        f"/api/projects/{project.pk}/",
        json.dumps({"properties": {"budget_price": "250000.00"}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "budget_price" in response.json()


def test_staff_cannot_write_outside_their_units(client, demo_user):
    client.force_login(demo_user("township"))
    elsewhere = Asset.objects.exclude(village__parent__name="曹村镇").first()
    response = client.patch(
        f"/api/assets/{elsewhere.pk}/",
        json.dumps({"properties": {"description": "x"}}),
        content_type="application/json",
    )
    assert response.status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.description != "x"


RESTRICTED = {"book_value", "acquired_on", "external_id", "contractor_contact"}


@pytest.mark.parametrize("layer", ["assets", "projects", "sites", "routes", "units"])
def test_every_public_layer_is_geojson_without_restricted_fields(client, layer):
    response = client.get(f"/api/{layer}/", {"page_size": 50})
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert data["features"]
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"]
        assert not RESTRICTED & set(feature["properties"])


def test_bbox_returns_only_features_that_touch_it(client):
    bbox = (120.50, 27.88, 120.54, 27.92)
    data = client.get("/api/assets/", {"in_bbox": ",".join(map(str, bbox)), "page_size": 5000})
    features = data.json()["features"]
    inside = Asset.objects.filter(geometry__bboverlaps=Polygon.from_bbox(bbox)).count()
    assert len(features) == inside > 0


def test_pages_link_to_each_other(client):
    first = client.get("/api/assets/", {"page_size": 100}).json()
    assert len(first["features"]) == 100
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert second["previous"]
    assert {f["id"] for f in first["features"]}.isdisjoint({f["id"] for f in second["features"]})


def test_layers_carry_an_etag_and_answer_304(client):
    response = client.get("/api/assets/", {"kind": "parcel"})
    etag = response["ETag"]
    assert "max-age" in response["Cache-Control"]
    again = client.get("/api/assets/", {"kind": "parcel"}, headers={"if-none-match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("params", [{"page": "0"}, {"page_size": "many"}, {"kind": "castle"}])
def test_bad_query_parameters_are_400(client, params):
    assert client.get("/api/assets/", params).status_code == 400


def test_staff_with_a_token_see_restricted_fields_of_their_own_units_only(client, demo_user):
    user = demo_user("township")
    token = client.post("/api/token/", {"username": "township", "password": DEMO_PASSWORD}).json()[
        "token"
    ]
    auth = {"authorization": f"Token {token}"}
    own = Asset.objects.filter(village__parent__name="曹村镇", book_value__isnull=False).first()
    other = Asset.objects.filter(village__name="白岩桥村", book_value__isnull=False).first()
    mine = client.get(f"/api/assets/{own.pk}/", headers=auth).json()["properties"]
    theirs = client.get(f"/api/assets/{other.pk}/", headers=auth).json()["properties"]
    assert "book_value" in mine
    assert "book_value" not in theirs
    assert user.is_authenticated


def test_the_openapi_schema_and_its_docs_are_served_from_our_static_files(client):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for layer in ("assets", "projects", "sites", "routes", "units"):
        assert f"/api/{layer}/" in paths
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn.jsdelivr" not in docs and "unpkg" not in docs


@pytest.mark.parametrize(("layer", "unit_field"), [("projects", "village"), ("sites", "unit")])
def test_a_record_for_another_township_is_refused_before_its_fields_are_read(
    client, demo_user, layer, unit_field
):
    """A tester found an out-of-scope create answered 400 (a missing category) before 403."""
    client.force_login(demo_user("township"))
    elsewhere = AdminUnit.objects.filter(level="village").exclude(parent__name="曹村镇").first()
    for body in ({unit_field: elsewhere.code}, {"properties": {unit_field: elsewhere.code}}):
        response = client.post(f"/api/{layer}/", json.dumps(body), content_type="application/json")
        assert response.status_code == 403, response.content
