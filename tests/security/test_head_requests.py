"""Read-only pages answer HEAD as they answer GET (link checkers and uptime monitors use it)."""

import pytest
from django.urls import reverse

from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/", "/units/330381102/", "/visit/", "/auctions/", "/data/", "/log/", "/e/", "/maps/"],
)
def test_public_pages_answer_head(client, path):
    get, head = client.get(path), client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head.content == b""


def test_a_project_page_and_the_field_app_answer_head(client, demo_user):
    project = Project.objects.first()
    assert client.head(f"/projects/{project.pk}/").status_code == 200
    client.force_login(demo_user("inspector"))
    assert client.head(reverse("fieldapp:my-work")).status_code == 200


def test_a_form_page_does_not_take_head_for_a_post(client, demo_user):
    """A view that writes on anything but GET must not treat HEAD (CSRF-exempt) as a POST."""
    client.force_login(demo_user("inspector"))
    project = Project.objects.filter(village__name="东岙村").first()
    response = client.head(reverse("fieldapp:progress", args=[project.pk]))
    assert response.status_code == 405


def test_the_favicon_is_ours_and_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()
