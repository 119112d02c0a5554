"""Reading asset files (GeoPackage, zipped Shapefile, GeoJSON, CSV, XLSX) into plain rows.

Nothing here touches the database. A file becomes rows of canonical field names, raw values and
a WGS84 geometry, or an `ImportRefused` that tells a clerk what is wrong with the file. What the
values mean for the record (choices, owners, updates) is decided in `transfer.services`.

Untrusted files are checked by their first bytes before GDAL sees them (GDAL would otherwise
open e.g. a VRT that reads other files on the server), zips are unpacked under a size limit
into a private folder, and every GDAL, zip, JSON or spreadsheet error becomes a refusal.
"""

import codecs
import contextlib
import csv
import io
import itertools
import logging
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from ctypes import c_char_p, c_void_p
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import openpyxl
from django.conf import settings
from django.contrib.gis.gdal import (
    CoordTransform,
    DataSource,
    GDALException,
    SpatialReference,
)
from django.contrib.gis.gdal.field import OFTString, OFTWideString
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as ogr
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from gis import spreadsheets
from gis.chinacoords import gcj02_to_wgs84, wgs84_to_gcj02
from gis.crs import STORAGE_SRID, gk_srid_for
from gis.dms import parse_degrees
from registry.models import Asset

# What a damaged or hostile file makes a reader raise (GDAL, GEOS, zip, XML, CSV, decoding, short
# reads). Anything else (TypeError, AttributeError, NameError…) is a bug of ours: it is not
# told to the clerk as a damaged file, but raised and logged.
READ_ERRORS = (
    GDALException,
    GEOSException,
    InvalidFileException,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
    csv.Error,
    SyntaxError,  # xml.etree's ParseError and lxml's XMLSyntaxError
    OSError,
    EOFError,
    ValueError,  # UnicodeDecodeError too
    KeyError,
    IndexError,
)

UNZIP_FACTOR = 5  # a zip may hold at most this many times the upload limit, unpacked
CGCS2000_GEOGRAPHIC = 4490
GK_SRIDS = range(4534, 4555)  # CGCS2000 3-degree GK, CM 75°E ... 135°E, no zone prefix
GK_ZONE_SRIDS = range(4513, 4534)  # the same zones (25 ... 45) with the zone number prefixed
ACCEPTED_SRIDS = frozenset({STORAGE_SRID, CGCS2000_GEOGRAPHIC, *GK_SRIDS, *GK_ZONE_SRIDS})
ENCODING_PROBE_ROWS = 200
FID = -1  # position of the feature id among a layer's columns
GUESS_SAMPLES = 2000
logger = logging.getLogger(__name__)

FORMATS = {
    ".gpkg": "gpkg",
    ".zip": "shp",
    ".geojson": "geojson",
    ".json": "geojson",
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".kml": "kml",
    ".kmz": "kml",
}
FORMAT_LABELS = {
    "gpkg": "GeoPackage",
    "shp": "Shapefile (zip)",
    "geojson": "GeoJSON",
    "csv": "CSV",
    "xlsx": "Excel (xlsx)",
    "kml": "KML / KMZ",
}
# The GDAL drivers that may open each format (KML: GDAL's own or libkml, which also reads KMZ,
# as 奥维互动地图 (Ovital Map) and Google Earth write them).
OGR_DRIVERS = {
    "gpkg": ("GPKG",),
    "shp": ("ESRI Shapefile",),
    "geojson": ("GeoJSON",),
    "kml": ("LIBKML", "KML"),
}

# Canonical field -> the column names accepted for it (compared after `header_key`).
FIELD_ALIASES = {
    "name": ("name", "名称", "资产名称", "mc"),
    "kind": ("kind", "类别", "资产类别", "类型", "type"),
    "land_use": ("land_use", "landuse", "土地用途", "地类", "用地类型"),
    "building_use": ("building_use", "bldg_use", "房屋用途", "建筑用途"),
    # 用途 alone is a parcel's land use or a building's use, by the row's kind
    # (transfer.services.AssetRows._fields).
    "use": ("use", "用途"),
    "status": ("status", "状态", "使用状态"),
    "floor_area_m2": ("floor_area_m2", "floor_area", "floor_m2", "建筑面积"),
    "acquired_on": ("acquired_on", "取得日期", "取得时间"),
    "book_value": ("book_value", "账面价值"),
    "description": ("description", "descr", "说明", "描述", "备注"),
    "external_id": ("external_id", "编号", "资产编号", "id"),
    "owner": ("owner", "权属", "权属单位", "所有权人"),
}
WKT_ALIASES = ("wkt", "geometry", "geom", "the_geom", "几何", "空间信息")
LON_ALIASES = ("lon", "lng", "long", "longitude", "经度", "东经")
LAT_ALIASES = ("lat", "latitude", "纬度", "北纬")
X_ALIASES = ("x", "x坐标", "easting", "东坐标", "横坐标")
Y_ALIASES = ("y", "y坐标", "northing", "北坐标", "纵坐标")


