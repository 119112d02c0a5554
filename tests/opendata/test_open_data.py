import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft4Validator
from openpyxl import load_workbook
from referencing import Registry, Resource

from gis import spreadsheets
from leasing.models import Auction, Bid, Lease
from opendata import selectors
from opendata.oc4ids import project_id
from projects.models import Project, Stage
from registry.models import Asset

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).parents[2] / "opendata" / "schemas" / "oc4ids"
BUDGETS = json.loads((Path(__file__).parents[1] / "query_counts.json").read_text())
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
BIDDER = "欧阳明远"
BIDDER_PHONE = "13912345678"


def oc4ids_validator() -> Draft4Validator:
    """The package schema, its $ref to the project schema resolved from the vendored copy."""
    package = json.loads((SCHEMAS / "project-package-schema.json").read_text())
    project = json.loads((SCHEMAS / "project-schema.json").read_text())
    registry = Registry().with_resource(project["id"], Resource.from_contents(project))
    return Draft4Validator(
        package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def get_package(client) -> dict:
    response = client.get(reverse("open_data:oc4ids-projects"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.fixture
def auction(db):
    """An awarded auction with an individual's bid: the demo has no auctions yet."""
    asset = Asset.objects.filter(kind="building").select_related("village").first()
    held = timezone.localdate() - dt.timedelta(days=10)
    auction = Auction.objects.create(
        asset=asset,
        title=f"{asset.name}租赁权公开拍租",
        announced_on=held - dt.timedelta(days=20),
        held_on=held,
        place="村委会会议室",
        reserve_price=Decimal("20000"),
        lease_start_on=held + dt.timedelta(days=30),
        lease_end_on=held + dt.timedelta(days=30 + 3 * 365),
        status=Auction.Status.AWARDED,
        result_published_on=held + dt.timedelta(days=1),
        winning_amount=Decimal("23500"),
        winner_public_name="欧阳***",
    )
    for paddle, amount in ((1, "21000"), (2, "23500")):
        Bid.objects.create(
            auction=auction,
            paddle=paddle,
            bidder_name=BIDDER if paddle == 2 else "陈静",
            bidder_contact=BIDDER_PHONE,
            amount=Decimal(amount),
            placed_at=timezone.now(),
        )
    return auction


def test_oc4ids_package_validates_against_the_vendored_schema(client):
    validator = oc4ids_validator()
    assert validator.format_checker.conforms("2024-01-01T00:00:00+08:00", "date-time")
    assert not validator.format_checker.conforms("2024-01-01", "date-time")
    package = get_package(client)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
    assert errors == []
    assert package["version"] == "0.9"
    assert package["publisher"]["name"] == "瑞安市清廉村社"
    assert package["uri"].endswith("/api/oc4ids/projects.json")


def test_oc4ids_package_has_every_public_project_once(client):
    package = get_package(client)
    ids = [p["id"] for p in package["projects"]]
    assert sorted(ids) == sorted(project_id(p) for p in Project.objects.select_related("village"))
    assert all(i.startswith("oc4ids-qinglian-") for i in ids)


def test_oc4ids_maps_a_settled_project(client):
    project = (
        Project.objects.filter(stage=Stage.SETTLEMENT, settlement_amount__isnull=False)
        .exclude(contractor="")
        .select_related("village")
        .first()
    )
    documents = list(project.documents.all())
    record = next(p for p in get_package(client)["projects"] if p["id"] == project_id(project))

    assert record["title"] == project.name
    assert record["status"] == "completion"
    assert record["budget"]["amount"] == {"amount": float(project.budget_price), "currency": "CNY"}
    assert record["completion"]["finalValue"]["amount"] == float(project.settlement_amount)
    assert record["completion"]["endDate"].startswith(project.accepted_on.isoformat())
    summary = record["contractingProcesses"][0]["summary"]
    assert summary["status"] == "closed"
    assert summary["contractValue"]["amount"] == float(project.contract_amount)
    assert summary["finalValue"]["amount"] == float(project.settlement_amount)
    supplier = next(p for p in record["parties"] if "supplier" in p["roles"])
    assert supplier["name"] == project.contractor
    assert summary["suppliers"] == [{"id": supplier["id"], "name": supplier["name"]}]
    village = next(p for p in record["parties"] if "buyer" in p["roles"])
    assert record["publicAuthority"]["id"] == village["id"] == f"village-{project.village.code}"
    metrics = {m["id"]: m["observations"] for m in record["metrics"]}
    assert metrics["physicalProgress"][0]["measure"] == project.progress_percent
    assert metrics["financialProgress"][0]["value"]["amount"] == float(project.paid_amount)
    assert record["locations"][0]["geometry"]["type"] in ("Point", "MultiPolygon")
    assert record["locations"][0]["address"]["streetAddress"] == project.village.name
    assert len(record.get("documents", [])) == len(documents) > 0
    for document, published in zip(documents, record["documents"], strict=True):
        assert "url" not in published
        assert document.sha256 in published["description"]
        assert published["title"] == document.title


def test_oc4ids_package_answers_304_when_unchanged(client):
    url = reverse("open_data:oc4ids-projects")
    first = client.get(url)
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["oc4ids-projects", "table projects", "table leases"])
def test_open_data_within_query_budget(client, django_assert_max_num_queries, name):
    url = (
        reverse("open_data:oc4ids-projects")
        if name == "oc4ids-projects"
        else reverse("open_data:table", args=[name.split()[1], "csv"])
    )
    with django_assert_max_num_queries(BUDGETS[f"open_data:{name}"]):
        response = client.get(url)
        b"".join(response.streaming_content if response.streaming else [response.content])


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("name", ["projects", "leases", "auctions"])
def test_tables_open_with_a_row_per_record(client, auction, name):
    model = selectors.TABLES[name].model
    csv_rows = read_csv(client.get(reverse("open_data:table", args=[name, "csv"])))
    xlsx_response = client.get(reverse("open_data:table", args=[name, "xlsx"]))
    assert xlsx_response["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    xlsx_rows = read_xlsx(xlsx_response)
    assert len(csv_rows) == len(xlsx_rows) == model.objects.count() + 1
    assert csv_rows[0] == xlsx_rows[0]
    assert model.objects.count() > 0


def test_table_headers_follow_the_language_or_give_field_names(client):
    url = reverse("open_data:table", args=["projects", "csv"])
    zh = read_csv(client.get(url, headers={"accept-language": "zh-hans"}))[0]
    en = read_csv(client.get(url, headers={"accept-language": "en"}))[0]
    keys = read_csv(client.get(f"{url}?header=keys", headers={"accept-language": "en"}))
    assert zh != en
    assert "village division code" in en
    assert keys[0] == selectors.TABLES["projects"].header(keys=True)
    assert {"id", "oc4ids_id", "stage", "budget_price", "longitude"} <= set(keys[0])
    stages = {row[keys[0].index("stage")] for row in keys[1:]}
    assert stages <= set(Stage.values)


def test_lease_table_shows_public_names_and_arrears_but_no_contacts(client):
    response = client.get(reverse("open_data:table", args=["leases", "csv"]) + "?header=keys")
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    text = "\n".join(",".join(r) for r in rows)
    assert "tenant_contact" not in header
    assert "tenant_public_name" in header
    today = timezone.localdate()
    for lease in Lease.objects.prefetch_related("payments").select_related("asset"):
        if lease.tenant_contact:
            assert lease.tenant_contact not in text
        if lease.tenant_kind == Lease.TenantKind.PERSON and len(lease.tenant_name) > 1:
            assert lease.tenant_name not in text
        row = next(r for r in body if r[header.index("id")] == str(lease.pk))
        assert row[header.index("tenant_public_name")] == lease.tenant_public_name
        paid = sum((p.amount for p in lease.payments.all()), Decimal("0"))
        assert Decimal(row[header.index("arrears")]) == lease.arrears(today, paid)
    assert not MOBILE.search(text)


def test_auction_table_masks_bidders_and_counts_bids(client, auction):
    for fmt, reader in (("csv", read_csv), ("xlsx", read_xlsx)):
        rows = reader(client.get(reverse("open_data:table", args=["auctions", fmt])))
        text = "\n".join(",".join(str(v) for v in r) for r in rows)
        assert BIDDER not in text and "陈静" not in text and BIDDER_PHONE not in text
        assert "欧阳***" in text
    keys = read_csv(
        client.get(reverse("open_data:table", args=["auctions", "csv"]) + "?header=keys")
    )
    row = next(r for r in keys[1:] if r[0] == str(auction.pk))
    assert row[keys[0].index("bids")] == "2"
    assert row[keys[0].index("status")] == "awarded"


def test_csv_cells_never_run_as_formulas():
    body = spreadsheets.csv_bytes(["a", "b", "c", "d"], [["=HYPERLINK(1)", "@x", "plain", 3]])
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1] == [
        "'=HYPERLINK(1)",
        "'@x",
        "plain",
        "3",
    ]


def test_open_data_page_links_every_download(client):
    html = client.get(reverse("open_data:index")).content.decode()
    for name in selectors.TABLES:
        for fmt in ("csv", "xlsx"):
            assert reverse("open_data:table", args=[name, fmt]) in html
    assert reverse("open_data:oc4ids-projects") in html
    assert reverse("log:events") in html
