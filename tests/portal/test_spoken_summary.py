"""The plaque page's "read it to me" summary: what it is, who holds it, money, stage, change."""

import html
import re

from django.utils import timezone, translation

from leasing.models import Lease
from projects.models import Project
from qr.models import ElectronicId

SPOKEN = re.compile(r'data-read-aloud data-text="([^"]*)"')


def spoken(client, record) -> str:
    eid = ElectronicId.objects.get(
        subject_type__model=record._meta.model_name, subject_id=record.pk
    )
    page = client.get(f"/e/{eid.code}").content.decode()
    return html.unescape(SPOKEN.search(page).group(1))


def test_a_projects_summary_says_its_stage_and_money(client, db):
    project = Project.objects.filter(contract_amount__isnull=False).first()
    text = spoken(client, project)
    with translation.override("zh-hans"):
        stage = project.get_stage_display()
    assert project.name in text and stage in text
    assert f"{project.progress_percent}%" in text
    assert f"{int(project.contract_amount):,}" in text
    assert str(project.updated.year) in text


def test_an_assets_summary_names_the_tenant_as_the_public_sees_them(client, db):
    today = timezone.localdate()
    lease = (
        Lease.objects.filter(tenant_kind="person", start_on__lte=today, end_on__gt=today)
        .select_related("asset")
        .first()
    )
    text = spoken(client, lease.asset)
    assert lease.asset.name in text
    assert lease.tenant_public_name in text
    assert lease.tenant_name not in text  # an individual is 张**, never in full


def test_the_top_of_a_plaque_page_says_what_it_is_and_when_it_changed(client, db):
    project = Project.objects.first()
    eid = ElectronicId.objects.get(subject_type__model="project", subject_id=project.pk)
    page = client.get(f"/e/{eid.code}").content.decode()
    top = page[page.index('class="eid"') : page.index("data-read-aloud")]
    assert "一物一码" in top
    assert project.updated.strftime("%Y-%m-%d") in top


def test_chinese_sentences_follow_each_other_without_a_space(client, db):
    text = spoken(client, Project.objects.first())
    assert "。" in text
    assert "。 " not in text
    assert "村级小额工程" in text


def test_a_sites_plaque_says_it_names_a_site_not_a_village_asset(client, db):
    from visits.models import Site

    site = Site.objects.first()
    eid = ElectronicId.objects.get(subject_type__model="site", subject_id=site.pk)
    page = client.get(f"/e/{eid.code}").content.decode()
    what = page.split('class="eid-what">')[1].split("<span")[0]
    assert "资产或工程" not in what
    assert "教育" in what or "文化" in what
