"""Numeric query parameters and request bodies that are not what they claim are a 400 naming
the parameter, never a 500 and never an answer outside what was asked (issue 13, part 3)."""

import json

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "bbox",
    [
        "nan,nan,nan,nan",
        "inf,-inf,inf,inf",
        "120.5,27.8,inf,27.9",
        "1,2,3",
        "a,b,c,d",
        "120.7,27.9,120.5,27.8",  # minimum above maximum
        "200,27.8,201,27.9",
        "120.5,-95,120.6,27.9",
    ],
)
@pytest.mark.parametrize("layer", ["assets", "projects", "sites", "routes", "units"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_bounding_box_that_is_no_box_is_a_400_naming_in_bbox(
    client, bbox, layer, signed_in, demo_user
):
    if signed_in:
        client.force_login(demo_user("city"))
    response = client.get(f"/api/{layer}/", {"in_bbox": bbox})
    assert response.status_code == 400
    assert "in_bbox" in response.json()


def test_a_bounding_box_typed_in_full_width_digits_is_read(client):
    plain = client.get("/api/assets/", {"in_bbox": "120.5,27.8,120.6,27.95"}).json()
    typed = client.get("/api/assets/", {"in_bbox": "１２０.５,２７.８,１２０.６,２７.９５"}).json()
    assert plain["features"] and typed["features"] == plain["features"]


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "1.5", "nan"])
def test_an_id_filter_out_of_range_is_a_400_naming_the_parameter(client, value):
    response = client.get("/api/auctions/", {"asset": value})
    assert response.status_code == 400
    assert "asset" in response.json()


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-3", "x"])
def test_a_page_number_out_of_range_is_a_client_error(client, page):
    assert client.get("/api/assets/", {"page": page}).status_code in (400, 404)


BODIES = [
    ({"type": "Feature", "properties": "x", "geometry": None}, "properties"),
    ({"type": "Feature", "properties": [], "geometry": None}, "properties"),
    ({"type": "Feature", "properties": {}, "geometry": "x"}, "geometry"),
    ([], "non_field_errors"),
    ("x", "non_field_errors"),
]


@pytest.mark.parametrize(("body", "member"), BODIES)
@pytest.mark.parametrize("layer", ["assets", "projects", "sites"])
@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_body_not_the_shape_it_claims_is_a_400_naming_what_is_wrong(
    client, body, member, layer, method
):
    token, _ = Token.objects.get_or_create(user=User.objects.get(username="city"))
    url = f"/api/{layer}/"
    if method != "post":
        first = client.get(url).json()["features"][0]["id"]
        url = f"{url}{first}/"
    response = getattr(client, method)(
        url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 400
    assert member in response.json()
