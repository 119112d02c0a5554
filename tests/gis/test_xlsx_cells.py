"""Excel downloads survive text Excel cannot hold: control characters, overlong cells."""

import io
from decimal import Decimal

import openpyxl
import pytest

from gis import spreadsheets
from projects import procedure
from projects.models import Stage
from tests.projects.walk import DAYS, new_project, walk_to

pytestmark = pytest.mark.django_db


def cells(body: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_a_contractor_with_a_control_character_does_not_break_the_projects_workbook(client):
    project = walk_to(new_project(name="控制字符测试工程"), Stage.CONTRACTING)
    procedure.record_contract(
        project,
        actor=None,
        contracting_method="comparison",
        contractor="某建筑\u000b公司",
        contract_amount=Decimal("120000"),
        contract_signed_on=DAYS["signed"],
    )
    response = client.get("/data/projects.xlsx")
    assert response.status_code == 200
    rows = cells(response.content)
    row = next(row for row in rows if "控制字符测试工程" in row)
    assert "某建筑公司" in row


def test_cells_lose_illegal_characters_and_are_cut_to_excels_limit():
    long_text = "长" * (spreadsheets.XLSX_CELL_CHARS + 10)
    body = spreadsheets.xlsx_bytes(
        "t",
        ["名称\u0001", "说明"],
        [["a\u0000b\u001fc", long_text], ["=1+1", 3], ["\u0001=1+1", "=" + long_text]],
    )
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    # Text, never a live formula: a formula "=1+1" would read back as the string "=1+1" too.
    for coordinate in ("A3", "A4", "B4"):
        assert sheet[coordinate].data_type == "s", coordinate
        assert sheet[coordinate].data_type != "f", coordinate
        assert sheet[coordinate].value.startswith("'="), coordinate
    assert (sheet["B3"].data_type, sheet["B3"].value) == ("n", 3)
    header, first, second, third = cells(body)
    assert header == ["名称", "说明"]
    assert first == ["abc", "长" * spreadsheets.XLSX_CELL_CHARS]
    assert second == ["'=1+1", 3]
    assert third == ["'=1+1", "'=" + "长" * (spreadsheets.XLSX_CELL_CHARS - 2)]
