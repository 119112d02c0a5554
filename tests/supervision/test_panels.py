"""Supervision's panels: who supervises here on a plaque's page, on village and township pages."""

import pytest
from django.contrib.contenttypes.models import ContentType

from projects.models import Project
from qr.models import ElectronicId
from registry.models import AdminUnit
from supervision.models import Case, Station
from tests.supervision.conftest import DONGAO

pytestmark = pytest.mark.django_db


def test_a_plaque_page_says_who_supervises_here_and_counts_open_reports(client, report):
    village = AdminUnit.objects.get(code=DONGAO)
    project = Project.objects.filter(village=village).order_by("pk").first()
    eid = ElectronicId.objects.get(
        subject_type=ContentType.objects.get_for_model(Project), subject_id=project.pk
    )
    station = Station.objects.get(village=village)
    html = client.get(f"/e/{eid.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert station.name in html
    assert f'href="tel:{station.office_phone}"' in html
    assert station.office_hours in html
    assert f"/supervision/stations/{DONGAO}/" in html
    assert f'href="/e/{eid.code}/report/"' in html

    open_before = (
        Case.objects.filter(subject_code=eid.code)
        .exclude(state__in=["closed", "declined", "merged"])
        .count()
    )
    report(subject=project, subject_code=eid.code, village=None)
    report(subject=project, subject_code=eid.code, village=None)
    html = client.get(f"/e/{eid.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{open_before + 2} reports about this record are being dealt with." in html


def test_a_village_page_shows_its_station_counts_and_a_report_link(client):
    station = Station.objects.select_related("village").get(village__code=DONGAO)
    html = client.get(f"/units/{DONGAO}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert station.name in html
    assert f'href="tel:{station.office_phone}"' in html
    assert f"/supervision/report/?village={DONGAO}" in html
    assert "Clues collected" in html


def test_a_township_page_shows_its_counts_without_a_station(client):
    village = AdminUnit.objects.get(code=DONGAO)
    township = village.parent
    clues = Case.objects.filter(village__parent=township).exclude(state="merged").count()
    html = client.get(f"/units/{township.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Clues collected" in html
    assert f"<dd>{clues}</dd>" in html
    assert f"/supervision/cases/?township={township.code}" in html
    assert "Who supervises here" not in html
