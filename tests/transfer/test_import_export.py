"""Import of asset files and export of the public layers, with real files on real PostGIS.

The files are built here: GeoJSON written by hand, GeoPackages and Shapefiles made from it by
`ogr2ogr`, workbooks by openpyxl, CSV by the csv module.
"""

import csv
import io
import json
import math
import shutil
import subprocess
import zipfile
import zlib
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from gis.chinacoords import wgs84_to_gcj02
from projects.models import Project
from registry.models import AdminUnit, Asset
from trail.models import Event
from transfer import exporters, importers
from transfer import services as transfer_services
from transfer.models import ImportJob

pytestmark = pytest.mark.django_db

VILLAGE = "330381102201"  # 东岙村, 曹村镇
OTHER_TOWNSHIP_VILLAGE = "330381001201"  # 白岩桥村, 安阳街道
LON, LAT = 120.505, 27.915  # inside 东岙村
OGR2OGR = shutil.which("ogr2ogr")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def village() -> AdminUnit:
    return AdminUnit.objects.get(code=VILLAGE)


def square(lon: float, lat: float, d: float = 0.0002) -> dict:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


# Rows 1, 2, 3 and 10 are good; 4 to 9 are bad in one way each.
MIXED = [
    feature(point(LON, LAT), 名称="导入测试仓库", 类别="房产", 用途="仓库", 编号="IMP-1",
            账面价值=12000, 取得日期="2019-03-01"),
    feature(square(LON + 0.001, LAT), 名称="导入测试耕地", 类别="地块", 土地用途="耕地",
            编号="IMP-2"),
    feature(point(LON + 0.002, LAT), 名称="导入测试机埠", 类别="facility", 编号="IMP-3"),
    feature({"type": "Polygon", "coordinates": [[[LON, LAT], [LON + 0.001, LAT + 0.001],
                                                 [LON + 0.001, LAT], [LON, LAT + 0.001],
                                                 [LON, LAT]]]},
            名称="自相交地块", 类别="地块", 土地用途="耕地", 编号="IMP-4"),
    feature(point(LON + 0.003, LAT), 名称="", 类别="房产", 用途="商铺", 编号="IMP-5"),
    feature(square(LON + 0.004, LAT), 名称="果园地块", 类别="地块", 土地用途="果园", 编号="IMP-6"),
    feature({"type": "LineString", "coordinates": [[LON, LAT], [LON + 0.001, LAT + 0.001]]},
            名称="一条水渠", 类别="facility", 编号="IMP-7"),
    feature(point(2.35, 48.85), 名称="巴黎的仓库", 类别="房产", 用途="仓库", 编号="IMP-8"),
    feature(point(LON + 0.005, LAT), 名称="负值店面", 类别="房产", 用途="商铺", 编号="IMP-9",
            账面价值=-100),
    feature(point(LON + 0.006, LAT), 名称="导入测试店面", 类别="building", 用途="shop",
            状态="已出租", 建筑面积="85.5", 编号="IMP-10"),
]  # fmt: skip
GOOD_ROWS = {1, 2, 3, 10}
BAD_ROWS = {
    4: "The geometry is invalid",
    5: "Name: This field cannot be blank.",
    6: "Land use: Value '果园' is not a valid choice.",
    7: "A LineString is not accepted here",
    8: "The geometry lies outside China",
    9: "Book value (yuan): Ensure this value is greater than or equal to 0.",
}


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def ogr2ogr(*args: str) -> None:
    subprocess.run([OGR2OGR, *args], check=True, capture_output=True, timeout=60)


def make_gpkg(tmp_path: Path, features: list[dict], srs: str = "EPSG:4326") -> Path:
    source = write_geojson(tmp_path / "source.geojson", features)
    target = tmp_path / "assets.gpkg"
    ogr2ogr("-f", "GPKG", str(target), str(source), "-nln", "assets", "-a_srs", srs)
    return target


def make_shapefile_zip(
    tmp_path: Path, layers: dict[str, list[dict]], *, encoding: str = "UTF-8", cpg: bool = True
) -> Path:
    """One Shapefile per entry (a Shapefile holds one geometry type), zipped in a folder."""
    target = tmp_path / "assets.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, features in layers.items():
            source = write_geojson(tmp_path / f"{name}.geojson", features)
            shp = tmp_path / "shp" / f"{name}.shp"
            shp.parent.mkdir(exist_ok=True)
            ogr2ogr("-f", "ESRI Shapefile", str(shp), str(source), "-lco", f"ENCODING={encoding}")
            for part in shp.parent.glob(f"{name}.*"):
                if part.suffix == ".cpg" and not cpg:
                    continue
                archive.write(part, f"资产/{part.name}")
    return target


