"""The field app's offline support: service worker, offline page, outbox badge and self-test."""

import hashlib
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from fieldapp import offline
from tests.fieldapp import photos

pytestmark = pytest.mark.django_db


def test_service_worker_is_served_from_field_with_its_scope_and_no_cache(client):
    response = client.get("/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/field/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert body.startswith("var CONFIG = ")
    assert '"/field/offline/"' in body
    assert "fieldapp/outbox.js" in body
    assert 'request.method !== "GET"' in body  # submissions are never cached
    assert '"logout": [' in body  # logging out forgets the cached pages


def test_service_worker_version_changes_with_the_shell(settings):
    """New static URLs (a deploy) make a new worker, whose activate step drops the old cache."""
    first = offline._build_worker().split("\n", 1)[0]
    settings.STATIC_URL = "/assets/"
    second = offline._build_worker().split("\n", 1)[0]
    assert first != second
    assert '"/assets/fieldapp/outbox.js"' in second


def test_offline_page_renders_without_login_or_personal_content(client, demo_user):
    client.force_login(demo_user("inspector"))
    response = client.get("/field/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="outbox-status"' in html
    assert "fieldapp/outbox.js" in html
    assert "csrfmiddlewaretoken" not in html  # cached once for the phone: no session in it
    assert "inspector" not in html
    assert "data-user=" not in html  # a page for everybody: queued entries of any user are sent
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_outbox_status_partial_renders_the_badge_and_loads_the_script(demo_user):
    request = RequestFactory().get("/field/")
    request.user = demo_user("inspector")
    html = render_to_string("fieldapp/partials/outbox_status.html", request=request)
    assert f'data-user="{request.user.pk}"' in html
    assert 'id="outbox-status"' in html
    assert 'data-sw="/field/sw.js"' in html
    assert "data-text-waiting=" in html and "{n}" in html
    assert 'class="outbox-retry"' in html
    assert "fieldapp/outbox.js" in html and "defer" in html
    assert 'data-login-url="/field/login/"' in html


def test_probe_needs_a_login(client):
    response = client.post("/field/outbox-probe/", {"client_uuid": str(uuid.uuid4())})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_probe_answers_like_a_field_form_and_stores_nothing(client, demo_user):
    client.force_login(demo_user("inspector"))
    key = str(uuid.uuid4())
    data = photos.jpeg()
    headers = {"Accept": "application/json"}

    def post():
        upload = SimpleUploadedFile("site.jpg", data, content_type="image/jpeg")
        return client.post(
            "/field/outbox-probe/", {"client_uuid": key, "photo": upload}, headers=headers
        )

    first = post()
    assert first.status_code == 201
    assert first.json()["status"] == "stored"
    assert first.json()["photos"][0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert first.json()["next"] == reverse("fieldapp-offline:probe")
    replay = post()
    assert replay.status_code == 200
    assert replay.json()["status"] == "replayed"
    assert replay.json()["photos"] == first.json()["photos"]
    page = client.get("/field/outbox-probe/")
    assert key in page.content.decode()
    assert 'name="client_uuid"' in page.content.decode()


def test_probe_refuses_a_form_without_a_submission_id(client, demo_user):
    client.force_login(demo_user("inspector"))
    response = client.post(
        "/field/outbox-probe/", {"client_uuid": "nope"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"]
