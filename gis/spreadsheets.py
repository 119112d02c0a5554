"""The one writer of CSV and Excel files: every table the project hands out goes through here.

A spreadsheet runs text that starts like a formula (`=HYPERLINK(...)`, `+`, `-`, `@`, or a tab
or carriage return before one), and Excel on Chinese Windows also reads the full-width forms
(`＝`, `＋`, `－`, `＠`) and leading spaces that way. Such text gets an apostrophe in front, as
OWASP advises, in every cell of every file; in Excel it is also written as a string, never as a
formula. Numbers stay numbers: a negative amount is a number, not text that looks like one.

This module knows nothing of the project's models, so any app may write through it.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
XLSX_CELL_CHARS = 32_767
CSV_CHUNK_ROWS = 500
BOM = "\ufeff"


def _is_padding(char: str) -> bool:
    """Spaces, control and invisible formatting characters a spreadsheet skips before `=`."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet take this text for a formula (or the start of one)?"""
    if text.startswith(CONTROL_STARTS):
        return True
    normal = unicodedata.normalize("NFKC", text)
    start = next((char for char in normal if not _is_padding(char)), "")
    return start in FORMULA_STARTS


def neutralise(value: object) -> object:
    """Text that would run as a formula, behind an apostrophe; anything else as it was."""
    if isinstance(value, str) and is_formula_like(value):
        return f"'{value}"
    return value


def unquote(text: str) -> str:
    """The text `neutralise` wrote, read back: one apostrophe before formula-like text is ours.

    So a table exported here and imported again keeps its names as they were.
    """
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def csv_stream(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """UTF-8 with a byte order mark, or Excel on Windows reads the Chinese as GBK mojibake.

    Yields a chunk per batch of rows, so a long table streams instead of sitting in memory.
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(neutralise(v) for v in header)
    for i, row in enumerate(rows, 1):
        writer.writerow("" if v is None else neutralise(v) for v in row)
        if i % CSV_CHUNK_ROWS == 0:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()


def csv_bytes(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    return b"".join(csv_stream(header, rows))


def xlsx_text(value: str) -> str:
    """Text as an Excel cell can hold it, made safe.

    Excel cannot hold control characters (a vertical tab pasted from Word, say) nor more than
    XLSX_CELL_CHARS characters in a cell: the former are dropped, the latter cut, so one odd
    record never stops the whole download. Dropping comes first, so `\\x01=cmd` is caught too.
    """
    return str(neutralise(ILLEGAL_CHARACTERS_RE.sub("", value)))[:XLSX_CELL_CHARS]


def _cell(sheet, value: object, font: Font | None = None) -> object:
    if not isinstance(value, str) and font is None:
        return value
    cell = WriteOnlyCell(sheet, value=xlsx_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would make a formula of text starting with =
    if font is not None:
        cell.font = font
    return cell


SHEET_NAME_MAX = 31  # Excel's limit


def xlsx_bytes(
    sheet_name: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> bytes:
    """One sheet with a bold, frozen header row. Excel refuses a sheet name over 31 characters
    (or with []:*?/\\), so the name is cut to fit."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", sheet_name)[:SHEET_NAME_MAX])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, str(title), bold) for title in header])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(
    name: str, fmt: str, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> HttpResponse | StreamingHttpResponse:
    """A table as a file to save: `fmt` "csv" (streamed) or "xlsx", named `<name>.<fmt>`."""
    if fmt == "csv":
        response: HttpResponse = StreamingHttpResponse(
            csv_stream(header, rows), content_type=CSV_TYPE
        )
    else:
        response = HttpResponse(xlsx_bytes(name, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response