def check(path: Path, *, actor=None, apply: bool = False, **options) -> dict:
    with translation.override("en"):
        return transfer_services.import_file(
            path,
            filename=path.name,
            village=AdminUnit.objects.get(code=VILLAGE),
            actor=actor,
            apply=apply,
            **options,
        )


def rejected(report: dict) -> dict:
    return {(row["layer"], row["row"]): " ".join(row["reasons"]) for row in report["rejected"]}


def assert_bad_rows(report: dict, layer: str = "") -> None:
    found = rejected(report)
    assert set(found) == {(layer, n) for n in BAD_ROWS}
    for number, reason in BAD_ROWS.items():
        assert reason in found[(layer, number)], found[(layer, number)]


# ---------------------------------------------------------------------------------------------
# Checking and importing
# ---------------------------------------------------------------------------------------------


def test_dry_run_of_a_geopackage_lists_exactly_the_bad_rows_and_saves_nothing(tmp_path):
    path = make_gpkg(tmp_path, MIXED)
    assets, events = Asset.objects.count(), Event.objects.count()
    report = check(path)
    assert report["refused"] == ""
    assert report["format"] == "GeoPackage"
    assert_bad_rows(report)
    assert (report["read"], report["accepted"], report["created"]) == (10, 4, 4)
    assert report["layers"][0]["crs"].startswith("EPSG:4326")
    assert (Asset.objects.count(), Event.objects.count()) == (assets, events)


def test_import_is_all_or_nothing_unless_told_to_skip_the_rejected_rows(tmp_path, demo_user):
    path = make_gpkg(tmp_path, MIXED)
    township = demo_user("township")
    assets, events = Asset.objects.count(), Event.objects.count()

    strict = check(path, actor=township, apply=True)
    assert not strict["applied"]
    assert "6 rows were rejected, so nothing was saved" in strict["rolled_back"]
    assert (Asset.objects.count(), Event.objects.count()) == (assets, events)

    report = check(path, actor=township, apply=True, skip_rejected=True)
    assert report["applied"] and report["created"] == 4
    imported = Asset.objects.filter(external_id__startswith="IMP-")
    assert sorted(imported.values_list("external_id", flat=True)) == [
        "IMP-1",
        "IMP-10",
        "IMP-2",
        "IMP-3",
    ]
    warehouse = imported.get(external_id="IMP-1")
    assert (warehouse.kind, warehouse.building_use, str(warehouse.book_value)) == (
        "building",
        "warehouse",
        "12000.00",
    )
    assert str(warehouse.acquired_on) == "2019-03-01"
    assert imported.get(external_id="IMP-2").geometry.geom_type == "MultiPolygon"
    shop = imported.get(external_id="IMP-10")
    assert (shop.status, str(shop.floor_area_m2)) == ("leased", "85.50")
    logged = Event.objects.filter(seq__gt=Event.objects.order_by("seq")[events - 1].seq)
    assert logged.count() == 4
    assert set(logged.values_list("action", "actor_name")) == {("create", "township")}
    assert {e.subject_id for e in logged} == set(imported.values_list("pk", flat=True))


def test_reimport_updates_by_external_id_instead_of_duplicating(tmp_path, demo_user):
    township = demo_user("township")
    good = [MIXED[i - 1] for i in sorted(GOOD_ROWS)]
    first = check(make_gpkg(tmp_path, good), actor=township, apply=True)
    assert first["created"] == 4

    changed = json.loads(json.dumps(good, ensure_ascii=False))
    changed[0]["properties"]["名称"] = "导入测试仓库（改）"
    (tmp_path / "assets.gpkg").unlink()
    events = Event.objects.count()
    second = check(make_gpkg(tmp_path, changed), actor=township, apply=True)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 1, 3)
    assert Asset.objects.filter(external_id__startswith="IMP-").count() == 4
    assert Asset.objects.get(external_id="IMP-1").name == "导入测试仓库（改）"
    update = Event.objects.order_by("-seq").first()
    assert Event.objects.count() == events + 1
    assert update.action == "update"
    assert update.changes["name"]["to"] == "导入测试仓库（改）"


