"""Every character of a name prints on its plaque (issue 13, part 2): rare characters (生僻字)
beyond the main font come from a fallback font; one no font has stops the sheet, naming the
record, instead of leaving a silent gap in a document fixed to a wall for years."""

import io

import pypdfium2 as pdfium
import pytest

from qr.plaques import Plaque, UnprintableText, build_sheets

RARE = "东岙村\U00021336头临街店面1号"  # 𡌶, U+21336, CJK Extension B


def plaque(name: str) -> Plaque:
    return Plaque(
        code="B-102201-0001-T",
        name=name,
        unit="东岙村",
        kind="房产",
        url="https://qinglian.example.cn/e/B-102201-0001-T",
    )


def sheet_text(name: str) -> str:
    out = io.BytesIO()
    build_sheets([plaque(name)], out, layout=1)
    return pdfium.PdfDocument(out.getvalue())[0].get_textpage().get_text_range()


def test_a_name_with_a_character_beyond_the_basic_plane_prints_whole():
    """The glyph is drawn from HanaMinB in its place. (reportlab's text layer writes 16-bit
    Unicode, so a PDF reader's copy of a character beyond the BMP reads as another one; the
    printed glyph is right, which is what the wall shows.)"""
    lines = sheet_text(RARE).replace("\r", "").split("\n")
    name = next(line for line in lines if line.startswith("东岙村") and "店面" in line)
    assert len(name) == len(RARE)
    assert name[:3] == "东岙村" and name[4:] == "头临街店面1号"


def test_an_ordinary_name_still_prints_as_before():
    assert "东岙村临街店面1号" in sheet_text("东岙村临街店面1号")


def test_a_character_no_font_has_stops_the_sheet_naming_the_record():
    unprintable = "东岙村\U0003134a仓库"  # CJK Extension G: newer than every font here
    with pytest.raises(UnprintableText, match=r"B-102201-0001-T 东岙村.*U\+3134A"):
        sheet_text(unprintable)
