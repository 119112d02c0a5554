"""Wrong passwords are limited per account and per address on every way in, with a cool-off."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGINS = {
    "accounts": "/accounts/login/",
    "field": "/field/login/",
    "admin": "/admin/login/",
    "token": "/api/token/",
}


def attempt(path: str, username: str, password: str, address: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(path, {"username": username, "password": password})
    return client, response


def logged_in(path: str, client: Client, response) -> bool:
    if path == LOGINS["token"]:
        return response.status_code == 200 and "token" in response.json()
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("route", LOGINS)
def test_after_five_wrong_passwords_even_the_right_one_is_refused(route):
    path = LOGINS[route]
    for _ in range(4):
        client, response = attempt(path, "bookkeeper", "wrong")
        assert not logged_in(path, client, response)
        assert response.status_code in (200, 400)
    client, response = attempt(path, "bookkeeper", "wrong")
    assert response.status_code == 429
    client, response = attempt(path, "bookkeeper", DEMO_PASSWORD)
    assert response.status_code == 429
    assert not logged_in(path, client, response)
    assert int(response["Retry-After"]) == 15 * 60
    text = response.content.decode()
    assert "密码错误次数过多" in text
    assert "15" in text
    if route == "field":
        assert 'href="/field/login/"' in text  # back to the field app's own log-in


def test_token_lockout_answers_json_with_the_reason():
    for _ in range(5):
        attempt(LOGINS["token"], "bookkeeper", "wrong")
    _, response = attempt(LOGINS["token"], "bookkeeper", DEMO_PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "密码错误次数过多" in body["detail"]
    assert body["retry_after_minutes"] == 15


def test_english_lockout_message():
    for _ in range(5):
        attempt(LOGINS["accounts"], "bookkeeper", "wrong")
    client = Client(REMOTE_ADDR="10.0.0.1", headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    response = client.post(
        LOGINS["accounts"], {"username": "bookkeeper", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()


def test_account_works_again_after_the_cool_off():
    for _ in range(5):
        attempt(LOGINS["accounts"], "bookkeeper", "wrong")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=16))
    client, response = attempt(LOGINS["accounts"], "bookkeeper", DEMO_PASSWORD)
    assert response.status_code == 302
    assert logged_in(LOGINS["accounts"], client, response)


def test_a_right_password_before_the_limit_resets_the_count():
    for _ in range(4):
        attempt(LOGINS["accounts"], "bookkeeper", "wrong")
    client, response = attempt(LOGINS["accounts"], "bookkeeper", DEMO_PASSWORD)
    assert logged_in(LOGINS["accounts"], client, response)
    for _ in range(4):
        attempt(LOGINS["accounts"], "bookkeeper", "wrong")
    client, response = attempt(LOGINS["accounts"], "bookkeeper", DEMO_PASSWORD)
    assert logged_in(LOGINS["accounts"], client, response)


def test_other_accounts_and_addresses_are_not_held_by_one_account_lockout():
    for _ in range(5):
        attempt(LOGINS["accounts"], "bookkeeper", "wrong")
    client, response = attempt(LOGINS["accounts"], "township", DEMO_PASSWORD)
    assert logged_in(LOGINS["accounts"], client, response)


@pytest.mark.parametrize("colleague_route", ["accounts", "field", "admin"])
def test_a_colleagues_log_in_from_the_same_address_does_not_lift_a_pause(colleague_route):
    """Found by a tester: any successful log-in cleared every counter of its address."""
    for _ in range(5):
        attempt(LOGINS["token"], "bookkeeper", "wrong")
    client, response = attempt(LOGINS[colleague_route], "city", DEMO_PASSWORD)
    assert logged_in(LOGINS[colleague_route], client, response)
    for route in ("token", "accounts"):
        client, response = attempt(LOGINS[route], "bookkeeper", DEMO_PASSWORD)
        assert response.status_code == 429


def test_the_address_count_survives_a_colleagues_log_in(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6
    for n in range(3):
        attempt(LOGINS["accounts"], f"guess{n}", "wrong")
    attempt(LOGINS["accounts"], "city", DEMO_PASSWORD)
    for n in range(3, 6):
        attempt(LOGINS["accounts"], f"guess{n}", "wrong")
    _, response = attempt(LOGINS["accounts"], "township", DEMO_PASSWORD)
    assert response.status_code == 429


def test_username_and_phone_count_as_one_account():
    profile = User.objects.get(username="inspector").profile
    profile.phone = "138 1234 5678"
    profile.save(update_fields=["phone"])
    phone = "+86 13812345678"
    client, response = attempt(LOGINS["field"], phone, DEMO_PASSWORD)
    assert logged_in(LOGINS["field"], client, response)
    for _ in range(3):
        attempt(LOGINS["field"], "inspector", "wrong")
    for _ in range(2):
        attempt(LOGINS["field"], phone, "wrong")
    client, response = attempt(LOGINS["field"], phone, DEMO_PASSWORD)
    assert response.status_code == 429
    client, response = attempt(LOGINS["field"], "inspector", DEMO_PASSWORD)
    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_held(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 8
    for n in range(8):
        attempt(LOGINS["accounts"], f"guess{n}", "wrong", address="10.9.9.9")
    client, response = attempt(LOGINS["accounts"], "township", DEMO_PASSWORD, "10.9.9.9")
    assert response.status_code == 429
    client, response = attempt(LOGINS["accounts"], "township", DEMO_PASSWORD, "10.9.9.10")
    assert logged_in(LOGINS["accounts"], client, response)


def test_behind_our_proxy_the_forwarded_address_counts(settings):
    settings.PROXY_COUNT = 1
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        Client(REMOTE_ADDR="127.0.0.1", headers={"x-forwarded-for": "forged, 10.1.1.1"}).post(
            LOGINS["accounts"], {"username": f"guess{n}", "password": "wrong"}
        )
    held = Client(REMOTE_ADDR="127.0.0.1", headers={"x-forwarded-for": "10.1.1.1"})
    response = held.post(LOGINS["accounts"], {"username": "township", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="127.0.0.1", headers={"x-forwarded-for": "10.1.1.2"})
    response = other.post(LOGINS["accounts"], {"username": "township", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_admin_lists_locked_accounts_for_superusers():
    for _ in range(5):
        attempt(LOGINS["accounts"], "bookkeeper", "wrong")
    admin = User.objects.create_superuser("root-admin", password="x-long-password-1")
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert "bookkeeper" in response.content.decode()
    record = AccessAttempt.objects.get(username="bookkeeper")
    assert record.failures_since_start == 5
    assert "password" not in record.post_data or "wrong" not in record.post_data
