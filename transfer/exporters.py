"""Public layers as files: GeoJSON, GeoPackage, zipped Shapefile, CSV and XLSX.

Only a model's PUBLIC_FIELDS are written, so a restricted field (book value, a tenant's or a
contractor's contact) cannot reach a file by accident. Columns carry Chinese names, as a clerk
knows them in QGIS and Excel, and the importer reads the same names back. A Shapefile's DBF
allows 10 bytes per name, so it gets short ASCII names and a fields.txt that maps them.

GeoPackage and Shapefile are written by the `ogr2ogr` command from a GeoJSON we write: one
GDAL in the web process is enough (a second one, as pyogrio or fiona would bring, is unsafe).
"""

import io
import json
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, WKTWriter
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from gis import spreadsheets
from projects.models import Project
from registry.models import Asset
from visits.models import Site

EXPORT_LANGUAGE = "zh-hans"
OGR2OGR = shutil.which("ogr2ogr") or "/usr/bin/ogr2ogr"
OGR_TIMEOUT = 120
DBF_TEXT_BYTES = 254
_WKT = WKTWriter(precision=7)

# Column -> (Chinese name for GeoJSON, GeoPackage, CSV and XLSX; Shapefile name, ≤ 10 ASCII bytes)
TITLES = {
    "id": ("记录号", "rec_id"),
    "kind": ("类别", "kind"),
    "name": ("名称", "name"),
    "village": ("村", "village"),
    "village_code": ("村代码", "vill_code"),
    "owner": ("权属", "owner"),
    "land_use": ("土地用途", "land_use"),
    "building_use": ("用途", "bldg_use"),
    "area_m2": ("面积（平方米）", "area_m2"),
    "floor_area_m2": ("建筑面积", "floor_m2"),
    "status": ("状态", "status"),
    "description": ("说明", "descr"),
    "category": ("类别", "category"),
    "stage": ("阶段", "stage"),
    "proposed_on": ("立项日期", "prop_on"),
    "budget_priced_on": ("进入预算阶段日期", "budget_on"),
    "contracted_on": ("进入发包阶段日期", "contr_on"),
    "construction_started_on": ("开工日期", "constr_on"),
    "accepted_on": ("进入验收阶段日期", "accept_on"),
    "settled_on": ("进入结算审计阶段日期", "settle_on"),
    "guidance_agency": ("指导价出具机构", "guide_org"),
    "contracting_method": ("发包方式", "method"),
    "contract_signed_on": ("合同签订日期", "signed_on"),
    "over_guidance_reason": ("超指导价理由", "over_why"),
    "acceptance_passed": ("验收合格", "accepted"),
    "acceptance_opinion": ("验收意见", "acc_note"),
    "audit_agency": ("结算审计机构", "audit_org"),
    "budget_price": ("预算指导价（元）", "budget"),
    "contract_amount": ("合同金额（元）", "contr_amt"),
    "contractor": ("承包方", "contractor"),
    "settlement_amount": ("审计结算（元）", "settle_amt"),
    "paid_amount": ("已付（元）", "paid_amt"),
    "progress_percent": ("进度（%）", "progress"),
    "unit": ("所属单位", "unit"),
    "unit_code": ("单位代码", "unit_code"),
    "story": ("简介", "story"),
    "address": ("地址", "address"),
    "opening_hours": ("开放时间", "hours"),
    "contact": ("联系方式", "contact"),
}
TABLE_GEOMETRY_TITLES = ("经度", "纬度", "WKT")
FORMATS = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "shp.zip": "application/zip",
    "csv": spreadsheets.CSV_TYPE,
    "xlsx": spreadsheets.XLSX_TYPE,
    "kml": "application/vnd.google-earth.kml+xml",
    "kmz": "application/vnd.google-earth.kmz",
}


class ExportFailed(Exception):
    """ogr2ogr could not write the file."""


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    short: str


