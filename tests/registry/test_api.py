import json

import pytest

from registry.models import AdminUnit, Asset, Event, Project

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
    assert "area_mu" in props


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
    assert response.status_code == 404
