"""Cells as clerks type them (issue 13, parts 2 and 4): coordinates in degrees, minutes and
seconds, full-width digits, amounts with separators and 元; unreadable coordinates are
refused saying what was seen and what is expected."""

import io

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


def _workbook(tmp_path, rows: list[list], merges: tuple[str, ...] = ()):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    path = tmp_path / "village.xlsx"
    book.save(path)
    return path


def test_a_header_over_two_rows_with_merged_cells_is_read(tmp_path):
    """Row 1: 编号 | 名称 | 类别 | 坐标 (merged over two columns); row 2: 经度 | 纬度."""
    path = _workbook(
        tmp_path,
        [
            ["编号", "名称", "类别", "坐标", None],
            [None, None, None, "经度", "纬度"],
            ["A-1", "两行表头设施", "设施", LON, LAT],
        ],
        merges=("D1:E1", "A1:A2", "B1:B2", "C1:C2"),
    )
    report = check(path, apply=True)
    assert report["applied"], report
    assert Asset.objects.filter(name="两行表头设施", external_id="A-1").exists()


def test_title_rows_blank_rows_and_a_total_row_are_what_village_sheets_look_like(tmp_path):
    path = _workbook(
        tmp_path,
        [
            ["东岙村集体资产清单"],
            [None],
            ["名称", "类别", "经度", "纬度", "账面价值"],
            ["标题下的设施", "设施", LON, LAT, 1200],
            [None, None, None, None, None],
            ["合计", None, None, None, 1200],
        ],
        merges=("A1:E1",),
    )
    report = check(path, apply=True)
    assert report["applied"], report
    assert report["rejected"] == []
    assert Asset.objects.filter(name="标题下的设施").exists()
    assert not Asset.objects.filter(name="合计").exists()


def test_a_use_column_in_a_parcel_file_is_land_use(tmp_path):
    """用途 in a file of parcels is 耕地 or 林地, not a building's use (issue 13, part 4)."""
    path = tmp_path / "parcels.csv"
    square = f"POLYGON(({LON} {LAT},{LON + 0.0005} {LAT},{LON} {LAT + 0.0005},{LON} {LAT}))"
    rows = [
        "名称,类别,用途,WKT",
        f'用途地块,地块,林地,"{square}"',
        f"用途店面,房产,店面,POINT({LON} {LAT})",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = check(path, apply=True)
    assert report["applied"], report
    assert Asset.objects.get(name="用途地块").land_use == Asset.LandUse.FOREST
    assert Asset.objects.get(name="用途店面").building_use == Asset.BuildingUse.SHOP


def test_kml_and_kmz_from_ovital_map_or_google_earth_are_read_and_written(tmp_path, client):
    """Parcels marked in 奥维互动地图 or Google Earth come as KML/KMZ (issue 13, part 4)."""
    import zipfile

    from django.urls import reverse

    kml = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>奥维标注的地块</name>
<description>后山</description>
<ExtendedData><Data name="landuse"><value>林地</value></Data></ExtendedData>
<Polygon><outerBoundaryIs><LinearRing><coordinates>
{LON},{LAT},0 {LON + 0.0005},{LAT},0 {LON},{LAT + 0.0005},0 {LON},{LAT},0
</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"""
    path = tmp_path / "ovital.kml"
    path.write_text(kml, encoding="utf-8")
    report = check(path, apply=True, default_kind="parcel")  # the clerk says what they are
    assert report["applied"], report
    assert report["warnings"] == []  # libkml's drawing columns are no news to the clerk
    parcel = Asset.objects.get(name="奥维标注的地块")
    assert (parcel.kind, parcel.land_use, parcel.description) == ("parcel", "forest", "后山")

    kmz = tmp_path / "earth.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.writestr("doc.kml", kml.replace("奥维标注的地块", "谷歌地球的地块"))
    assert check(kmz, apply=True, default_kind="parcel")["applied"]
    assert Asset.objects.filter(name="谷歌地球的地块").exists()

    for fmt in ("kml", "kmz"):
        response = client.get(reverse("transfer:export", args=["assets", fmt]))
        assert response.status_code == 200
        body = response.content
        if fmt == "kmz":
            body = zipfile.ZipFile(io.BytesIO(body)).read("doc.kml")
        assert "谷歌地球的地块" in body.decode()


def test_after_a_dry_run_the_clerk_reads_a_column_differently_without_uploading_again(
    tmp_path, client, demo_user
):
    """A column named in the village's own words (资产性质) is left out at first; on the
    report the clerk says it is the kind, and the same file is checked again."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from transfer.models import ImportJob

    client.force_login(demo_user("township"))
    content = f"名称,资产性质,经度,纬度\n自己叫法的设施,设施,{LON},{LAT}\n".encode()
    response = client.post(
        reverse("transfer:import"),
        {
            "file": SimpleUploadedFile("own-words.csv", content),
            "village": "330381102201",
            "kind": "",
        },
    )
    job = ImportJob.objects.get(file_name="own-words.csv")
    assert response.status_code == 302
    assert job.report["accepted"] == 0  # no kind: every row refused
    page = client.get(reverse("transfer:import-job", args=[job.pk])).content.decode()
    assert 'name="column:资产性质"' in page

    client.post(reverse("transfer:import-columns", args=[job.pk]), {"column:资产性质": "kind"})
    job.refresh_from_db()
    assert job.columns == {"资产性质": "kind"}
    assert job.report["accepted"] == 1 and job.report["rejected"] == []

    refused = client.post(
        reverse("transfer:import-columns", args=[job.pk]), {"column:没有的列": "kind"}, follow=True
    )
    assert "没有的列" in refused.content.decode()
    job.refresh_from_db()
    assert job.columns == {"资产性质": "kind"}  # a refused choice changes nothing
