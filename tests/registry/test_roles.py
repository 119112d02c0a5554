import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from registry.models import AdminUnit
from registry.scoping import Role, unit_ids_in_scope
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("username", "group"),
    [
        ("city", Role.CITY),
        ("township", Role.TOWNSHIP),
        ("supervisor", Role.SUPERVISOR),
        ("inspector", Role.INSPECTOR),
        ("bookkeeper", Role.BOOKKEEPER),
    ],
)
def test_each_demo_role_logs_in_and_reaches_the_staff_pages(client, username, group):
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.session["_auth_user_id"]
    assert User.objects.get(username=username).groups.filter(name=group).exists()


def test_a_wrong_password_is_refused_with_a_message(client):
    response = client.post(reverse("login"), {"username": "city", "password": "nope"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_scope_covers_the_units_below_a_users_units(demo_user):
    caocun = AdminUnit.objects.get(name="曹村镇")
    ids = unit_ids_in_scope(demo_user("township"))
    assert caocun.pk in ids
    assert set(caocun.children.values_list("pk", flat=True)) <= ids
    assert AdminUnit.objects.get(name="白岩桥村").pk not in ids
    assert unit_ids_in_scope(demo_user("city")) is None


def test_bookkeepers_record_leases_but_cannot_change_assets(client, demo_user):
    client.force_login(demo_user("bookkeeper"))
    assert client.get(reverse("admin:registry_lease_add")).status_code == 200
    assert client.get(reverse("admin:registry_asset_add")).status_code == 403


def test_logout_is_a_post_and_returns_home(client, demo_user):
    client.force_login(demo_user("city"))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
