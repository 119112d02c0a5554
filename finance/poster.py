"""The monthly disclosure as a poster for the village notice board (公开栏): A4 or A3 PDF with
the Chinese font the plaques use, the totals first, every list in full (continued on more
pages), the content's SHA-256 and a QR code to the online page, where lines can be questioned.
"""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from finance import disclosures
from finance.models import MonthlyDisclosure
from qr.images import matrix
from qr.plaques import draw_qr, register_font

SIZES = {"a4": A4, "a3": A3}
SCALE = {"a4": 1.0, "a3": 1.41}  # A3 is read from further away: everything larger
MARGIN = 14 * mm
QR_MODULES_QUIET = 4
RED = colors.Color(0.72, 0.11, 0.11)
GRID = colors.Color(0.8, 0.8, 0.8)
SHADE = colors.Color(0.95, 0.95, 0.95)
CELL_PADDING = 6  # reportlab's, left and right of a table cell
FIRST_ROWS = 2  # a heading is kept with its table's header and this many rows
# The payments' bank reference column: as wide as its longest reference needs, within these
# shares of the page; past the widest, its type is made smaller, down to the smallest.
REFERENCE_SHARE = (0.14, 0.3)
SMALLEST = 5.0


def public_url(disclosure: MonthlyDisclosure) -> str:
    """The online page of the month, absolute: what the QR code holds."""
    return f"{settings.PUBLIC_BASE_URL}{disclosure.get_absolute_url()}"


def title(disclosure: MonthlyDisclosure) -> str:
    return _("%(village)s %(year)s/%(month)s monthly disclosure") % {
        "village": disclosure.village.name,
        "year": disclosure.month.year,
        "month": disclosure.month.month,
    }