@dataclass(frozen=True)
class LayerSpec:
    """One public layer: which model, which of its fields is the geometry and the unit."""

    name: str
    model: type[Model]
    geometry: str
    unit: str
    kind: str  # the field ?kind= filters on

    def columns(self) -> list[Column]:
        keys = ["id"]
        for name in self.model.PUBLIC_FIELDS:
            if name == self.geometry:
                continue
            keys.append(name)
            if name == self.unit:
                keys.append(f"{name}_code")
        return [Column(key, *self._titles(key)) for key in keys]

    def _titles(self, key: str) -> tuple[str, str]:
        if key in TITLES:
            return TITLES[key]
        with translation.override(EXPORT_LANGUAGE):
            return str(self.model._meta.get_field(key).verbose_name), key[:10]

    def kind_values(self) -> list[str]:
        return [value for value, _label in self.model._meta.get_field(self.kind).choices]

    def records(self, *, village: str = "", township: str = "", kind: str = "") -> QuerySet[Model]:
        related = [self.unit, f"{self.unit}__parent"]
        if self.model is Asset:
            related.append("owner")
        qs = self.model.objects.select_related(*related).order_by(f"{self.unit}__code", "pk")
        if village:
            qs = qs.filter(**{f"{self.unit}__code": village})
        if township:
            qs = qs.filter(
                Q(**{f"{self.unit}__code": township})
                | Q(**{f"{self.unit}__parent__code": township})
            )
        if kind:
            qs = qs.filter(**{self.kind: kind})
        return qs


LAYERS = {
    "assets": LayerSpec("assets", Asset, "geometry", "village", "kind"),
    "projects": LayerSpec("projects", Project, "location", "village", "category"),
    "sites": LayerSpec("sites", Site, "location", "unit", "kind"),
}


@dataclass
class Feature:
    values: dict[str, object]  # column key -> value
    geometry: GEOSGeometry | None


def features(spec: LayerSpec, records: Iterable[Model]) -> list[Feature]:
    """Public values, with choices and related records as the Chinese words people read."""
    columns = spec.columns()
    found = []
    with translation.override(EXPORT_LANGUAGE):
        for obj in records:
            found.append(
                Feature(
                    {c.key: _value(obj, c.key) for c in columns},
                    getattr(obj, spec.geometry),
                )
            )
    return found


def _value(obj: Model, key: str) -> object:
    if key == "id":
        return obj.pk
    if key.endswith("_code"):
        unit = getattr(obj, key.removesuffix("_code"))
        return unit.code if unit else None
    try:
        field = obj._meta.get_field(key)
    except FieldDoesNotExist:
        return getattr(obj, key)
    if field.choices:
        return str(getattr(obj, f"get_{key}_display")())
    if field.is_relation:
        related = getattr(obj, key)
        return str(related) if related else None
    return getattr(obj, key)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _feature_collection(spec: LayerSpec, items: list[Feature], *, short: bool = False) -> dict:
    names = {c.key: c.short if short else c.title for c in spec.columns()}
    return {
        "type": "FeatureCollection",
        "name": spec.name,
        "features": [
            {
                "type": "Feature",
                "properties": {
                    names[k]: _shapefile_text(v) if short else _json_value(v)
                    for k, v in f.values.items()
                },
                "geometry": json.loads(f.geometry.json) if f.geometry else None,
            }
            for f in items
        ],
    }


def geojson(spec: LayerSpec, items: list[Feature]) -> bytes:
    return json.dumps(_feature_collection(spec, items), ensure_ascii=False).encode()