class ImportRefused(Exception):
    """The whole file cannot be imported; the message says why in words a clerk understands."""


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def header_key(text: object) -> str:
    """A column name in comparable form: 'Floor area (m²)', 'floor_area' and 'FLOOR AREA' agree."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lstrip("\ufeff")
    text = re.sub(r"[(\[].*?[)\]]", "", text)  # units in brackets: 建筑面积（㎡）
    return re.sub(r"[\s_\-]+", "", text).lower()


@cache
def _alias_index() -> dict[str, str]:
    index = {}
    for canonical, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            index[header_key(alias)] = canonical
    return index


def _truncated_alias(header: str) -> str | None:
    """The field of a Chinese name a 10-byte DBF cut short ("土地用" for "土地用途"), if unique."""
    key = header_key(header)
    if len(header.encode()) < 8 or not key:
        return None
    found = {field for alias, field in _alias_index().items() if alias.startswith(key)}
    return found.pop() if len(found) == 1 else None


def map_columns(
    headers: list[str], chosen: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """(source column -> canonical field, columns not used). The first column for a field wins.
    `chosen` is the person's own reading of some columns (a field, or "" to leave one out),
    which wins over their names."""
    chosen = chosen or {}
    index = _alias_index()
    geometry_keys = {
        header_key(a) for a in (*WKT_ALIASES, *LON_ALIASES, *LAT_ALIASES, *X_ALIASES, *Y_ALIASES)
    }
    mapping: dict[str, str] = {}
    ignored = []
    for header in headers:
        if header in chosen:
            canonical = chosen[header] if chosen[header] in FIELD_ALIASES else ""
            if canonical and canonical not in mapping.values():
                mapping[header] = canonical
            elif not canonical:
                ignored.append(header)
            continue
        canonical = index.get(header_key(header)) or _truncated_alias(header)
        if canonical and canonical not in mapping.values():
            mapping[header] = canonical
        elif header_key(header) not in geometry_keys:
            ignored.append(header)
    return mapping, ignored


def field_choices() -> list[tuple[str, str]]:
    """(field, label) of every field a column can be read as, for the report's column form."""
    return [
        (name, label) for name, (label, _aliases) in zip(FIELD_ALIASES, column_help(), strict=True)
    ]


def column_help() -> list[tuple[str, tuple[str, ...]]]:
    """(field label, the column names accepted for it), for the import page."""
    return [
        (
            _("Land use or building use, by the row's kind")
            if name == "use"
            else capfirst(Asset._meta.get_field(name).verbose_name),
            aliases,
        )
        for name, aliases in FIELD_ALIASES.items()
    ]


# ---------------------------------------------------------------------------------------------
# Coordinate reference systems
# ---------------------------------------------------------------------------------------------


def describe_srid(srid: int) -> str:
    return f"EPSG:{srid} {SpatialReference(srid).name}"


def accepted_crs_text() -> str:
    return _(
        "WGS84 or CGCS2000 longitude/latitude (EPSG:4326, EPSG:4490) and the CGCS2000 "
        "3-degree Gauss-Krüger zones (EPSG:4534-4554, or 4513-4533 with the zone number in the "
        "easting)"
    )


def _proj_params(srs: SpatialReference) -> dict[str, str]:
    params = {}
    for part in srs.proj4.split():
        key, _sep, value = part.lstrip("+").partition("=")
        params[key] = value
    return params


def _earth_like(params: dict[str, str]) -> bool:
    """WGS84, GRS80 or CGCS2000's ellipsoid, which agree to a tenth of a millimetre."""
    towgs84 = params.get("towgs84", "0")
    if any(float(v) != 0 for v in towgs84.split(",") if v):
        return False
    if params.get("datum") == "WGS84" or params.get("ellps") in ("WGS84", "GRS80"):
        return True
    try:
        return (
            abs(float(params["a"]) - 6378137) < 0.5 and abs(float(params["rf"]) - 298.2572) < 1e-3
        )
    except (KeyError, ValueError):
        return False