def test_an_integer_id_kept_as_the_geopackage_feature_id_is_the_external_id(tmp_path):
    rows = [feature(point(LON, LAT), id=7001, 名称="编号在要素号里", 类别="facility")]
    path = make_gpkg(tmp_path, rows)
    assert "id" not in DataSource(str(path))[0].fields  # GDAL made it the FID column
    assert check(path, apply=True)["created"] == 1
    assert Asset.objects.get(external_id="7001").name == "编号在要素号里"


def test_same_external_id_twice_in_a_file_is_rejected(tmp_path):
    rows = [MIXED[0], MIXED[0]]
    report = check(write_geojson(tmp_path / "twice.geojson", rows))
    assert rejected(report) == {("", 2): "External id: The external id “IMP-1” is also on row 1."}


def test_zipped_shapefiles_one_per_geometry_type_are_read_as_layers(tmp_path):
    by_type = {
        "points": [f for f in MIXED if f["geometry"]["type"] == "Point"],
        "polygons": [f for f in MIXED if f["geometry"]["type"] == "Polygon"],
        "lines": [f for f in MIXED if f["geometry"]["type"] == "LineString"],
    }
    report = check(make_shapefile_zip(tmp_path, by_type))
    assert report["format"] == "Shapefile (zip)"
    assert [layer["name"] for layer in report["layers"]] == ["lines", "points", "polygons"]
    found = rejected(report)
    assert set(found) == {
        ("lines", 1),  # the LineString
        ("points", 3),  # missing name
        ("points", 4),  # outside China
        ("points", 5),  # negative book value
        ("polygons", 2),  # self-intersecting
        ("polygons", 3),  # unknown land use
    }
    assert "LineString is not accepted" in found[("lines", 1)]
    assert "outside China" in found[("points", 4)]
    assert report["accepted"] == 4


def test_a_shapefile_in_gbk_without_cpg_keeps_its_chinese(tmp_path):
    rows = [MIXED[0], MIXED[2]]
    path = make_shapefile_zip(tmp_path, {"gbk": rows}, encoding="CP936", cpg=False)
    report = check(path)
    assert report["refused"] == "" and report["accepted"] == 2
    assert report["layers"][0]["columns"] == {
        "名称": "name",
        "类别": "kind",
        "用途": "use",  # land use or building use, by the row's kind
        "编号": "external_id",
        "账面价值": "book_value",
        "取得日期": "acquired_on",
    }


def gk_forward(lon: float, lat: float, central_meridian: float = 120.0) -> tuple[float, float]:
    """CGCS2000 Gauss-Krüger easting/northing by Krüger's series, independent of PROJ."""
    a, f = 6378137.0, 1 / 298.257222101
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = (n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16, 13 * n**2 / 48 - 3 * n**3 / 5, 61 * n**3 / 240)
    e = 2 * math.sqrt(n) / (1 + n)
    phi, lam = math.radians(lat), math.radians(lon - central_meridian)
    t = math.sinh(math.atanh(math.sin(phi)) - e * math.atanh(e * math.sin(phi)))
    xi, eta = math.atan2(t, math.cos(lam)), math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    easting = eta + sum(
        alpha[j] * math.cos(2 * (j + 1) * xi) * math.sinh(2 * (j + 1) * eta) for j in range(3)
    )
    northing = xi + sum(
        alpha[j] * math.sin(2 * (j + 1) * xi) * math.cosh(2 * (j + 1) * eta) for j in range(3)
    )
    return 500_000 + big_a * easting, big_a * northing


def metres_between(a, lon: float, lat: float) -> float:
    dx = (a.x - lon) * 111_320 * math.cos(math.radians(lat))
    dy = (a.y - lat) * 110_574
    return math.hypot(dx, dy)


def test_a_file_in_epsg_4549_lands_within_a_metre(tmp_path):
    easting, northing = gk_forward(LON, LAT)
    rows = [feature(point(easting, northing), 名称="高斯坐标仓库", 类别="房产", 用途="仓库")]
    report = check(make_gpkg(tmp_path, rows, srs="EPSG:4549"), apply=True)
    assert report["applied"], report
    assert report["layers"][0]["crs"].startswith("EPSG:4549")
    asset = Asset.objects.get(name="高斯坐标仓库")
    assert metres_between(asset.geometry, LON, LAT) < 1


