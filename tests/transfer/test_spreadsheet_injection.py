"""No downloaded CSV or Excel file runs a formula (security finding 6).

Records carrying text a spreadsheet would run (the `=HYPERLINK` of the report, `+`, `-`, `@`,
a tab or carriage return, leading spaces, the full-width forms Excel on Chinese Windows reads)
are made through the services, downloaded through every export route, and parsed back.
"""

import csv
import datetime as dt
import io
import unicodedata
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gis import spreadsheets
from leasing import auctions
from leasing import services as lease_services
from leasing.models import Lease
from projects import procedure
from projects.models import Stage
from registry import services
from registry.models import AdminUnit, Asset, Cooperative
from tests.projects.walk import DAYS, new_project, walk_to
from transfer import exporters
from visits import services as visit_services
from visits.models import Site

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://example.invalid/","点此查看")'
PAYLOADS = (
    HYPERLINK,
    "+86-1+1",
    "-5+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\n=1+1",
    "＝1+1",
    "＋1+1",
    "－5+3",
    "＠SUM(1)",
    "\u3000=1+1",
    "\u200b=1+1",
)
FLOOR_AREA = Decimal("123.45")
LANGUAGES = ("zh-hans", "en")
VILLAGE = "东岙村"


def formula_like(text: str) -> bool:
    """Independent of the writer: what a spreadsheet would start a formula with."""
    if text[:1] in ("\t", "\r"):
        return True
    normal = unicodedata.normalize("NFKC", text)
    visible = normal.lstrip().lstrip("\u200b\u200c\u200d\u2060\ufeff").lstrip()
    return visible[:1] in ("=", "+", "-", "@")


