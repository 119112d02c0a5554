"""The admin's map widget shows what surrounds a record, from our own data: the village's
boundary and its other assets, or a township's villages."""

import json
import re

import pytest
from django.urls import reverse

from projects.models import Project
from registry.models import AdminUnit, Asset
from visits.models import Site

pytestmark = pytest.mark.django_db

VILLAGE = "330381102201"  # 东岙村


def widget_options(html: str, field: str) -> dict:
    found = re.search(
        rf'<script id="id_{field}_options" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def surroundings(client, model: str, **params) -> dict:
    response = client.get(reverse(f"admin:{model}_map_surroundings"), params)
    assert response.status_code == 200
    return response.json()


def test_an_asset_form_tells_its_map_where_to_find_the_village_around_it(admin_client):
    asset = Asset.objects.filter(village__code=VILLAGE, kind="parcel").first()
    html = admin_client.get(reverse("admin:registry_asset_change", args=[asset.pk])).content
    options = widget_options(html.decode(), "geometry")["surroundings"]
    assert options["url"] == reverse("admin:registry_asset_map_surroundings")
    assert options["unit_input"] == "id_village"
    assert (options["unit"], options["exclude"]) == (asset.village_id, asset.pk)
    assert set(options["colours"]) == {"unit", "others"}
    assert "/static/css/map_widget.css" in html.decode()


def test_a_new_record_has_no_village_yet_and_follows_the_one_chosen(admin_client):
    html = admin_client.get(reverse("admin:registry_asset_add")).content.decode()
    options = widget_options(html, "geometry")["surroundings"]
    assert (options["unit"], options["exclude"]) == (None, None)
    assert options["unit_input"] == "id_village"


def test_the_village_boundary_and_its_other_assets_come_back_named(admin_client):
    asset = Asset.objects.filter(village__code=VILLAGE).order_by("pk").first()
    data = surroundings(admin_client, "registry_asset", unit=asset.village_id, exclude=asset.pk)
    (boundary,) = data["unit"]["features"]
    assert boundary["properties"] == {"name": "东岙村"}
    assert boundary["geometry"]["type"] == "MultiPolygon"
    assert data["others_are"] == "assets"
    names = {feature["properties"]["name"] for feature in data["others"]["features"]}
    others = Asset.objects.filter(village=asset.village).exclude(pk=asset.pk)
    assert names == set(others.values_list("name", flat=True))
    assert asset.name not in names
    # Names and shapes only: what the public map shows.
    assert all(set(f["properties"]) == {"name"} for f in data["others"]["features"])


def test_a_project_sees_every_asset_of_its_village(admin_client):
    project = Project.objects.filter(village__code=VILLAGE).first()
    data = surroundings(
        admin_client, "projects_project", unit=project.village_id, exclude=project.pk
    )
    assert len(data["others"]["features"]) == Asset.objects.filter(village__code=VILLAGE).count()


def test_around_a_township_are_its_villages_outlines(admin_client):
    site = Site.objects.filter(unit__level="township").first()
    data = surroundings(admin_client, "visits_site", unit=site.unit_id, exclude=site.pk)
    assert data["others_are"] == "units"
    names = {feature["properties"]["name"] for feature in data["others"]["features"]}
    assert names == set(
        AdminUnit.objects.filter(parent=site.unit, boundary__isnull=False).values_list(
            "name", flat=True
        )
    )


def test_a_village_being_edited_is_not_among_its_neighbours(admin_client):
    village = AdminUnit.objects.get(code=VILLAGE)
    data = surroundings(
        admin_client, "registry_adminunit", unit=village.parent_id, exclude=village.pk
    )
    names = {feature["properties"]["name"] for feature in data["others"]["features"]}
    assert village.name not in names
    assert names


@pytest.mark.parametrize("unit", ["", "abc", "-1", "99999999999999999999", "0"])
def test_no_unit_or_an_unknown_one_is_an_empty_map_not_an_error(admin_client, unit):
    data = surroundings(admin_client, "registry_asset", unit=unit, exclude="x")
    assert data["unit"]["features"] == data["others"]["features"] == []


def test_the_surroundings_are_for_signed_in_staff_only(client, django_user_model):
    url = reverse("admin:registry_asset_map_surroundings")
    assert client.get(url, {"unit": 1}).status_code == 302  # to the admin's login
    client.force_login(django_user_model.objects.create_user("villager"))
    assert client.get(url, {"unit": 1}).status_code == 302
