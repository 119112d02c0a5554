import io
from io import StringIO

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qr import selectors, services
from qr.models import ElectronicId, PlaqueJob
from registry.models import AdminUnit, Asset

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_pages(data: bytes) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(data)


def decoded_urls(page: pdfium.PdfPage) -> list[str]:
    image = page.render(scale=1.5).to_pil()
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


@pytest.mark.parametrize(("layout", "per_page"), [(1, 1), (4, 4), (12, 12)])
def test_plaques_command_writes_sheets_that_scan_and_carry_chinese_text(tmp_path, layout, per_page):
    out = tmp_path / "sheets.pdf"
    call_command(
        "plaques", village="330381102201", layout=layout, output=str(out), stdout=StringIO()
    )
    pdf = pdf_pages(out.read_bytes())
    eids = list(selectors.codes_in(AdminUnit.objects.get(code="330381102201")).order_by("code"))
    assert len(pdf) == -(-len(eids) // per_page)
    first_page = eids[:per_page]
    assert decoded_urls(pdf[0]) == sorted(
        f"{settings.PUBLIC_BASE_URL}/e/{e.code}" for e in first_page
    )
    text = pdf[0].get_textpage().get_text_range()
    assert "扫码查看电子身份证" in text
    assert "东岙村" in text
    for eid in first_page:
        assert eid.code in text
        assert eid.subject.name[:4] in text


def test_plaques_command_filters_by_kind(tmp_path):
    out = tmp_path / "projects.pdf"
    call_command(
        "plaques",
        village="330381102",
        kind=["project"],
        layout=12,
        output=str(out),
        stdout=StringIO(),
    )
    text = pdf_pages(out.read_bytes())[0].get_textpage().get_text_range()
    assert "P-102" in text and "B-102" not in text


def test_plaques_command_explains_bad_input(tmp_path):
    with pytest.raises(CommandError, match="division code"):
        call_command("plaques", village="123", output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="--village"):
        call_command("plaques")


def test_admin_prints_the_selected_assets(admin_client):
    assets = Asset.objects.filter(village__name="许岙村")[:5]
    response = admin_client.post(
        reverse("admin:registry_asset_changelist"),
        {"action": "print_plaques_4", "_selected_action": [a.pk for a in assets]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pdf_pages(b"".join(response.streaming_content))
    assert len(pdf) == 2
    assert len(decoded_urls(pdf[0])) == 4


def test_admin_issues_codes_for_selected_units(admin_client):
    village = AdminUnit.objects.get(name="南堡村")
    other = AdminUnit.objects.get(name="许岙村")
    codes = ElectronicId.objects.filter(unit__in=[village, other])
    without = set(codes.values_list("unit", "subject_type", "subject_id"))
    assert len([u for u, *_ in without if u == village.pk]) > 1
    codes.delete()
    response = admin_client.post(
        reverse("admin:registry_adminunit_changelist"),
        {"action": "issue_for_units", "_selected_action": [village.pk]},
        follow=True,
    )
    assert response.status_code == 200
    issued = ElectronicId.objects.filter(unit__in=[village, other])
    assert sorted(issued.values_list("unit", "subject_type", "subject_id")) == sorted(
        key for key in without if key[0] == village.pk
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert str(issued.count()) in message


def test_a_large_sheet_is_built_by_a_background_job_with_progress(admin_client, admin_user):
    codes = list(ElectronicId.objects.values_list("code", flat=True)[:30])
    job = PlaqueJob.objects.create(requested_by=admin_user, codes=codes, layout=12, total=30)
    page = admin_client.get(reverse("qr:plaque-job", args=[job.pk]))
    assert 'hx-trigger="every 1s"' in page.content.decode()
    call_command("plaques", job=str(job.pk), stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 30)
    fragment = admin_client.get(
        reverse("qr:plaque-job", args=[job.pk]), headers={"hx-request": "true"}
    )
    assert "<html" not in fragment.content.decode()
    download = admin_client.get(reverse("qr:plaque-job-download", args=[job.pk]))
    assert len(pdf_pages(b"".join(download.streaming_content))) == 3


def test_run_plaque_job_counts_progress(admin_user):
    codes = list(ElectronicId.objects.values_list("code", flat=True)[:60])
    job = PlaqueJob.objects.create(requested_by=admin_user, codes=codes, layout=12, total=60)
    services.run_plaque_job(job)
    assert PlaqueJob.objects.get(pk=job.pk).percent == 100
    assert io.BytesIO(job.file.read()).getvalue().startswith(b"%PDF")