def _ogr2ogr(*args: str) -> None:
    try:
        subprocess.run(  # noqa: S603 - fixed program, arguments we made
            [OGR2OGR, *args], check=True, capture_output=True, timeout=OGR_TIMEOUT
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        stderr = getattr(exc, "stderr", b"") or b""
        raise ExportFailed(stderr.decode(errors="replace") or str(exc)) from exc


def gpkg(spec: LayerSpec, items: list[Feature]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        source, target = Path(folder) / "in.geojson", Path(folder) / f"{spec.name}.gpkg"
        source.write_bytes(geojson(spec, items))
        _ogr2ogr("-f", "GPKG", str(target), str(source), "-nln", spec.name)
        return target.read_bytes()


def kml(spec: LayerSpec, items: list[Feature]) -> bytes:
    """KML for Google Earth and 奥维互动地图 (Ovital Map): WGS84, names as labels."""
    with tempfile.TemporaryDirectory(prefix="export-") as folder:
        source, target = Path(folder) / "in.geojson", Path(folder) / f"{spec.name}.kml"
        source.write_bytes(geojson(spec, items))
        _ogr2ogr(
            "-f", "KML", str(target), str(source), "-nln", spec.name, "-dsco", "NameField=名称"
        )
        return target.read_bytes()


def kmz(spec: LayerSpec, items: list[Feature]) -> bytes:
    """The KML zipped as KMZ (doc.kml inside), as phones exchange it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml(spec, items))
    return buffer.getvalue()


def _shapefile_text(value: object) -> object:
    """DBF text holds 254 bytes: cut long text at a character, not inside one."""
    value = _json_value(value)
    if isinstance(value, str) and len(value.encode()) > DBF_TEXT_BYTES:
        return value.encode()[:DBF_TEXT_BYTES].decode(errors="ignore")
    return value


def shapefile_zip(spec: LayerSpec, items: list[Feature]) -> bytes:
    """One Shapefile per geometry type (a Shapefile holds one), UTF-8 with a .cpg, zipped."""
    families = {
        "point": [f for f in items if f.geometry and f.geometry.geom_type == "Point"],
        "polygon": [f for f in items if f.geometry and f.geometry.geom_type != "Point"],
    }
    buffer = io.BytesIO()
    with (
        tempfile.TemporaryDirectory(prefix="export-") as folder,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for family, members in families.items():
            if not members and (family == "polygon" or items):
                continue
            source = Path(folder) / f"{family}.geojson"
            collection = _feature_collection(spec, members, short=True)
            source.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
            target = Path(folder) / f"{spec.name}_{family}.shp"
            geometry_type = "POINT" if family == "point" else "MULTIPOLYGON"
            _ogr2ogr(
                "-f", "ESRI Shapefile", str(target), str(source),
                "-nlt", geometry_type, "-lco", "ENCODING=UTF-8",
            )  # fmt: skip
            for part in sorted(Path(folder).glob(f"{spec.name}_{family}.*")):
                archive.write(part, part.name)
        mapping = "\n".join(f"{c.short}\t{c.title}\t{c.key}" for c in spec.columns())
        archive.writestr("fields.txt", f"shapefile\t中文\tfield\n{mapping}\n")
    return buffer.getvalue()


def _table_rows(spec: LayerSpec, items: list[Feature]) -> tuple[list[str], list[list]]:
    """Header and rows for CSV and Excel: the columns, then longitude, latitude and WKT."""
    columns = spec.columns()
    header = [c.title for c in columns] + list(TABLE_GEOMETRY_TITLES)
    rows = []
    for f in items:
        lon = lat = wkt = None
        if f.geometry:
            point = f.geometry if f.geometry.geom_type == "Point" else f.geometry.point_on_surface
            lon, lat = round(point.x, 7), round(point.y, 7)
            wkt = _WKT.write(f.geometry).decode()
        rows.append([_json_value(f.values[c.key]) for c in columns] + [lon, lat, wkt])
    return header, rows


def csv_bytes(spec: LayerSpec, items: list[Feature]) -> bytes:
    return spreadsheets.csv_bytes(*_table_rows(spec, items))


def xlsx(spec: LayerSpec, items: list[Feature]) -> bytes:
    header, rows = _table_rows(spec, items)
    for row in rows:
        wkt = row[-1]
        if wkt and len(wkt) > spreadsheets.XLSX_CELL_CHARS:
            with translation.override(EXPORT_LANGUAGE):
                row[-1] = _("(too long for a cell: use GeoJSON or GeoPackage)")
    return spreadsheets.xlsx_bytes(spec.name, header, rows)


WRITERS = {
    "geojson": geojson,
    "gpkg": gpkg,
    "shp.zip": shapefile_zip,
    "csv": csv_bytes,
    "xlsx": xlsx,
    "kml": kml,
    "kmz": kmz,
}


def export(layer: str, fmt: str, **filters: str) -> bytes:
    spec = LAYERS[layer]
    return WRITERS[fmt](spec, features(spec, spec.records(**filters)))