def test_an_arcgis_prj_without_authority_is_recognised(tmp_path):
    easting, northing = gk_forward(LON, LAT)
    rows = [feature(point(easting, northing), 名称="高斯坐标机埠", 类别="facility")]
    source = write_geojson(tmp_path / "gk.geojson", rows)
    shp = tmp_path / "gk.shp"
    ogr2ogr(
        "-f", "ESRI Shapefile", str(shp), str(source), "-a_srs", "EPSG:4549",
        "-lco", "ENCODING=UTF-8",
    )  # fmt: skip
    assert "AUTHORITY" not in shp.with_suffix(".prj").read_text()
    with zipfile.ZipFile(tmp_path / "gk.zip", "w") as archive:
        for part in tmp_path.glob("gk.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    report = check(tmp_path / "gk.zip", apply=True)
    assert report["applied"], report
    assert metres_between(Asset.objects.get(name="高斯坐标机埠").geometry, LON, LAT) < 1


def test_gauss_kruger_metres_without_crs_take_the_villages_zone(tmp_path):
    """Chinese surveyors write X for the northing: the columns are told apart by size."""
    easting, northing = gk_forward(LON, LAT)
    path = tmp_path / "gk.csv"
    path.write_text(
        f"名称,类别,X,Y\n高斯无坐标系,设施,{northing:.3f},{easting:.3f}\n", encoding="utf-8"
    )
    report = check(path, apply=True)
    assert report["applied"], report
    assert report["layers"][0]["crs"].startswith("EPSG:4549")
    assert "zone of the village" in " ".join(report["warnings"])
    assert metres_between(Asset.objects.get(name="高斯无坐标系").geometry, LON, LAT) < 1


def test_a_file_in_an_unknown_crs_is_refused(tmp_path):
    path = make_gpkg(tmp_path, [MIXED[0]], srs="EPSG:3857")
    report = check(path)
    assert "is not one we can place on the map" in report["refused"]
    assert "Pseudo-Mercator" in report["refused"]
    assert report["rejected"] == [] and report["accepted"] == 0


def test_coordinates_of_no_known_kind_are_refused(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("名称,x,y\n甲,1234,5678\n乙,1300,5700\n", encoding="utf-8")
    assert "neither longitude/latitude in China nor Gauss-Krüger" in check(path)["refused"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.gpkg", b"this is not a database", "not a valid GeoPackage"),
        ("broken.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, "not a valid GeoPackage"),
        ("broken.zip", b"PK\x03\x04 cut short", "not a valid zip"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [{', "not a valid GeoJSON"),
        ("broken.xlsx", b"PK\x03\x04 not a workbook", "not a valid Excel"),
        ("empty.csv", b"", "The file is empty"),
        ("assets.kml", b"<kml/>", "not a valid KML / KMZ"),
        ("assets.kmz", b"PK\x03\x04 cut short", "not a valid KML / KMZ"),
        ("assets.dwg", b"AC1032", "cannot be imported"),
        ("assets.shp", b"\x00\x00\x27\x0a", "put the .shp, .shx, .dbf"),
    ],
)
def test_a_broken_file_gets_a_clear_refusal(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    report = check(path)
    assert message in report["refused"]
    assert report["accepted"] == 0


def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 4000
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix in (".shp", ".shx", ".dbf"):
            archive.writestr(f"bomb{suffix}", b"\0" * 100_000)
    assert path.stat().st_size < 4000
    assert "unpacks to more than can be imported" in check(path)["refused"]


def test_a_zip_without_a_shapefile_is_refused(tmp_path):
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no shapefile here")
    assert "holds no Shapefile" in check(path)["refused"]


def test_an_excel_workbook_with_chinese_columns_and_labels(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["编号", "名称", "类别", "用途", "状态", "经度", "纬度", "账面价值（元）", "取得日期"]
    )
    sheet.append(["X-1", "表格店面", "房产", "商铺", "闲置", LON, LAT, "1,200.50", "2020/5/6"])
    sheet.append([1002, "表格仓库", "房屋", "仓库", "在用", LON + 0.001, LAT, 800, None])
    sheet.append(["X-3", "表格坏行", "城堡", "", "", "东边一百米", LAT, None, None])
    path = tmp_path / "assets.xlsx"
    workbook.save(path)
    report = check(path, apply=True, skip_rejected=True)
    assert report["format"] == "Excel (xlsx)"
    found = rejected(report)
    assert set(found) == {("", 4)}  # Excel's row numbers: the header is row 1
    assert "Kind: Value '城堡' is not a valid choice." in found[("", 4)]
    assert "The coordinates “东边一百米, " in found[("", 4)]
    shop = Asset.objects.get(external_id="X-1")
    assert (shop.status, str(shop.book_value), str(shop.acquired_on)) == (
        "idle",
        "1200.50",
        "2020-05-06",
    )
    assert Asset.objects.get(external_id="1002").building_use == "warehouse"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_csv_with_a_wkt_column_in_utf8_or_gbk(tmp_path, encoding):
    path = tmp_path / "assets.csv"
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["名称", "类别", "土地用途", "WKT", "说明"])
        polygon = f"POLYGON(({LON} {LAT},{LON + 0.001} {LAT},{LON} {LAT + 0.001},{LON} {LAT}))"
        writer.writerow(["文本地块", "地块", "林地", polygon, "后山"])
        writer.writerow(["坏几何", "地块", "林地", "POLYGON((1 2,", ""])
    report = check(path)
    assert report["accepted"] == 1
    assert rejected(report) == {("", 3): "Location or outline: The WKT geometry cannot be read."}


def test_coordinates_copied_from_a_chinese_web_map_get_a_gcj02_warning(tmp_path):
    """A grid of places in the village, written as AMap shows them (GCJ-02), then as they are."""
    boundary = AdminUnit.objects.get(code=VILLAGE).boundary
    min_x, min_y, max_x, max_y = boundary.extent
    places = [
        (x, y)
        for i in range(1, 12)
        for j in range(1, 12)
        if boundary.contains(
            Point(x := min_x + i * (max_x - min_x) / 12, y := min_y + j * (max_y - min_y) / 12)
        )
    ]
    path = tmp_path / "amap.csv"

    def write(coordinates) -> list[str]:
        rows = ["名称,类别,经度,纬度"] + [
            f"地点{i},设施,{lon:.7f},{lat:.7f}" for i, (lon, lat) in enumerate(coordinates)
        ]
        path.write_text("\n".join(rows), encoding="utf-8")
        return check(path)["warnings"]

    assert "GCJ-02" in " ".join(write(wgs84_to_gcj02(*p) for p in places))
    assert "GCJ-02" not in " ".join(write(places))


def test_size_and_row_limits_are_refused_with_clear_messages(tmp_path, settings):
    path = write_geojson(tmp_path / "assets.geojson", MIXED)
    settings.IMPORT_MAX_ROWS = 5
    assert "The file has 10 rows; at most 5 can be imported at once" in check(path)["refused"]
    settings.IMPORT_MAX_BYTES = 100
    assert "at most 0.0 MB can be imported" in check(path)["refused"]


def test_an_export_reimports_as_the_same_assets(tmp_path):
    """The exported Chinese column names and labels are the ones the importer reads."""
    path = tmp_path / "export.geojson"
    path.write_bytes(exporters.export("assets", "geojson", village=VILLAGE))
    report = check(path)
    count = Asset.objects.filter(village__code=VILLAGE).count()
    assert (report["read"], report["accepted"], report["rejected"]) == (count, count, [])


def test_staff_cannot_import_into_a_village_outside_their_scope(tmp_path, demo_user, client):
    township = demo_user("township")
    path = write_geojson(tmp_path / "assets.geojson", [MIXED[0]])
    with translation.override("en"):
        report = transfer_services.import_file(
            path,
            filename=path.name,
            village=AdminUnit.objects.get(code=OTHER_TOWNSHIP_VILLAGE),
            actor=township,
        )
    assert "only import into villages of your own admin units" in report["refused"]

    client.force_login(township)
    page = client.get(reverse("transfer:import"))
    assert VILLAGE in page.content.decode()
    assert OTHER_TOWNSHIP_VILLAGE not in page.content.decode()
    with path.open("rb") as upload:
        response = client.post(
            reverse("transfer:import"), {"file": upload, "village": OTHER_TOWNSHIP_VILLAGE}
        )
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_import_needs_staff_who_may_add_assets(client, demo_user):
    assert client.get(reverse("transfer:import")).status_code == 302
    client.force_login(demo_user("supervisor"))
    assert client.get(reverse("transfer:import")).status_code == 403


# ---------------------------------------------------------------------------------------------
# The web pages
# ---------------------------------------------------------------------------------------------


def test_import_page_checks_then_imports_through_a_job(tmp_path, client, demo_user):
    township = demo_user("township")
    client.force_login(township)
    client.cookies["django_language"] = "en"
    path = make_gpkg(tmp_path, MIXED)
    with path.open("rb") as upload:
        response = client.post(
            reverse("transfer:import"),
            {"file": upload, "village": VILLAGE, "kind": "", "srid": ""},
            headers={"accept-language": "en"},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("transfer:import-job", args=[job.pk])
    assert (job.action, job.status, job.language) == ("check", "done", "en")
    assert not Asset.objects.filter(external_id__startswith="IMP-").exists()

    page = client.get(response["Location"]).content.decode()
    assert "Import 4 rows" in page
    assert "The 6 rejected rows below will be skipped." in page
    for number, reason in BAD_ROWS.items():
        assert f"Row {number}</strong>" in page
        assert reason.replace("'", "&#x27;") in page

    response = client.post(reverse("transfer:import-apply", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.action, job.status) == ("apply", "queued")
    assert 'hx-trigger="every 1s"' in client.get(response["Location"]).content.decode()

    events = Event.objects.count()
    call_command("import_assets", job=str(job.pk), stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.report["applied"], job.report["created"]) == ("done", True, 4)
    assert job.report["skipped"] == 6
    assert not job.file  # the upload is not kept once imported
    assert Asset.objects.filter(external_id__startswith="IMP-").count() == 4
    assert Event.objects.count() == events + 4
    assert Event.objects.order_by("-seq").first().actor == township
    page = client.get(reverse("transfer:import-job", args=[job.pk])).content.decode()
    assert "Imported. Every change is in the public log." in page

    again = client.post(reverse("transfer:import-apply", args=[job.pk]))
    assert again.status_code == 302
    assert ImportJob.objects.get().action == "apply"
    with pytest.raises(CommandError, match="not waiting"):
        call_command("import_assets", job=str(job.pk), stdout=StringIO())


def test_a_large_file_is_checked_by_a_background_job(
    tmp_path, client, demo_user, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_ROWS = 5
    client.force_login(demo_user("township"))
    path = make_gpkg(tmp_path, MIXED)
    with django_capture_on_commit_callbacks() as callbacks, path.open("rb") as upload:
        client.post(reverse("transfer:import"), {"file": upload, "village": VILLAGE})
    job = ImportJob.objects.get()
    assert (job.status, job.total, len(callbacks)) == ("queued", 10, 1)
    call_command("import_assets", job=str(job.pk), stdout=StringIO())
    job.refresh_from_db()
    assert (job.status, job.report["accepted"], len(job.report["rejected"])) == ("done", 4, 6)


def test_a_broken_upload_gets_a_report_not_an_error(tmp_path, client, demo_user):
    client.force_login(demo_user("township"))
    client.cookies["django_language"] = "en"
    upload = io.BytesIO(b'{"type": "FeatureCollection", "features": [')
    upload.name = "broken.geojson"
    response = client.post(
        reverse("transfer:import"), {"file": upload, "village": VILLAGE}, follow=True
    )
    assert response.status_code == 200
    assert "The file was refused; nothing was saved." in response.content.decode() or (
        "文件被拒绝" in response.content.decode()
    )
    assert ImportJob.objects.get().report["refused"]


def test_the_upload_form_refuses_a_file_over_the_limit(client, demo_user, settings):
    settings.IMPORT_MAX_BYTES = 10
    client.force_login(demo_user("township"))
    upload = io.BytesIO("名称,经度,纬度\n甲,120.5,27.9\n".encode())
    upload.name = "big.csv"
    response = client.post(
        reverse("transfer:import"),
        {"file": upload, "village": VILLAGE},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert "at most 0.0 MB can be imported" in response.content.decode()


def test_progress_page_is_a_full_page_and_an_htmx_fragment(client, demo_user):
    township = demo_user("township")
    job = ImportJob.objects.create(
        requested_by=township,
        village=AdminUnit.objects.get(code=VILLAGE),
        file_name="big.gpkg",
        total=2000,
        done=500,
    )
    client.force_login(township)
    url = reverse("transfer:import-job", args=[job.pk])
    page = client.get(url).content.decode()
    assert "<html" in page and 'hx-trigger="every 1s"' in page and "big.gpkg" in page
    assert 'aria-valuenow="25"' in page
    fragment = client.get(url, headers={"hx-request": "true"}).content.decode()
    assert "<html" not in fragment
    assert fragment.strip().startswith('<div id="job-progress"')
    assert 'hx-trigger="every 1s"' in fragment

    ImportJob.objects.filter(pk=job.pk).update(status="done", report={"refused": "坏文件"})
    fragment = client.get(url, headers={"hx-request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "坏文件" in fragment


def test_someone_elses_job_is_not_found(client, demo_user):
    job = ImportJob.objects.create(
        requested_by=demo_user("city"),
        village=AdminUnit.objects.get(code=VILLAGE),
        file_name="x.csv",
    )
    client.force_login(demo_user("township"))
    assert client.get(reverse("transfer:import-job", args=[job.pk])).status_code == 404


def test_command_dry_run_and_apply(tmp_path):
    path = write_geojson(tmp_path / "assets.geojson", MIXED)
    out = StringIO()
    with translation.override("en"):
        call_command("import_assets", str(path), village=VILLAGE, stdout=out)
    text = out.getvalue()
    assert "Row 7 (一条水渠): Location or outline: A LineString is not accepted" in text
    assert "Dry run: nothing was saved." in text
    with pytest.raises(CommandError, match="--skip-rejected"):
        call_command("import_assets", str(path), village=VILLAGE, apply=True, stdout=StringIO())
    assert not Asset.objects.filter(external_id__startswith="IMP-").exists()
    call_command(
        "import_assets",
        str(path),
        village=VILLAGE,
        apply=True,
        skip_rejected=True,
        user="township",
        stdout=StringIO(),
    )
    assert Asset.objects.filter(external_id__startswith="IMP-").count() == 4
    with pytest.raises(CommandError, match="division code"):
        call_command("import_assets", str(path), village="123")


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

RESTRICTED = ("book_value", "账面价值", "acquired_on", "取得日期", "external_id", "tenant")


def village_names() -> list[str]:
    return sorted(Asset.objects.filter(village__code=VILLAGE).values_list("name", flat=True))


def download(client, layer: str, fmt: str, **params) -> bytes:
    response = client.get(reverse("transfer:export", args=[layer, fmt]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == exporters.FORMATS[fmt]
    assert response["ETag"] and "max-age=300" in response["Cache-Control"]
    return response.content


def ogr_names(path: str) -> tuple[list[str], list[str]]:
    ds = DataSource(path)
    names, fields = [], []
    for layer in ds:
        fields += layer.fields
        names += [feature.get("名称" if "名称" in layer.fields else "name") for feature in layer]
    return sorted(names), fields


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_export_to_geojson_and_geopackage_round_trips(client, tmp_path, fmt):
    path = tmp_path / f"assets.{fmt}"
    path.write_bytes(download(client, "assets", fmt, village=VILLAGE))
    names, fields = ogr_names(str(path))
    assert names == village_names()
    assert {"名称", "类别", "村", "村代码", "土地用途", "用途", "状态"} <= set(fields)
    assert not set(fields) & set(RESTRICTED)


def test_export_to_a_zipped_shapefile_has_short_names_utf8_and_a_mapping(client, tmp_path):
    path = tmp_path / "assets.shp.zip"
    path.write_bytes(download(client, "assets", "shp.zip", village=VILLAGE))
    with zipfile.ZipFile(path) as archive:
        members = archive.namelist()
        assert archive.read("assets_point.cpg").decode().strip() == "UTF-8"
        mapping = archive.read("fields.txt").decode()
    assert {"assets_point.shp", "assets_polygon.shp", "fields.txt"} <= set(members)
    assert "bldg_use\t用途\tbuilding_use" in mapping
    names = []
    for layer in ("assets_point", "assets_polygon"):
        layer_names, fields = ogr_names(f"/vsizip/{path}/{layer}.shp")
        names += layer_names
        assert all(len(name.encode()) <= 10 for name in fields)
        assert not set(fields) & set(RESTRICTED)
    assert sorted(names) == village_names()


def test_export_to_csv_has_a_bom_and_both_lonlat_and_wkt(client):
    content = download(client, "assets", "csv", village=VILLAGE)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert sorted(r["名称"] for r in rows) == village_names()
    assert {"经度", "纬度", "WKT"} <= set(rows[0])
    assert not set(rows[0]) & set(RESTRICTED)
    assert all(120.4 < float(r["经度"]) < 120.6 for r in rows)


def test_export_to_xlsx_reopens_in_openpyxl(client):
    content = download(client, "assets", "xlsx", village=VILLAGE)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    names = sorted(row[header.index("名称")] for row in rows)
    assert names == village_names()
    assert not set(header) & set(RESTRICTED)


def test_project_export_leaves_out_contractor_contact_and_filters_by_township(client):
    content = download(client, "projects", "csv", township="330381102")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert len(rows) == Project.objects.filter(village__parent__code="330381102").count()
    assert "承包方" in rows[0] and "contractor_contact" not in rows[0]
    headers = set(rows[0])
    assert headers == {c.title for c in exporters.LAYERS["projects"].columns()} | {
        "经度",
        "纬度",
        "WKT",
    }
    contacts = Project.objects.exclude(contractor_contact="").values_list(
        "contractor_contact", flat=True
    )
    assert not any(contact in content.decode("utf-8-sig") for contact in contacts)


def test_sites_export_and_kind_filter(client):
    content = download(client, "sites", "geojson")
    collection = json.loads(content)
    assert collection["features"]
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])
    only = json.loads(download(client, "assets", "geojson", village=VILLAGE, kind="parcel"))
    assert {f["properties"]["类别"] for f in only["features"]} == {"地块"}


def test_export_answers_304_to_a_matching_etag_and_refuses_bad_filters(client):
    url = reverse("transfer:export", args=["assets", "geojson"])
    first = client.get(url, {"village": VILLAGE})
    again = client.get(url, {"village": VILLAGE}, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert client.get(url, {"kind": "castle"}).status_code == 400
    assert client.get(url, {"village": "999999999999"}).status_code == 404
    assert client.get("/transfer/export/leases.csv").status_code == 404


def test_export_page_links_every_layer_and_format(client):
    page = client.get(reverse("transfer:export-index"), {"unit": VILLAGE}).content.decode()
    for layer in ("assets", "projects", "sites"):
        for fmt in exporters.FORMATS:
            assert f"{reverse('transfer:export', args=[layer, fmt])}?village={VILLAGE}" in page


def test_every_public_field_has_a_chinese_and_a_shapefile_name():
    for spec in exporters.LAYERS.values():
        for column in spec.columns():
            assert column.key in exporters.TITLES, column.key
            assert len(column.short.encode()) <= 10


def test_accepted_crs_are_identified_from_their_parameters():
    from django.contrib.gis.gdal import SpatialReference

    for srid in (4326, 4490, 4534, 4549, 4554, 4513, 4528, 4533):
        expected = 4326 if srid == 4490 else srid
        proj4 = SpatialReference(SpatialReference(srid).proj4)
        assert importers.identify_srid(proj4) == expected, srid
    for srid in (3857, 2436, 32651):
        assert importers.identify_srid(SpatialReference(srid)) is None


def test_import_jobs_are_listed_read_only_in_the_admin(admin_client, admin_user):
    ImportJob.objects.create(
        requested_by=admin_user, village=AdminUnit.objects.get(code=VILLAGE), file_name="a.csv"
    )
    page = admin_client.get(reverse("admin:transfer_importjob_changelist"))
    assert page.status_code == 200 and "a.csv" in page.content.decode()
    assert admin_client.get(reverse("admin:transfer_importjob_add")).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_formula_like_name_survives_export_and_reimport_unquoted(tmp_path, fmt):
    """The export puts an apostrophe before it (so Excel runs nothing); the import takes it off."""
    asset = Asset.objects.filter(village__code=VILLAGE).order_by("pk").first()
    hostile = '=HYPERLINK("http://example.invalid/","点此查看")'
    Asset.objects.filter(pk=asset.pk).update(name=hostile)
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(exporters.export("assets", fmt, village=VILLAGE))
    report = check(path, apply=True)
    assert report["rejected"] == []
    names = set(Asset.objects.filter(village__code=VILLAGE).values_list("name", flat=True))
    assert hostile in names
    assert "'" + hostile not in names


@pytest.mark.parametrize(
    ("error", "damaged"),
    [(zlib.error("bad block"), True), (OSError("short read"), True), (TypeError("ours"), False)],
)
def test_a_reader_error_is_a_damaged_file_but_a_bug_of_ours_is_not(
    tmp_path, monkeypatch, error, damaged
):
    """What a damaged file makes a reader raise is a refusal; an error only our code can make
    (TypeError) is raised and logged, not blamed on the clerk's file."""
    path = write_geojson(tmp_path / "assets.geojson", [MIXED[0]])

    def reader(*args, **kwargs):
        raise error

    monkeypatch.setattr(importers, "_open_geojson", reader)
    if damaged:
        assert "may be damaged" in check(path)["refused"]
    else:
        with pytest.raises(TypeError):
            check(path)
