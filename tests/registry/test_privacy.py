"""Personal data kept from the public (registry/privacy.py): ID-card and mobile numbers are
masked wherever procedure text is shown publicly or written to the public log."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from projects import procedure
from projects.models import Stage
from registry.privacy import ID_MASK, MOBILE_MASK, has_personal_data, public_name, scrub
from tests.projects.walk import DAYS, VOTES, deliberate, new_project, pdf, walk_to
from trail.models import Event

ID_18 = "33038119900101123X"
ID_18_DIGIT = "330381198512310017"
ID_15 = "330381850101123"
MOBILE = "13812345678"
SUMMARY = f"会议由村民王某（身份证 {ID_18}，电话 {MOBILE}）提议，金额128600元。"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# ---------------------------------------------------------------------------------------------
# scrub()
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ID_18, ID_MASK),
        (ID_18_DIGIT, ID_MASK),
        (ID_18.lower(), ID_MASK),  # a lower-case x
        ("身份证号330381200002291234号", f"身份证号{ID_MASK}号"),
        (f"ID: {ID_18}.", f"ID: {ID_MASK}."),
        (ID_15, ID_MASK),
        (f"旧证{ID_15}。", f"旧证{ID_MASK}。"),
    ],
    ids=["18", "18-digits", "18-lower-x", "18-in-chinese", "18-in-english", "15", "15-in-chinese"],
)
def test_id_card_numbers_are_masked(text, expected):
    assert scrub(text) == expected
    assert has_personal_data(text)


@pytest.mark.parametrize(
    "number",
    [
        "13812345678",
        "19912345678",
        "+8613812345678",
        "+86 13812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "86 138 1234 5678",
        "8613812345678",
        "138 1234 5678",
        "138-1234-5678",
    ],
)
def test_mobile_numbers_are_masked_with_or_without_the_country_code(number):
    assert scrub(f"联系电话：{number}。") == f"联系电话：{MOBILE_MASK}。"
    assert scrub(f"call {number} today") == f"call {MOBILE_MASK} today"
    assert has_personal_data(number)


@pytest.mark.parametrize(
    "text",
    [
        "合同金额128600元",
        "128600",
        "196800.00",
        "20260301",
        "2026-03-01",
        "0577-65881234",
        "057765881234",
        "(0577) 6588 1234",
        "12345678901",  # eleven digits, but no mobile starts with 12
        "10086",
        "第330381102201号",  # the admin unit code of 东岙村, twelve digits
        "1234567890123456",  # sixteen digits: neither an ID nor a mobile
        "330381199013011234",  # no 13th month: not an ID number
        "138123456789",  # twelve digits: not a mobile
        "",
    ],
)
def test_ordinary_numbers_are_kept(text):
    assert scrub(text) == text
    assert not has_personal_data(text)


def test_every_number_in_a_long_text_is_masked_and_the_rest_kept():
    text = (
        f"承包人张三，身份证{ID_18}，手机+86 139-1234-5678；监理李四 {ID_15}，"
        "座机0577-65881234，合同金额128600元，2026年3月1日签订。"
    )
    assert scrub(text) == (
        f"承包人张三，身份证{ID_MASK}，手机{MOBILE_MASK}；监理李四 {ID_MASK}，"
        "座机0577-65881234，合同金额128600元，2026年3月1日签订。"
    )


def test_scrub_is_idempotent():
    once = scrub(SUMMARY)
    assert scrub(once) == once


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [("张三", "person", "张*"), ("欧阳小明", "person", "欧***"), ("张", "person", "张*")],
)
def test_individuals_are_named_by_family_name_only(name, kind, expected):
    assert public_name(name, kind) == expected


def test_organisations_are_named_in_full():
    assert public_name("瑞安市测试建设有限公司", "organisation") == "瑞安市测试建设有限公司"


# ---------------------------------------------------------------------------------------------
# The procedure's public record
# ---------------------------------------------------------------------------------------------


def project_with_summary():
    project = new_project()
    deliberate(project, steps=1)
    record = procedure.record_deliberation(
        project,
        actor=None,
        step="proposal",
        held_on=DAYS["proposed"] + dt.timedelta(days=2),
        summary=SUMMARY,
        **VOTES["proposal"],
    )
    return project, record


def download(client) -> str:
    response = client.get("/log/events.jsonl")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def assert_masked(text: str) -> None:
    assert ID_18 not in text and MOBILE not in text
    assert ID_MASK in text and MOBILE_MASK in text


@pytest.mark.django_db
def test_staff_keep_the_summary_as_entered_and_the_public_sees_it_masked():
    _project, record = project_with_summary()
    record.refresh_from_db()
    assert record.summary == SUMMARY
    assert_masked(record.public_summary)
    assert "128600" in record.public_summary


@pytest.mark.django_db
def test_the_public_log_carries_only_the_masked_summary(client):
    project, _record = project_with_summary()
    event = Event.objects.latest("seq")
    assert event.subject_id == project.pk and event.action == Event.Action.DELIBERATE
    assert "summary" not in event.changes
    assert_masked(event.changes["public_summary"])
    assert_masked(download(client))


@pytest.mark.django_db
def test_the_public_project_page_shows_the_summary_masked(client):
    project, _record = project_with_summary()
    response = client.get(f"/projects/{project.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert_masked(page)
    assert "128600" in page  # the rest of the summary is shown
    # In the procedure timeline itself, not only in the change history below it.
    timeline = page[page.index('id="stage-proposal"') : page.index('id="stage-budget"')]
    assert_masked(timeline)


@pytest.mark.django_db
def test_a_document_title_is_masked_on_the_log_and_the_page(client):
    project = new_project()
    procedure.attach_document(
        project,
        actor=None,
        kind="minutes",
        title=f"王某身份证复印件 {ID_18} {MOBILE}",
        issued_on=DAYS["proposed"],
        upload=pdf(),
    )
    assert_masked(Event.objects.latest("seq").changes["title"])
    assert_masked(download(client))
    assert_masked(client.get(f"/projects/{project.pk}/").content.decode())


@pytest.mark.django_db
def test_a_reason_for_exceeding_the_guidance_price_is_masked_on_the_log_and_the_page(client):
    """The reason is a public field written by save_record: every public text on the log goes
    through scrub, like the deliberation summary and the document title."""
    project = walk_to(new_project(), Stage.CONTRACTING)
    procedure.record_contract(
        project,
        actor=None,
        contracting_method="comparison",
        contractor="瑞安市测试建设有限公司",
        contract_amount=Decimal("160000"),
        contract_signed_on=DAYS["signed"],
        over_guidance_reason=f"钢材涨价，经与施工方负责人 {MOBILE} 协商，身份证 {ID_18}",
    )
    event = Event.objects.latest("seq")
    assert_masked(event.changes["over_guidance_reason"]["to"])
    assert "钢材涨价" in event.changes["over_guidance_reason"]["to"]
    assert_masked(download(client))
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert_masked(page)
    contracting = page[page.index('id="stage-contracting"') : page.index('id="stage-construction"')]
    assert_masked(contracting)