@pytest.fixture
def hostile(db):
    """Assets, projects, sites, leases and auctions whose public text is a formula."""
    village = AdminUnit.objects.get(name=VILLAGE)
    owner = Cooperative.objects.get(village=village)
    centre = village.boundary.point_on_surface
    today = timezone.localdate()
    assets = [
        services.create_asset(
            actor=None,
            kind=Asset.Kind.BUILDING,
            building_use="shop",
            name=payload,
            description=payload,
            village=village,
            owner=owner,
            floor_area_m2=FLOOR_AREA,
            status=Asset.Status.IDLE,
            geometry=Point(centre.x + i * 1e-4, centre.y, srid=4326),
        )
        for i, payload in enumerate(PAYLOADS)
    ]
    leased, auctioned = assets[: len(assets) // 2], assets[len(assets) // 2 :]
    for asset, payload in zip(leased, PAYLOADS, strict=False):
        lease_services.create_lease(
            actor=None,
            asset=asset,
            tenant_name=payload,
            tenant_kind=Lease.TenantKind.ORGANISATION,
            start_on=today - dt.timedelta(days=400),
            end_on=today + dt.timedelta(days=700),
            annual_rent=Decimal("12000"),
            payment_schedule=Lease.Schedule.ANNUAL,
            deposit=Decimal("2000"),
            awarded_by=Lease.Award.NEGOTIATION,
            valuation=Decimal("30000"),
        )
    for i, (asset, payload) in enumerate(zip(auctioned, PAYLOADS, strict=False)):
        auction = auctions.announce_auction(
            asset,
            actor=None,
            title=payload,
            announced_on=today - dt.timedelta(days=30),
            held_on=today,
            place=payload,
            reserve_price=Decimal("20000"),
            lease_start_on=today + dt.timedelta(days=30),
            lease_end_on=today + dt.timedelta(days=30 + 3 * 365),
            conditions=payload,
        )
        if i % 2:
            auctions.cancel_auction(auction, actor=None, reason=payload)
        else:
            auctions.record_bid(
                auction,
                actor=None,
                paddle=1,
                bidder_name=payload,
                bidder_kind=Lease.TenantKind.ORGANISATION,
                amount=Decimal("21000"),
            )
            auctions.publish_result(auction, actor=None)
    for payload in PAYLOADS:
        new_project(name=payload, description=payload)
        visit_services.create_site(
            actor=None,
            kind=Site.Kind.CULTURE_SITE,
            name=payload,
            unit=village,
            story=payload,
            address=payload,
            opening_hours=payload,
            contact=payload,
            location=Point(centre.x, centre.y, srid=4326),
        )
    project = walk_to(new_project(name="公式承包方测试工程"), Stage.CONTRACTING)
    procedure.record_contract(
        project,
        actor=None,
        contracting_method="comparison",
        contractor=HYPERLINK,
        contract_amount=Decimal("120000"),
        contract_signed_on=DAYS["signed"],
    )
    return village


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(spreadsheets.BOM.encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(body: bytes) -> list[list]:
    """Values, after checking that no cell of the workbook is a formula."""
    sheet = load_workbook(io.BytesIO(body)).active
    rows = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
        rows.append([cell.value for cell in row])
    return rows


def body_of(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_no_formulas(rows: list[list], *, expect: int) -> None:
    """No text cell starts a formula, and the payloads are there, behind an apostrophe."""
    texts = [v for row in rows for v in row if isinstance(v, str) and v]
    for text in texts:
        assert not formula_like(text), repr(text)
    neutralised = [t for t in texts if t.startswith("'") and formula_like(t[1:])]
    assert len(neutralised) >= expect, neutralised


def column(rows: list[list], title: str) -> list:
    index = rows[0].index(title)
    return [row[index] for row in rows[1:]]


EXPORTS = [
    (layer, fmt, filters)
    for layer in exporters.LAYERS
    for fmt in ("csv", "xlsx")
    for filters in ((), ("village",), ("kind",))
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_transfer_exports_of_every_layer_run_no_formula(client, hostile, language):
    kinds = {"assets": "building", "projects": "road", "sites": "culture_site"}
    for layer, fmt, filters in EXPORTS:
        params = {key: hostile.code if key == "village" else kinds[layer] for key in filters}
        response = client.get(
            reverse("transfer:export", args=[layer, fmt]),
            params,
            headers={"accept-language": language},
        )
        body = body_of(response)
        rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
        assert_no_formulas(rows, expect=len(PAYLOADS))
        assert f"'{HYPERLINK}" in {v for row in rows for v in row}, (layer, fmt, filters)


def test_the_hyperlink_asset_is_neutralised_and_its_numbers_stay_numbers(client, hostile):
    url = reverse("transfer:export", args=["assets", "xlsx"])
    rows = xlsx_rows(body_of(client.get(url, {"village": hostile.code})))
    row = next(r for r in rows if r[rows[0].index("名称")] == f"'{HYPERLINK}")
    assert row[rows[0].index("说明")] == f"'{HYPERLINK}"
    assert row[rows[0].index("建筑面积")] == float(FLOOR_AREA)
    assert all(isinstance(v, int | float) for v in column(rows, "经度"))
    assert all(isinstance(v, int) for v in column(rows, "记录号"))
    csv_body = body_of(client.get(reverse("transfer:export", args=["assets", "csv"])))
    rows = csv_rows(csv_body)
    row = next(r for r in rows if r[rows[0].index("名称")] == f"'{HYPERLINK}")
    assert Decimal(row[rows[0].index("建筑面积")]) == FLOOR_AREA


@pytest.mark.parametrize("name", ["projects", "leases", "auctions"])
def test_open_data_tables_run_no_formula_in_any_language_or_header(client, hostile, name):
    for fmt in ("csv", "xlsx"):
        for query in ("", "?header=keys"):
            for language in LANGUAGES:
                url = reverse("open_data:table", args=[name, fmt]) + query
                body = body_of(client.get(url, headers={"accept-language": language}))
                rows = csv_rows(body) if fmt == "csv" else xlsx_rows(body)
                assert_no_formulas(rows, expect=len(PAYLOADS) // 2)
                assert f"'{HYPERLINK}" in {v for row in rows for v in row}, (fmt, query)


def test_open_data_amounts_stay_numbers(client, hostile):
    url = reverse("open_data:table", args=["leases", "xlsx"]) + "?header=keys"
    rows = xlsx_rows(body_of(client.get(url)))
    ours = [r for r in rows[1:] if r[rows[0].index("asset")] == f"'{HYPERLINK}"]
    assert len(ours) == 1
    row = ours[0]
    assert row[rows[0].index("tenant_public_name")] == f"'{HYPERLINK}"
    for key in ("annual_rent", "deposit", "due", "paid", "arrears"):
        assert isinstance(row[rows[0].index(key)], int | float), key
    assert row[rows[0].index("annual_rent")] == 12000


def test_the_writer_keeps_numbers_and_neutralises_only_text():
    header = ["amount", "text"]
    rows = [[-5, "-5+3"], [Decimal("-5.50"), "plain"], [-1.25, "=1"], [None, "＝1"]]
    body = spreadsheets.xlsx_bytes("t", header, rows)
    values = xlsx_rows(body)
    assert values[1:] == [[-5, "'-5+3"], [-5.5, "plain"], [-1.25, "'=1"], [None, "'＝1"]]
    text = csv_rows(spreadsheets.csv_bytes(header, rows))
    assert text[1:] == [["-5", "'-5+3"], ["-5.50", "plain"], ["-1.25", "'=1"], ["", "'＝1"]]


@pytest.mark.parametrize("text", PAYLOADS)
def test_every_dangerous_start_is_caught(text):
    assert spreadsheets.is_formula_like(text)
    assert spreadsheets.neutralise(text) == f"'{text}"


@pytest.mark.parametrize("text", ["东岙村", "5-3", " 办公楼", "'=already", "a=b", "", "0577-1234"])
def test_ordinary_text_is_left_alone(text):
    assert not spreadsheets.is_formula_like(text)
    assert spreadsheets.neutralise(text) == text