class QrCode(Flowable):
    """A QR symbol drawn as vector squares, with its quiet zone, `size` wide."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.modules = matrix(data)
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        quiet = self.size * QR_MODULES_QUIET / (len(self.modules) + 2 * QR_MODULES_QUIET)
        self.canv.setFillColor(colors.white)
        self.canv.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        draw_qr(self.canv, self.modules, quiet, quiet, self.size - 2 * quiet)


class RoomFor(CondPageBreak):
    """A page break unless the rest of the page holds `flowables` (a heading and the first
    rows of its table): a heading is never left alone at the foot of a page."""

    def __init__(self, flowables: list[Flowable]):
        super().__init__(0)
        self.flowables = flowables

    def wrap(self, availWidth, availHeight):
        self.height = sum(
            f.wrapOn(self.canv, availWidth, availHeight)[1] + f.getSpaceBefore() + f.getSpaceAfter()
            for f in self.flowables
        )
        return super().wrap(availWidth, availHeight)


class Poster:
    def __init__(self, disclosure: MonthlyDisclosure, size: str):
        self.disclosure = disclosure
        self.size = size
        self.scale = SCALE[size]
        self.font = register_font()
        self.page_width = SIZES[size][0] - 2 * MARGIN
        self.data = disclosures.present(disclosure.content)

    def style(self, size: float, *, bold: bool = False, colour=colors.black, **kwargs):
        return ParagraphStyle(
            "p",
            fontName=self.font,
            fontSize=size * self.scale,
            leading=size * self.scale * 1.3,
            textColor=colour,
            wordWrap="CJK",
            **kwargs,
        )

    def text(self, value: object, size: float = 8, **kwargs) -> Paragraph:
        """A paragraph of `value`; a tuple is one line per item."""
        values = value if isinstance(value, tuple) else (value,)
        markup = "<br/>".join(escape(str(v if v is not None else "")) for v in values)
        return Paragraph(markup, self.style(size, **kwargs))

    def heading(self, value: str) -> Paragraph:
        return self.text(value, 11, colour=RED, spaceBefore=4 * mm, spaceAfter=1.5 * mm)

    def section(
        self,
        title: str,
        header: list[str],
        rows: list[list],
        widths: list[float],
        *,
        total=None,
        before: tuple[Flowable, ...] = (),
    ) -> list:
        """A heading, `before` and the table of `rows` (or "None this month."), the heading
        kept with the table's first rows."""
        if not rows:
            body = [*before, self.none()]
            first = body
        else:
            body = [*before, self.table(header, rows, widths, total=total)]
            first = [*before, self.table(header, rows[:FIRST_ROWS], widths)]
        return [RoomFor([self.heading(title), *first]), self.heading(title), *body]

    def table(self, header: list[str], rows: list[list], widths: list[float], *, total=None):
        """A table over the page's width (`widths` are fractions of it), its header repeated
        on every page it continues to, and a shaded `total` row at the end."""
        cells = [[self.text(h, 7.5, colour=colors.white) for h in header]]
        cells += [[c if isinstance(c, Flowable) else self.text(c) for c in row] for row in rows]
        if total is not None:
            cells.append([c if isinstance(c, Flowable) else self.text(c, 8.5) for c in total])
        table = Table(
            cells,
            colWidths=[w * self.page_width for w in widths],
            repeatRows=1,
            hAlign="LEFT",
        )
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), RED),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        if total is not None:
            style.append(("BACKGROUND", (0, -1), (-1, -1), SHADE))
        table.setStyle(TableStyle(style))
        return table

    def amount(self, value: str, colour=colors.black) -> Paragraph:
        return Paragraph(escape(value or "—"), self.style(8, colour=colour, alignment=2))

    def none(self) -> Paragraph:
        return self.text(_("None this month."), 8, colour=colors.grey)

    # -------------------------------------------------------- parts

    def head(self) -> list:
        d = self.disclosure
        published = timezone.localtime(d.published_at)
        lines = [
            self.text(title(d), 20, spaceAfter=2 * mm),
            self.text(
                _("%(township)s · published %(day)s")
                % {"township": d.content["village"]["township"], "day": f"{published:%Y-%m-%d}"},
                9,
                colour=colors.grey,
            ),
        ]
        if d.number:
            lines.append(
                self.text(
                    _("Amendment %(n)s of the disclosure: %(reason)s")
                    % {"n": d.number, "reason": d.reason},
                    9,
                    colour=RED,
                    spaceBefore=1 * mm,
                )
            )
        lines.append(
            self.text(
                _(
                    "Scan the code for the online version. Until %(day)s anyone may question any "
                    "line there; the answer is published."
                )
                % {"day": f"{disclosures.questions_close_on(d):%Y-%m-%d}"},
                8.5,
                spaceBefore=2 * mm,
            )
        )
        qr_size = 34 * mm * self.scale
        url = self.text(public_url(d), 6, colour=colors.grey)
        block = Table(
            [[lines, [QrCode(public_url(d), qr_size), url]]],
            colWidths=[self.page_width - qr_size - 4 * mm, qr_size + 4 * mm],
        )
        block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [block]

    def totals(self) -> list:
        p = self.data
        rows = [
            [self.text(_("Income"), 9), self.amount(p["income_total"])],
            [self.text(_("Expenditure"), 9), self.amount(p["expenditure_total"])],
            [self.text(_("Balance of the month"), 9), self.amount(p["balance"])],
        ]
        parts = self.section(
            _("Income and expenditure (yuan)"), [_("Total"), _("Amount")], rows, [0.75, 0.25]
        )
        for key, heading in (
            ("income", _("Income by category")),
            ("expenditure", _("Expenditure by category")),
        ):
            lines = [
                [line["label"], self.amount(str(line["count"])), self.amount(line["amount_shown"])]
                for line in p[key]
            ]
            parts.append(Spacer(0, 2 * mm))
            parts.append(
                self.table(
                    [heading, _("Items"), _("Amount")],
                    lines,
                    [0.6, 0.15, 0.25],
                    total=[_("Total"), "", self.amount(p[f"{key}_total"])],
                )
            )
        return parts

    def reference_share(self, references: list[str]) -> float:
        """The share of the page the bank reference column takes: what its longest reference
        needs on one line, within `REFERENCE_SHARE` (a reference broken in two is misread
        when it is checked against a bank slip)."""
        widest = max((stringWidth(r, self.font, 8 * self.scale) for r in references), default=0)
        least, most = REFERENCE_SHARE
        return min(most, max(least, (widest + 2 * CELL_PADDING + 1) / self.page_width))

    def reference(self, value: str, share: float) -> Paragraph:
        """A bank reference on one line of its column: smaller type when it is too long."""
        room = share * self.page_width - 2 * CELL_PADDING - 1
        width = stringWidth(value, self.font, 8 * self.scale)
        return self.text(value, max(SMALLEST, min(8, 8 * room / width)) if width else 8)

    def payments(self) -> list:
        title = _("Payments (by bank transfer)")
        if not self.data["payments"]:
            return self.section(title, [], [], [])
        share = self.reference_share([line["bank_reference"] for line in self.data["payments"]])
        rows = []
        for line in self.data["payments"]:
            about = [line["purpose"], line["category_label"]]
            about.append(
                _("power list %(number)s %(title)s")
                % {"number": line["power_item"]["number"], "title": line["power_item"]["title"]}
            )
            if line["project"]:
                about.append(_("project: %(name)s") % {"name": line["project"]["name"]})
            rows.append(
                [
                    self.text((line["reference"], line["paid_on"])),
                    line["payee"],
                    " · ".join(about),
                    self.reference(line["bank_reference"], share),
                    self.amount(line["amount_shown"]),
                ]
            )
        header = [_("No. and date"), _("Payee"), _("What for"), _("Bank reference"), _("Amount")]
        widths = [0.14, 0.2, 0.51 - share, share, 0.15]
        return self.section(title, header, rows, widths)

    def projects(self) -> list:
        rows = [
            [
                line["name"],
                line["stage_label"],
                self.amount(line["contract_shown"]),
                self.amount(line["paid_shown"]),
                f"{line['progress_percent']}%",
            ]
            for line in self.data["projects"]
        ]
        header = [_("Project"), _("Stage"), _("Contract"), _("Paid so far"), _("Progress")]
        return self.section(_("Projects"), header, rows, [0.34, 0.26, 0.15, 0.15, 0.1])

    def leases(self) -> list:
        rows = [
            [
                line["asset"]["name"],
                line["tenant"],
                self.amount(line["annual_rent_shown"]),
                self.amount(line["received_shown"]),
                self.amount(line["arrears_shown"], RED if line["in_arrears"] else colors.black),
            ]
            for line in self.data["leases"]
        ]
        header = [_("Asset"), _("Tenant"), _("Annual rent"), _("Received"), _("Arrears")]
        total = [
            _("Total"),
            "",
            "",
            self.amount(self.data["rent_total"]),
            self.amount(self.data["arrears_total"]),
        ]
        return self.section(
            _("Leases: rent received and arrears"),
            header,
            rows,
            [0.32, 0.2, 0.16, 0.16, 0.16],
            total=total,
        )

    def auctions(self) -> list:
        rows = [
            [
                line["title"],
                line["held_on"],
                line["status_label"],
                self.amount(line["reserve_shown"]),
                " ".join(x for x in (line["winner"], line["winning_shown"]) if x) or "—",
            ]
            for line in self.data["auctions"]
        ]
        header = [_("Auction"), _("Auction day"), _("Status"), _("Reserve price"), _("Result")]
        return self.section(_("Auctions"), header, rows, [0.34, 0.13, 0.15, 0.15, 0.23])

    def cases(self) -> list:
        counts = " · ".join(f"{c['label']} {c['count']}" for c in self.data["case_counts"])
        rows = [
            [
                c["reference"],
                c["category_label"],
                c["received_on"],
                c["closed_on"] or "",
                c["state_label"],
            ]
            for c in self.data["cases_received"]
            + [c for c in self.data["cases_closed"] if c not in self.data["cases_received"]]
        ]
        title = _("Villagers' reports (supervision cases)")
        said = self.text(counts or _("No reports so far."), 8.5)
        if not rows:
            return [RoomFor([self.heading(title), said]), self.heading(title), said]
        header = [_("Case"), _("About"), _("Received on"), _("Closed on"), _("State")]
        widths = [0.2, 0.25, 0.15, 0.15, 0.25]
        return self.section(title, header, rows, widths, before=(said, Spacer(0, 1.5 * mm)))

    def warnings(self) -> list:
        """The warnings open when the month was published (the section alerts adds to the
        content), as the page shows them."""
        section = next((s for s in self.data["sections"] if s["name"] == "warnings"), None)
        if section is None:
            return []
        title = _("Open warnings from the data")
        if not section["data"]:
            said = self.text(_("No warning was open when the month was published."), 8.5)
            return [RoomFor([self.heading(title), said]), self.heading(title), said]
        levels = {"red": _("Red"), "yellow": _("Yellow")}
        rows = [
            [
                f"{w['rule']} {w['rule_name']}",
                levels.get(w["level"], w["level"]),
                w["about"],
                w["raised_on"],
            ]
            for w in section["data"]
        ]
        header = [_("Rule"), _("Level"), _("About"), _("Raised on")]
        return self.section(title, header, rows, [0.4, 0.1, 0.35, 0.15])

    def footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(self.font, 6.5 * self.scale)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            MARGIN,
            MARGIN / 2,
            f"SHA-256 {self.disclosure.sha256}",
        )
        canvas.drawRightString(
            SIZES[self.size][0] - MARGIN,
            MARGIN / 2,
            _("%(title)s · page %(n)s") % {"title": title(self.disclosure), "n": doc.page},
        )
        canvas.restoreState()

    def build(self) -> bytes:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=SIZES[self.size],
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=title(self.disclosure),
            author=self.disclosure.village.name,
            subject=self.disclosure.sha256,
        )
        story = [
            *self.head(),
            *self.totals(),
            *self.payments(),
            *self.projects(),
            *self.leases(),
            *self.auctions(),
            *self.cases(),
            *self.warnings(),
            Spacer(0, 4 * mm),
            self.text(
                _(
                    "The content of this disclosure has the SHA-256 fingerprint %(hash)s, "
                    "recorded in the public log."
                )
                % {"hash": self.disclosure.sha256},
                7,
                colour=colors.grey,
            ),
        ]
        doc.build(story, onFirstPage=self.footer, onLaterPages=self.footer)
        return buffer.getvalue()


def build(disclosure: MonthlyDisclosure, *, size: str = "a4") -> bytes:
    """The poster of `disclosure` as PDF bytes, on A4 or A3 ("a4", "a3")."""
    return Poster(disclosure, size).build()
