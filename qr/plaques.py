"""Plaque sheets: A4 PDF pages of 1, 4 or 12 plaques with cut marks and an embedded CJK font.

Each QR symbol is drawn as vector rectangles (one per run of dark modules in a row), so a
sheet prints sharp at any size and 1,000 plaques take a few seconds.
"""

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from qr.images import matrix

FONT_NAME = "QinglianCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
# For the rare characters (生僻字) of names that the main font lacks: Hanazono Mincho covers the
# CJK unified ideographs and their extensions A to F (HanaMinA the BMP, HanaMinB the planes
# beyond it, where 𡌶 U+21336 is). Debian's fonts-hanazono.
FALLBACK_FONTS = (
    ("QinglianHanaMinA", "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf"),
    ("QinglianHanaMinB", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"),
)
CALL_TO_SCAN = "扫码查看电子身份证"
TITLE = "村级集体资产 · 电子身份证"
LAYOUTS = {1: (1, 1), 4: (2, 2), 12: (3, 4)}  # columns, rows
MARGIN = 12 * mm
GUTTER = 8 * mm
CUT_MARK = 4 * mm
QUIET_MODULES = 4
PARALLEL_FROM = 200  # plaques; below this, starting worker processes costs more than it saves
RED = (0.72, 0.11, 0.11)


@dataclass(frozen=True)
class Plaque:
    code: str
    name: str
    unit: str
    kind: str
    url: str


class UnprintableText(ValueError):
    """A character of a plaque's text that no font here can draw: the sheet is not made, so a
    plaque fixed to a wall for years never shows a silent gap in a name."""

    def __init__(self, plaque: "Plaque", char: str):
        super().__init__(
            f"{plaque.code} {plaque.name}: no font can print “{char}” (U+{ord(char):04X}); "
            "install fonts-hanazono or set PLAQUE_FONT to a font that has it."
        )
        self.plaque = plaque
        self.char = char


@cache
def register_font() -> str:
    """Register the first TrueType CJK font found, and the fallbacks there are; reportlab
    embeds a subset of each font a sheet uses."""
    configured = settings.PLAQUE_FONT
    for path in (configured, *FONT_CANDIDATES):
        if path and Path(path).exists():
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
            break
    else:
        raise ImproperlyConfigured(
            "No TrueType Chinese font for plaques: install fonts-wqy-zenhei or set PLAQUE_FONT."
        )
    for name, path in FALLBACK_FONTS:
        if Path(path).exists():
            pdfmetrics.registerFont(TTFont(name, path))
    return FONT_NAME


@cache
def _fonts() -> tuple[str, ...]:
    register_font()
    registered = set(pdfmetrics.getRegisteredFontNames())
    return (FONT_NAME, *(name for name, _path in FALLBACK_FONTS if name in registered))


@cache
def _font_for(char: str) -> str | None:
    """The first font that has a glyph for `char`; spaces and marks go with the main font."""
    if char.isspace():
        return FONT_NAME
    for name in _fonts():
        if ord(char) in pdfmetrics.getFont(name).face.charToGlyph:
            return name
    return None


def _runs(text: str, plaque: "Plaque") -> list[tuple[str, str]]:
    """`text` as (font, run) pairs, each run drawn in the first font that has its glyphs.
    Raises UnprintableText for a character no font has."""
    runs: list[tuple[str, str]] = []
    for char in text:
        font = _font_for(char)
        if font is None:
            raise UnprintableText(plaque, char)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _width(runs: list[tuple[str, str]], size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs)


def _draw_centred(c: Canvas, cx: float, y: float, runs: list[tuple[str, str]], size: float) -> None:
    x = cx - _width(runs, size) / 2
    for font, run in runs:
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def _fit(
    text: str, plaque: "Plaque", size: float, width: float, minimum: float = 6
) -> tuple[list[tuple[str, str]], float]:
    """Shrink the type to fit the width; past the minimum size, cut the text with an ellipsis.
    Returns the text as font runs (see `_runs`) and the size."""
    runs = _runs(text, plaque)
    while size > minimum and _width(runs, size) > width:
        size -= 0.5
    while len(text) > 1 and _width(runs, size) > width:
        text = text[:-2] + "…"
        runs = _runs(text, plaque)
    return runs, size


def _cut_marks(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.setLineWidth(0.3)
    c.setStrokeColorRGB(0, 0, 0)
    gap = 1.5 * mm
    for cx, dx in ((x, -1), (x + w, 1)):
        for cy, dy in ((y, -1), (y + h, 1)):
            c.line(cx + dx * gap, cy, cx + dx * (gap + CUT_MARK), cy)
            c.line(cx, cy + dy * gap, cx, cy + dy * (gap + CUT_MARK))


def draw_qr(c: Canvas, modules: list[list[bool]], x: float, y: float, size: float) -> None:
    n = len(modules)
    cell = size / n
    path = c.beginPath()
    for row_index, row in enumerate(modules):
        top = y + size - (row_index + 1) * cell
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + start * cell, top, (col - start) * cell, cell)
            else:
                col += 1
    c.setFillColorRGB(0, 0, 0)
    c.drawPath(path, stroke=0, fill=1)


def _matrices(plaques: list[Plaque]) -> Iterator[list[list[bool]]]:
    """QR symbols in order. Choosing each symbol's mask is most of the work, so a large batch
    is encoded on every core while this process draws the pages."""
    urls = [p.url for p in plaques]
    # A task queue's worker is a daemonic process, which may start no processes of its own.
    daemon = multiprocessing.current_process().daemon
    if len(urls) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or daemon:
        yield from map(matrix, urls)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
        yield from pool.map(matrix, urls, chunksize=25)


def _plaque(
    c: Canvas,
    plaque: Plaque,
    modules: list[list[bool]],
    x: float,
    y: float,
    w: float,
    h: float,
) -> None:
    register_font()
    scale = min(w / (90 * mm), h / (130 * mm))
    pad = 5 * mm * scale
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(1.2 * scale)
    c.roundRect(x, y, w, h, 3 * mm * scale)
    band = 11 * mm * scale
    c.setFillColorRGB(*RED)
    c.rect(x, y + h - band, w, band, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    title, size = _fit(TITLE, plaque, 11 * scale, w - 2 * pad)
    _draw_centred(c, x + w / 2, y + h - band + (band - size) / 2 + size * 0.15, title, size)

    c.setFillColorRGB(0, 0, 0)
    name, size = _fit(plaque.name, plaque, 15 * scale, w - 2 * pad)
    cursor = y + h - band - pad - size
    _draw_centred(c, x + w / 2, cursor, name, size)

    code_size = 17 * scale
    footer = 3 * (8.5 * scale) + code_size + 3 * pad
    # Keep the 4-module quiet zone the QR standard asks for clear of text and the frame.
    available = min(w, cursor - (y + footer))
    module = available / (len(modules) + 2 * QUIET_MODULES)
    qr_size = module * len(modules)
    cursor -= module * QUIET_MODULES + qr_size
    draw_qr(c, modules, x + (w - qr_size) / 2, cursor, qr_size)

    code, code_size = _fit(plaque.code, plaque, code_size, w - 2 * pad)
    cursor -= module * QUIET_MODULES + code_size * 0.8
    _draw_centred(c, x + w / 2, cursor, code, code_size)

    small = 8.5 * scale
    line, small = _fit(f"{plaque.unit} · {plaque.kind}", plaque, small, w - 2 * pad)
    cursor -= pad * 0.8 + small
    c.setFillColorRGB(0.25, 0.25, 0.25)
    _draw_centred(c, x + w / 2, cursor, line, small)
    cursor -= pad * 0.6 + small
    c.setFillColorRGB(*RED)
    _draw_centred(c, x + w / 2, cursor, _runs(CALL_TO_SCAN, plaque), small)


def build_sheets(
    plaques: Iterable[Plaque],
    out: BinaryIO,
    *,
    layout: int = 4,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Draw the plaques onto A4 pages into `out`; returns how many were drawn."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {sorted(LAYOUTS)}")
    columns, rows = LAYOUTS[layout]
    page_w, page_h = A4
    cell_w = (page_w - 2 * MARGIN - (columns - 1) * GUTTER) / columns
    cell_h = (page_h - 2 * MARGIN - (rows - 1) * GUTTER) / rows
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle("电子身份证标牌 Electronic ID plaques")
    c.setCreator("Qinglian 清廉村社")
    count = 0
    plaques = list(plaques)
    for count, (plaque, modules) in enumerate(zip(plaques, _matrices(plaques), strict=True), 1):
        slot = (count - 1) % layout
        if slot == 0 and count > 1:
            c.showPage()
        col, row = slot % columns, slot // columns
        x = MARGIN + col * (cell_w + GUTTER)
        y = page_h - MARGIN - (row + 1) * cell_h - row * GUTTER
        _cut_marks(c, x, y, cell_w, cell_h)
        _plaque(c, plaque, modules, x, y, cell_w, cell_h)
        if progress:
            progress(count)
    if count == 0:
        c.setFont(register_font(), 12)
        c.drawString(MARGIN, page_h - MARGIN, "没有可打印的电子身份证。No electronic IDs to print.")
    c.save()
    return count
