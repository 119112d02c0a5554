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


def test_an_import_jobs_admin_page_does_not_link_the_uploaded_file(client, tmp_path, settings):
    """Uploads are kept off MEDIA_URL (restricted columns such as book values)."""
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile

    from registry.models import AdminUnit
    from transfer import services as transfer_services

    settings.IMPORT_ROOT = tmp_path / "imports"
    root = User.objects.create_superuser("root-imports", "root@example.cn", "x")
    job = transfer_services.create_import_job(
        SimpleUploadedFile("book-values.csv", "名称,账面价值\n仓库,120000\n".encode()),
        village=AdminUnit.objects.get(code="330381102201"),
        actor=root,
    )
    client.force_login(root)
    response = client.get(reverse("admin:transfer_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "book-values.csv" in html
    assert f"/media/{job.file.name}" not in html and 'href="/media/' not in html
