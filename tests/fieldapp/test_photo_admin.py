"""Staff open a field photo in the admin: its details, never a link to the private original
(which keeps the phone's EXIF and has no public URL)."""

import uuid

import pytest
from django.urls import reverse

from fieldapp import services
from tests.fieldapp import photos

pytestmark = pytest.mark.django_db


def test_a_photos_admin_page_opens_and_names_the_original_without_linking_it(
    client, demo_user, project
):
    photo, _ = services.add_photo(
        project,
        actor=demo_user("inspector"),
        data=photos.jpeg(lon=120.5, lat=27.9),
        client_uuid=uuid.uuid4(),
    )
    client.force_login(demo_user("city"))
    response = client.get(reverse("admin:fieldapp_photo_change", args=[photo.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert photo.sha256[:16] in html
    assert photo.original.name not in html
