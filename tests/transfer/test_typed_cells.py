"""Cells as clerks type them (issue 13, parts 2 and 4): coordinates in degrees, minutes and
seconds, full-width digits, amounts with separators and 元; unreadable coordinates are
refused saying what was seen and what is expected."""

import pytest

from gis.dms import parse_degrees
from registry.models import Asset
from tests.transfer.test_import_export import LAT, LON, check, rejected
from transfer import services as transfer_services

pytestmark = pytest.mark.django_db


def _dms(value: float) -> str:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes}′{seconds:.2f}″"


def test_coordinates_in_degrees_minutes_and_seconds_are_read(tmp_path):
    path = tmp_path / "dms.csv"
    path.write_text(
        f"名称,类别,经度,纬度\n度分秒设施,设施,{_dms(LON)}E,北纬{_dms(LAT)}\n", encoding="utf-8"
    )
    report = check(path, apply=True)
    assert report["applied"], report
    where = Asset.objects.get(name="度分秒设施").geometry
    assert where.x == pytest.approx(LON, abs=1e-6)
    assert where.y == pytest.approx(LAT, abs=1e-6)


def test_coordinates_typed_in_full_width_are_read(tmp_path):
    path = tmp_path / "wide.csv"
    wide = str.maketrans("0123456789.", "０１２３４５６７８９．")
    path.write_text(
        f"名称,类别,经度,纬度\n全角设施,设施,{str(LON).translate(wide)},{str(LAT).translate(wide)}\n",
        encoding="utf-8",
    )
    assert check(path, apply=True)["applied"]


def test_unreadable_coordinates_say_what_was_seen_and_what_is_expected(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        f"名称,类别,经度,纬度\n好,设施,{LON},{LAT}\n坏,设施,东边,{LAT}\n", encoding="utf-8"
    )
    reasons = rejected(check(path))
    [reason] = reasons.values()
    assert "“东边, " in reason and "120°38′28″" in reason


@pytest.mark.parametrize(
    ("typed", "value"),
    [("１，２００元", "1200.00"), ("1,200", "1200.00"), ("￥3 400.5", "3400.50")],
)
def test_amounts_as_typed_are_read(typed, value):
    assert str(transfer_services._decimal(typed)) == value


@pytest.mark.parametrize("typed", ["２０２６－０１－０２", "2026年1月2日", "２０２６．０１．０２"])
def test_dates_as_typed_are_read(typed):
    assert str(transfer_services._date(typed)) == "2026-01-02"


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "120°60′", ""])
def test_what_is_no_coordinate_is_none(text):
    assert parse_degrees(text) is None