def identify_srid(srs: SpatialReference) -> int | None:
    """The accepted EPSG code `srs` is, from its authority or else from its parameters.

    Parameters matter because a Shapefile .prj written by ArcGIS names no authority
    ("CGCS2000_3_Degree_GK_CM_120E").
    """
    code = srs.srid
    if code in ACCEPTED_SRIDS:
        return code
    params = _proj_params(srs)
    if not _earth_like(params) or params.get("pm", "greenwich") != "greenwich":
        return None
    if params.get("proj") == "longlat":
        return STORAGE_SRID
    try:
        is_gk = (
            params.get("proj") == "tmerc"
            and params.get("units") == "m"
            and float(params.get("lat_0", 0)) == 0
            and float(params.get("k", params.get("k_0", 1))) == 1
            and float(params.get("y_0", 0)) == 0
        )
        central_meridian, false_easting = float(params["lon_0"]), float(params["x_0"])
    except (KeyError, ValueError):
        return None
    if not is_gk or central_meridian % 3 or not 75 <= central_meridian <= 135:
        return None
    zone = int(central_meridian // 3)
    if false_easting == 500_000:
        return GK_SRIDS[0] + zone - 25
    if false_easting == zone * 1_000_000 + 500_000:
        return GK_ZONE_SRIDS[0] + zone - 25
    return None


@dataclass
class Crs:
    srid: int
    label: str
    note: str = ""


def _declared_crs(srs: SpatialReference) -> Crs:
    srid = identify_srid(srs)
    if srid is None:
        code = f" (EPSG:{srs.srid})" if srs.srid else ""
        raise ImportRefused(
            _(
                "The file's coordinate system “%(name)s”%(code)s is not one we can place on the "
                "map. Accepted: %(accepted)s. Reproject it (e.g. in QGIS) and upload it again."
            )
            % {"name": srs.name, "code": code, "accepted": accepted_crs_text()}
        )
    note = ""
    if srid == CGCS2000_GEOGRAPHIC:
        note = _("CGCS2000 longitude/latitude is used as WGS84 (they agree within a metre).")
    return Crs(srid, describe_srid(srid), note)


def _coordinate_kind(x: float, y: float) -> str:
    """What one coordinate pair looks like: 'china', 'degrees', 'gk', 'gk<zone>' or 'other'."""
    if -180 <= x <= 180 and -90 <= y <= 90:
        return "china" if 73 <= x <= 135.1 and 3 <= y <= 54 else "degrees"
    if not 2_000_000 <= y <= 6_000_000:
        return "other"
    if 200_000 <= x <= 800_000:
        return "gk"
    zone, easting = divmod(x, 1_000_000)
    return f"gk{int(zone)}" if 25 <= zone <= 45 and 200_000 <= easting <= 800_000 else "other"


def guess_crs(samples: list[tuple[float, float]], village_lon: float | None) -> Crs:
    """The coordinate system of a file that names none, from what its coordinates look like.

    Decided by most of the coordinates, so one stray point is refused as a row rather than
    the whole file. Longitude/latitude in China is unambiguous. Gauss-Krüger metres without
    the zone number could be any zone, so the zone of the village the rows belong to is taken.
    """
    if not samples:
        raise ImportRefused(_("The file has no coordinates to import."))
    kinds = Counter(_coordinate_kind(x, y) for x, y in samples)
    kind, count = kinds.most_common(1)[0]
    degrees = kinds["china"] + kinds["degrees"]
    if degrees >= 0.8 * len(samples) and kinds["china"] >= 0.5 * len(samples):
        note = _(
            "The file names no coordinate system; its coordinates look like longitude/latitude."
        )
        return Crs(STORAGE_SRID, describe_srid(STORAGE_SRID), note)
    if kind == "gk" and count >= 0.8 * len(samples) and village_lon is not None:
        srid = gk_srid_for(village_lon)
        note = _(
            "The file names no coordinate system; its coordinates look like CGCS2000 "
            "Gauss-Krüger metres, so the zone of the village (%(crs)s) is assumed."
        ) % {"crs": describe_srid(srid)}
        return Crs(srid, describe_srid(srid), note)
    if kind.startswith("gk") and kind != "gk" and count >= 0.8 * len(samples):
        srid = GK_ZONE_SRIDS[0] + int(kind[2:]) - 25
        note = _(
            "The file names no coordinate system; the zone number in the eastings says %(crs)s."
        ) % {"crs": describe_srid(srid)}
        return Crs(srid, describe_srid(srid), note)
    xs, ys = [x for x, _y in samples], [y for _x, y in samples]
    hint = ""
    if degrees >= 0.8 * len(samples):
        hint = " " + _("They look like degrees but lie outside China: are x and y swapped?")
    raise ImportRefused(
        _(
            "The file names no coordinate system and its coordinates (x %(min_x)s to %(max_x)s, "
            "y %(min_y)s to %(max_y)s) are neither longitude/latitude in China nor Gauss-Krüger "
            "metres. Add a .prj or choose the coordinate system when uploading."
        )
        % {
            "min_x": f"{min(xs):.6g}",
            "max_x": f"{max(xs):.6g}",
            "min_y": f"{min(ys):.6g}",
            "max_y": f"{max(ys):.6g}",
        }
        + hint
    )


def chosen_crs(srid: int) -> Crs:
    if srid not in ACCEPTED_SRIDS:
        raise ImportRefused(
            _("EPSG:%(srid)s is not accepted. Accepted: %(accepted)s.")
            % {"srid": srid, "accepted": accepted_crs_text()}
        )
    return Crs(srid, describe_srid(srid), _("Coordinate system chosen when uploading."))


@cache
def _to_storage(srid: int) -> CoordTransform:
    return CoordTransform(SpatialReference(srid), SpatialReference(STORAGE_SRID))


def to_storage(geom: GEOSGeometry, srid: int) -> GEOSGeometry:
    """The geometry in EPSG:4326; CGCS2000 longitude/latitude is taken as it is."""
    if srid in (STORAGE_SRID, CGCS2000_GEOGRAPHIC):
        geom.srid = STORAGE_SRID
        return geom
    geom.srid = srid
    geom.transform(_to_storage(srid))
    geom.srid = STORAGE_SRID
    return geom


def looks_like_gcj02(points: list[Point], boundary: GEOSGeometry | None) -> bool:
    """Whether WGS84-labelled points are really GCJ-02 ("Mars") coordinates. A heuristic.

    Coordinates copied from AMap/Gaode or Tencent maps are GCJ-02: in Zhejiang they sit about
    400 m east and 360 m south of the truth. So the points near a village's south-eastern edge
    fall outside its WGS84 boundary, and come back inside when shifted with `gcj02_to_wgs84`.
    It says yes when at least a fifth of the points lie outside, shifting back brings all but
    a few (5%) inside, and shifting the other way (the control) leaves more outside than
    before, so points that are simply scattered around the boundary do not trip it.

    It cannot see an offset in data far from any edge (a big village, a few central points),
    and a rough boundary can fool it; it only warns and never changes the data.
    """
    if boundary is None or len(points) < 3:
        return False
    prepared = boundary.prepared

    def outside(shift: Callable[[float, float], tuple[float, float]] | None) -> int:
        return sum(
            not prepared.contains(Point(*shift(p.x, p.y), srid=STORAGE_SRID) if shift else p)
            for p in points
        )

    n = len(points)
    as_given = outside(None)
    if as_given < max(2, 0.2 * n):
        return False
    return outside(gcj02_to_wgs84) <= 0.05 * n and outside(wgs84_to_gcj02) > as_given


# ---------------------------------------------------------------------------------------------
# Rows and sources
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One feature or spreadsheet row: raw values by canonical field, and its WGS84 geometry."""

    layer: str
    number: int
    values: dict[str, object]
    geometry: GEOSGeometry | None = None
    problem: str = ""  # why no geometry could be read

    @property
    def key(self) -> str:
        return f"{self.layer}#{self.number}"


@dataclass
class Layer:
    name: str
    total: int
    crs: Crs
    columns: dict[str, str]
    ignored: list[str]
    rows: Callable[[], Iterator[Row]]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "rows": self.total,
            "crs": self.crs.label,
            "crs_note": self.crs.note,
            "columns": self.columns,
            "ignored": self.ignored,
        }


@dataclass
class Source:
    format: str
    layers: list[Layer] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(layer.total for layer in self.layers)

    @property
    def label(self) -> str:
        return FORMAT_LABELS[self.format]

    def rows(self) -> Iterator[Row]:
        """Every layer's rows; a file of one layer numbers its rows without the layer's name."""
        for layer in self.layers:
            for row in layer.rows():
                if len(self.layers) == 1:
                    row.layer = ""
                yield row


@dataclass
class Context:
    """What reading needs to know beyond the file."""

    village_lon: float | None = None
    srid: int | None = None  # chosen by the person uploading, instead of detection
    columns: dict[str, str] = field(default_factory=dict)  # column -> field, by the person


def file_format(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    if suffix == ".shp":
        raise ImportRefused(
            _(
                "A Shapefile is several files: put the .shp, .shx, .dbf, .prj (and .cpg) in one "
                ".zip and upload that."
            )
        )
    if suffix == ".xls":
        raise ImportRefused(_("Old Excel files (.xls) cannot be read: save it as .xlsx first."))
    raise ImportRefused(
        _(
            "Files of type “%(suffix)s” cannot be imported. Upload a GeoPackage (.gpkg), a zipped "
            "Shapefile (.zip), GeoJSON (.geojson), KML or KMZ (.kml, .kmz), CSV (.csv) or Excel "
            "(.xlsx) file."
        )
        % {"suffix": suffix or filename}
    )


@contextlib.contextmanager
def open_source(path: Path, *, filename: str, context: Context) -> Iterator[Source]:
    """Open an uploaded file as rows, or raise ImportRefused saying what is wrong with it."""
    fmt = file_format(filename)
    size = path.stat().st_size
    if size > max_bytes():
        raise ImportRefused(
            _("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
            % {"size": megabytes(size), "max": megabytes(max_bytes())}
        )
    if size == 0:
        raise ImportRefused(_("The file is empty."))
    with contextlib.ExitStack() as stack:
        try:
            source = Source(fmt)
            if fmt == "gpkg":
                _open_gpkg(path, source, context)
            elif fmt == "shp":
                _open_zip(path, source, context, stack)
            elif fmt == "geojson":
                _open_geojson(path, source, context)
            elif fmt == "kml":
                _open_kml(path, source, context)
            elif fmt == "csv":
                _open_table(source, _csv_records(path), context)
            else:
                _open_table(source, _xlsx_records(path, source), context)
        except ImportRefused:
            raise
        except READ_ERRORS as exc:
            # A damaged file: the person needs a refusal, and we the traceback in case the
            # reader itself is at fault.
            logger.warning("Could not read %s as %s", filename, fmt, exc_info=True)
            raise ImportRefused(
                _("The file could not be read as %(format)s; it may be damaged.")
                % {"format": FORMAT_LABELS[fmt]}
            ) from exc
        if not source.layers:
            raise ImportRefused(_("The file has no rows to import."))
        if source.total > max_rows():
            raise ImportRefused(
                _(
                    "The file has %(rows)s rows; at most %(max)s can be imported at once. "
                    "Split it into smaller files."
                )
                % {"rows": source.total, "max": max_rows()}
            )
        yield source


def count_rows(path: Path, *, filename: str) -> int | None:
    """How many rows a file has, cheaply, or None when it cannot tell (the check will say why)."""
    try:
        fmt = file_format(filename)
        if fmt in ("gpkg", "geojson", "kml"):
            if not _sniff(path, fmt):
                return None
            return sum(layer.num_feat for layer in DataSource(str(path)))
        if fmt == "shp":
            # A .shx is a 100-byte header and 8 bytes per record.
            with zipfile.ZipFile(path) as archive:
                sizes = [
                    m.file_size for m in archive.infolist() if m.filename.lower().endswith(".shx")
                ]
            return sum(max(size - 100, 0) // 8 for size in sizes) if sizes else None
        if fmt == "csv":
            with path.open("rb") as f:
                return max(sum(1 for line in f if line.strip()) - 1, 0)
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            rows = workbook.worksheets[0].max_row
        finally:
            workbook.close()
        return max(rows - 1, 0) if rows else None
    except READ_ERRORS:  # an unreadable file: the check says why
        return None


def _sniff(path: Path, fmt: str) -> bool:
    """Whether the first bytes are what the format must start with (before GDAL opens it)."""
    with path.open("rb") as f:
        head = f.read(64)
    if fmt == "gpkg":
        return head.startswith(b"SQLite format 3\x00")
    if fmt == "geojson":
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    return True


def _open_datasource(path: Path, fmt: str) -> DataSource:
    try:
        ds = DataSource(str(path))
    except GDALException as exc:
        raise ImportRefused(
            _("The file is not a valid %(format)s: it is damaged or cut short.")
            % {"format": FORMAT_LABELS[fmt]}
        ) from exc
    if ds.driver.name not in OGR_DRIVERS[fmt]:
        raise ImportRefused(
            _("The file is not a valid %(format)s.") % {"format": FORMAT_LABELS[fmt]}
        )
    return ds


def _open_gpkg(path: Path, source: Source, context: Context) -> None:
    if not _sniff(path, "gpkg"):
        raise ImportRefused(_("The file is not a valid GeoPackage (it is not an SQLite database)."))
    _add_ogr_layers(_open_datasource(path, "gpkg"), source, context, declared=True)


def _open_geojson(path: Path, source: Source, context: Context) -> None:
    if not _sniff(path, "geojson"):
        raise ImportRefused(_("The file is not valid GeoJSON (it does not start with “{”)."))
    ds = _open_datasource(path, "geojson")
    # RFC 7946 GeoJSON is WGS84 by definition, and GDAL says so even for a file in metres;
    # only an explicit (pre-2016) "crs" member counts as a declaration.
    with path.open("rb") as f:
        declared = b'"crs"' in f.read()
    _add_ogr_layers(ds, source, context, declared=declared)
    for layer in source.layers:
        if not declared and layer.crs.srid == STORAGE_SRID and not context.srid:
            layer.crs.note = ""  # WGS84 is what GeoJSON means when it says nothing


def _open_kml(path: Path, source: Source, context: Context) -> None:
    """KML or KMZ: WGS84 by definition (OGC KML 2.2), so declared; the GCJ-02 check that
    follows every import still catches points traced on a Chinese web map."""
    with path.open("rb") as f:
        head = f.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not (head.startswith(b"<") or head.startswith(b"PK\x03\x04")):
        raise ImportRefused(_("The file is not valid KML or KMZ."))
    _add_ogr_layers(_open_datasource(path, "kml"), source, context, declared=True)


def _open_zip(path: Path, source: Source, context: Context, stack: contextlib.ExitStack) -> None:
    """Unpack each Shapefile of the zip under our own file names, then read them."""
    if not zipfile.is_zipfile(path):
        raise ImportRefused(_("The file is not a valid zip archive."))
    try:
        archive = stack.enter_context(zipfile.ZipFile(path))
        members = [m for m in archive.infolist() if not m.is_dir()]
        budget = UNZIP_FACTOR * max_bytes()
        by_stem: dict[str, dict[str, zipfile.ZipInfo]] = {}
        for member in members:
            name = member.filename
            if "__MACOSX" in name or Path(name).name.startswith("."):
                continue
            stem, suffix = name[: -len(Path(name).suffix) or None], Path(name).suffix.lower()
            by_stem.setdefault(stem, {})[suffix] = member
        shapefiles = sorted(stem for stem, parts in by_stem.items() if ".shp" in parts)
        if not shapefiles:
            raise ImportRefused(_("The zip holds no Shapefile (.shp)."))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="import-")))
        for i, stem in enumerate(shapefiles):
            parts = by_stem[stem]
            missing = [s for s in (".shx", ".dbf") if s not in parts]
            if missing:
                raise ImportRefused(
                    _("The Shapefile %(name)s in the zip lacks its %(parts)s file.")
                    % {"name": Path(stem).name, "parts": ", ".join(missing)}
                )
            for suffix, member in parts.items():
                if suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                    budget -= _unzip(archive, member, folder / f"layer{i}{suffix}", budget)
            shp = folder / f"layer{i}.shp"
            ds = _open_shapefile(shp, has_cpg=".cpg" in parts)
            _add_ogr_layers(ds, source, context, declared=True, name=Path(stem).name)
    except zipfile.BadZipFile as exc:
        raise ImportRefused(_("The zip archive is damaged: %(error)s") % {"error": exc}) from exc


def _unzip(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, limit: int) -> int:
    """Copy one member out in chunks, counting what is really unpacked, not what the zip claims.

    Returns the bytes written; refuses past `limit`, so a zip bomb stops early.
    """
    written = 0
    with archive.open(member) as src, target.open("wb") as out:
        while chunk := src.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                raise ImportRefused(_("The zip unpacks to more than can be imported at once."))
            out.write(chunk)
    return written


_set_thread_option = lgdal.CPLSetThreadLocalConfigOption
_set_thread_option.argtypes = [c_char_p, c_char_p]
_set_thread_option.restype = None
_fid_column = lgdal.OGR_L_GetFIDColumn
_fid_column.argtypes = [c_void_p]
_fid_column.restype = c_char_p


@contextlib.contextmanager
def _raw_shapefile_text() -> Iterator[None]:
    """Ask GDAL for the DBF's bytes as they are, so we can tell UTF-8 from GBK ourselves."""
    _set_thread_option(b"SHAPE_ENCODING", b"")
    try:
        yield
    finally:
        _set_thread_option(b"SHAPE_ENCODING", None)


def _open_shapefile(shp: Path, *, has_cpg: bool) -> DataSource:
    """A Shapefile with a .cpg is decoded by GDAL; without one, Chinese tools wrote UTF-8 or GBK.

    GDAL would read a .cpg-less DBF as Latin-1 and turn GBK names into mojibake, so the bytes
    are taken raw (GDAL reads the option when it opens the layer) and the encoding decided by
    `_probe_encoding`.
    """
    if has_cpg:
        return _open_datasource(shp, "shp")
    with _raw_shapefile_text():
        ds = _open_datasource(shp, "shp")
        layer = ds[0]
    ds.encoding = _probe_encoding(layer)
    return ds


def _decode(raw: bytes | None, encoding: str, errors: str = "replace") -> str | None:
    """Text of a DBF or GeoPackage field, forgiving a character cut off at the end.

    A DBF name has 10 bytes and a text field a fixed width, so a tool that writes UTF-8 or
    GBK often cuts the last character in half ("建筑面积" becomes "建筑面" and a stray byte).
    """
    if raw is None:
        return None
    return codecs.getincrementaldecoder(encoding)(errors).decode(raw, final=False)


def _probe_encoding(layer) -> str:
    """UTF-8 if the names and the first rows' text decode as UTF-8, else GB18030 (⊃ GBK)."""
    try:
        _field_names(layer, "utf-8", "strict")
        for i, feature in enumerate(layer):
            if i >= ENCODING_PROBE_ROWS:
                break
            for index in range(layer.num_fields):
                _field_value(feature, index, "utf-8", "strict")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _field_names(layer, encoding: str, errors: str = "replace") -> list[str]:
    """Read through GDAL's C API, as Django's `Layer.fields` refuses a name cut in half."""
    return [
        _decode(ogr.get_field_name(ogr.get_field_defn(layer._ldefn, i)), encoding, errors) or ""
        for i in range(layer.num_fields)
    ]


def _field_value(feature, index: int, encoding: str, errors: str = "replace") -> object:
    field = feature[index]
    if isinstance(field, OFTString | OFTWideString):
        if not field.is_set:
            return None
        return _decode(ogr.get_field_as_string(feature.ptr, index), encoding, errors)
    return field.value


def _fid_field(layer) -> str:
    """A GeoPackage keeps an integer "id" column as its feature id, out of the attribute list."""
    name = (_fid_column(layer.ptr) or b"").decode("utf-8", "replace")
    return name if header_key(name) in _alias_index() else ""


# Columns libkml adds to every KML layer (how a placemark is drawn, not what it records).
KML_STYLE_FIELDS = frozenset(
    {"timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility"}
    | {"drawOrder", "icon", "snippet"}
)


def _add_ogr_layers(
    ds: DataSource, source: Source, context: Context, *, declared: bool, name: str = ""
) -> None:
    for layer in ds:
        layer_name = name or layer.name
        if layer.geom_type.name == "None":
            source.warnings.append(
                _("The table “%(layer)s” has no geometry and was left out.") % {"layer": layer_name}
            )
            continue
        total = layer.num_feat
        if not total:
            source.warnings.append(_("The layer “%(layer)s” is empty.") % {"layer": layer_name})
            continue
        fid_field = _fid_field(layer)
        names = _field_names(layer, ds.encoding)
        columns, ignored = map_columns(([fid_field] if fid_field else []) + names, context.columns)
        if ds.driver.name in OGR_DRIVERS["kml"]:
            ignored = [column for column in ignored if column not in KML_STYLE_FIELDS]
        positions = {
            canonical: FID if header == fid_field else names.index(header)
            for header, canonical in columns.items()
        }
        crs = _layer_crs(layer, context, declared=declared)
        reader = _ogr_rows_reader(layer, layer_name, positions, ds.encoding, crs.srid)
        source.layers.append(Layer(layer_name, total, crs, columns, ignored, reader))


def _layer_crs(layer, context: Context, *, declared: bool) -> Crs:
    if context.srid:
        return chosen_crs(context.srid)
    srs = layer.srs
    if declared and srs is not None and not srs.name.lower().startswith("undefined"):
        return _declared_crs(srs)
    samples = []
    for feature in layer:
        if len(samples) >= GUESS_SAMPLES:
            break
        with contextlib.suppress(GDALException):
            min_x, min_y, max_x, max_y = feature.geom.extent
            samples.append(((min_x + max_x) / 2, (min_y + max_y) / 2))
    return guess_crs(samples, context.village_lon)


def _ogr_rows_reader(
    layer, layer_name: str, positions: dict[str, int], encoding: str, srid: int
) -> Callable[[], Iterator[Row]]:
    def rows() -> Iterator[Row]:
        for number, feature in enumerate(layer, start=1):
            values: dict[str, object] = {}
            for canonical, index in positions.items():
                value = feature.fid if index == FID else _field_value(feature, index, encoding)
                if value not in (None, ""):
                    values[canonical] = value
            geometry, problem = _feature_geometry(feature, srid)
            yield Row(layer_name, number, values, geometry, problem)

    return rows


def _feature_geometry(feature, srid: int) -> tuple[GEOSGeometry | None, str]:
    try:
        geom = feature.geom
    except GDALException:
        return None, _("The row has no geometry.")
    try:
        if geom.is_3d:
            geom.set_3d(False)
        if geom.is_measured:
            geom.set_measured(False)
        return to_storage(geom.geos, srid), ""
    except (GDALException, GEOSException):
        return None, _("The geometry (%(type)s) cannot be read.") % {"type": geom.geom_name}


# ---------------------------------------------------------------------------------------------
# CSV and Excel
# ---------------------------------------------------------------------------------------------

TableRecords = tuple[list[str], Iterator[tuple[int, list[object]]]]
HEADER_SCAN = 10  # rows looked at for the header: title rows above it are skipped
TOTAL_WORDS = {"合计", "总计", "小计", "共计", "total", "sum"}


def _filled(cells: list[object]) -> list[object]:
    return [c for c in cells if c is not None and str(c).strip()]


def _names_columns(values: list[str]) -> bool:
    """Every value is a column name we know (a field or a coordinate)."""
    _mapping, ignored = map_columns(values)
    return bool(values) and not ignored


def _find_header(numbered: Iterator[tuple[int, list[object]]]) -> TableRecords:
    """The header as village spreadsheets have it: title rows above it (one filled cell, such
    as 东岙村集体资产清单) are skipped, and a second header row under cells merged over it
    (坐标 over 经度 | 纬度) is read into it. Raises ImportRefused when no row has two names."""
    header: list[str] = []
    for scanned, (_number, cells) in enumerate(numbered, start=1):
        if len(_filled(cells)) >= 2:
            header = [str(c if c is not None else "").strip() for c in cells]
            break
        if scanned >= HEADER_SCAN:
            break
    if not header:
        raise ImportRefused(_("No header row found: the first rows hold no column names."))
    following = next(numbered, None)
    if following is not None:
        _number, cells = following
        below = [str(c).strip() if isinstance(c, str) else c for c in cells]
        texts = [c for c in below if c not in (None, "")]
        if texts and all(isinstance(c, str) for c in texts) and _names_columns(texts):
            width = max(len(header), len(below))
            header = [
                (below[i] if i < len(below) and below[i] else "")
                or (header[i] if i < len(header) else "")
                for i in range(width)
            ]
        else:
            numbered = itertools.chain([following], numbered)
    return header, numbered


def _is_total(cells: list[object]) -> bool:
    """A 合计 (total) row at the foot of a table: a sum, not a record."""
    filled = _filled(cells)
    return bool(filled) and str(filled[0]).strip().replace(" ", "").lower() in TOTAL_WORDS


def _csv_records(path: Path) -> TableRecords:
    """Header and numbered rows of a CSV in UTF-8 (with or without BOM) or GBK, as Excel saves."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(_("The CSV file is neither UTF-8 nor GBK text."))
    if "\x00" in text:
        raise ImportRefused(_("The file is not a CSV text file."))
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    if not text.strip():
        raise ImportRefused(_("The file is empty."))

    def records() -> Iterator[tuple[int, list[object]]]:
        try:
            for cells in reader:
                yield reader.line_num, list(cells)
        except csv.Error as exc:
            raise ImportRefused(
                _("The CSV file is malformed at line %(line)s: %(error)s")
                % {"line": reader.line_num, "error": exc}
            ) from exc

    return _find_header(records())


def _xlsx_records(path: Path, source: Source) -> TableRecords:
    """The first worksheet; its first non-empty row is the header. Row numbers are Excel's."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(_("The file is not a valid Excel (.xlsx) workbook.")) from exc
    if len(workbook.worksheets) > 1:
        source.warnings.append(
            _("Only the first worksheet “%(sheet)s” was read.")
            % {"sheet": workbook.worksheets[0].title}
        )
    rows = workbook.worksheets[0].iter_rows(values_only=True)

    def records() -> Iterator[tuple[int, list[object]]]:
        try:
            yield from enumerate((list(cells) for cells in rows), start=1)
        finally:
            workbook.close()

    numbered = records()
    first = next(numbered, None)
    if first is None:
        workbook.close()
        raise ImportRefused(_("The worksheet is empty."))
    return _find_header(itertools.chain([first], numbered))


@dataclass
class _TableGeometry:
    """Which columns hold the geometry: a WKT column, or two coordinate columns."""

    wkt: int | None = None
    x: int | None = None
    y: int | None = None
    generic_xy: bool = False  # "x"/"y": in Chinese surveying X is the northing, so go by size

    @classmethod
    def find(cls, header: list[str]) -> "_TableGeometry":
        keys = [header_key(h) for h in header]

        def first(aliases: tuple[str, ...]) -> int | None:
            wanted = {header_key(a) for a in aliases}
            return next((i for i, k in enumerate(keys) if k in wanted), None)

        wkt = first(WKT_ALIASES)
        if wkt is not None:
            return cls(wkt=wkt)
        lon, lat = first(LON_ALIASES), first(LAT_ALIASES)
        if lon is not None and lat is not None:
            return cls(x=lon, y=lat)
        x, y = first(X_ALIASES), first(Y_ALIASES)
        if x is not None and y is not None:
            return cls(x=x, y=y, generic_xy=True)
        raise ImportRefused(
            _(
                "No geometry columns found. Add longitude and latitude columns (经度, 纬度 or "
                "lon, lat) or a WKT column."
            )
        )

    def read(self, cells: list[object]) -> tuple[GEOSGeometry | None, str]:
        def cell(i: int) -> object:
            return cells[i] if i < len(cells) else None

        if self.wkt is not None:
            text = str(cell(self.wkt) or "").strip()
            if not text:
                return None, _("The row has no geometry.")
            try:
                return GEOSGeometry(text), ""
            except (ValueError, GEOSException, GDALException):
                return None, _("The WKT geometry cannot be read.")
        raw_x, raw_y = cell(self.x), cell(self.y)
        if raw_x in (None, "") or raw_y in (None, ""):
            return None, _("The row has no coordinates.")
        x, y = parse_degrees(raw_x), parse_degrees(raw_y)
        if x is None or y is None:
            return None, _(
                "The coordinates “%(x)s, %(y)s” cannot be read: give decimal degrees "
                "(120.6412) or degrees, minutes and seconds (120°38′28″), or metres of a "
                "projected system."
            ) % {"x": str(raw_x)[:30], "y": str(raw_y)[:30]}
        if self.generic_xy and 2_000_000 <= x <= 6_000_000 and not 2_000_000 <= y <= 6_000_000:
            x, y = y, x
        return Point(x, y), ""


def _open_table(source: Source, records: TableRecords, context: Context) -> None:
    header, numbered = records
    columns, ignored = map_columns(header, context.columns)
    geometry_columns = _TableGeometry.find(header)
    positions = {canonical: header.index(column) for column, canonical in columns.items()}
    parsed = []
    srids = set()
    for number, cells in numbered:
        if all(c in (None, "") or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if _is_total(cells):
            continue
        if len(parsed) >= max_rows():
            raise ImportRefused(
                _("The file has more than %(max)s rows; split it into smaller files.")
                % {"max": max_rows()}
            )
        values = {}
        for canonical, i in positions.items():
            value = cells[i] if i < len(cells) else None
            if isinstance(value, str):
                value = spreadsheets.unquote(value.strip())
            if value not in (None, ""):
                values[canonical] = value
        geometry, problem = geometry_columns.read(cells)
        if geometry is not None:
            srids.add(geometry.srid)
        parsed.append((number, values, geometry, problem))
    if not parsed:
        return
    crs = _table_crs(parsed, srids, context)

    def rows() -> Iterator[Row]:
        for number, values, geometry, problem in parsed:
            if geometry is not None:
                try:
                    geometry = to_storage(geometry.clone(), crs.srid)
                except (GDALException, GEOSException):
                    geometry, problem = None, _("The coordinates cannot be transformed.")
            yield Row("", number, values, geometry, problem)

    source.layers.append(Layer("", len(parsed), crs, columns, ignored, rows))


def _table_crs(parsed: list, srids: set, context: Context) -> Crs:
    """A chosen CRS, else the SRID the EWKT rows agree on, else a guess from the coordinates."""
    if context.srid:
        return chosen_crs(context.srid)
    if len(srids) == 1 and None not in srids:
        return _declared_crs(SpatialReference(srids.pop()))
    samples = []
    for _n, _v, geometry, _p in parsed[:GUESS_SAMPLES]:
        if geometry is not None and not geometry.empty:
            min_x, min_y, max_x, max_y = geometry.extent
            samples.append(((min_x + max_x) / 2, (min_y + max_y) / 2))
    if not samples:
        raise ImportRefused(_("No row has coordinates that can be read."))
    return guess_crs(samples, context.village_lon)
