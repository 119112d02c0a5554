"""An item's flowchart (流程图), drawn from its steps as SVG: one box per step, top to bottom,
joined by arrows. A decision or vote is a hexagon, a step made public a rounded green box, filing
a grey dashed box. Chinese text wraps to the box; every text is escaped. The drawing is 360
units wide (a phone's width; it scales) and the same steps always give the same bytes, so its
hash is its ETag.

Colours are attributes, not a <style> element: an SVG drawn inline in a page would otherwise
style the whole page.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from finance.models import PowerItem, PowerStep

WIDTH = 360
BOX_LEFT, BOX_RIGHT = 44, WIDTH - 10
CENTRE = (BOX_LEFT + BOX_RIGHT) // 2
PAD_X, PAD_Y = 12, 8
HEX_INDENT = 14  # how far a decision's pointed ends reach in
GAP = 26  # between boxes, where the arrow runs
ACTOR_SIZE, ACTOR_LINE = 12, 16
ACTION_SIZE, ACTION_LINE = 14, 19
NOTE_SIZE, NOTE_LINE = 11, 15
FONTS = "system-ui, 'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"

# (fill, stroke, dashes, badge) per kind of step
STYLES = {
    PowerStep.Kind.STEP: ("#ffffff", "#b91c1c", "", "#b91c1c"),
    PowerStep.Kind.DECISION: ("#fff7ed", "#b45309", "", "#b45309"),
    PowerStep.Kind.PUBLISH: ("#f0fdf4", "#15803d", "", "#15803d"),
    PowerStep.Kind.ARCHIVE: ("#f3f4f6", "#6b7280", "4 3", "#6b7280"),
}

# Chinese line breaking (禁则): no closing mark starts a line, no opening mark ends one.
NO_LINE_START = set("，。、；：？！）》」』】〉”’·…,.;:?!)]}%")
NO_LINE_END = set("（《「『【〈“‘([{")
_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%/+\-]*|\s+|.", re.DOTALL)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_width(text: str) -> float:
    """Width in ems: a Chinese (wide) character is one, a Latin letter or digit about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def wrap(text: str, ems: float) -> list[str]:
    """`text` in lines of at most `ems` (a closing mark may hang one past it), breaking
    between Chinese characters or Latin words, never after an opening mark."""
    lines: list[str] = []
    line, width = "", 0.0
    for token in _TOKENS.findall(" ".join(_NOT_XML.sub("", text).split())):
        if token.isspace():
            if line:
                line, width = line + " ", width + 0.3
            continue
        size = text_width(token)
        if line.strip() and width + size > ems and token[0] not in NO_LINE_START:
            head, carried = line, ""
            while head and head[-1] in NO_LINE_END:
                head, carried = head[:-1], head[-1] + carried
            if head.strip():
                lines.append(head.rstrip())
                line, width = carried, text_width(carried)
        while size > ems:  # a word longer than a line is cut
            cut = 1
            while cut < len(token) and text_width(token[: cut + 1]) + width <= ems:
                cut += 1
            lines.append(line + token[:cut])
            line, width, token = "", 0.0, token[cut:]
            size = text_width(token)
        line, width = line + token, width + size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


@dataclass
class Node:
    step: PowerStep
    top: int
    actor: list[str]
    action: list[str]

    @property
    def height(self) -> int:
        return 2 * PAD_Y + len(self.actor) * ACTOR_LINE + len(self.action) * ACTION_LINE

    @property
    def bottom(self) -> int:
        return self.top + self.height


def _layout(steps: list[PowerStep], top: int) -> list[Node]:
    nodes = []
    for step in steps:
        inner = BOX_RIGHT - BOX_LEFT - 2 * PAD_X
        if step.kind == PowerStep.Kind.DECISION:
            inner -= 2 * HEX_INDENT
        node = Node(
            step=step,
            top=top,
            actor=wrap(step.actor, inner / ACTOR_SIZE - 1),
            action=wrap(step.action, inner / ACTION_SIZE - 1),
        )
        nodes.append(node)
        top = node.bottom + GAP
    return nodes


def _shape(node: Node) -> str:
    fill, stroke, dashes, _badge = STYLES.get(node.step.kind, STYLES[PowerStep.Kind.STEP])
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"'
    if dashes:
        paint += f' stroke-dasharray="{dashes}"'
    left, right, top, bottom = BOX_LEFT, BOX_RIGHT, node.top, node.bottom
    if node.step.kind == PowerStep.Kind.DECISION:
        middle = (top + bottom) / 2
        points = [
            (left, middle),
            (left + HEX_INDENT, top),
            (right - HEX_INDENT, top),
            (right, middle),
            (right - HEX_INDENT, bottom),
            (left + HEX_INDENT, bottom),
        ]
        joined = " ".join(f"{x:g},{y:g}" for x, y in points)
        return f'<polygon points="{joined}" {paint}/>'
    radius = 14 if node.step.kind == PowerStep.Kind.PUBLISH else 6
    return (
        f'<rect x="{left}" y="{top}" width="{right - left}" height="{node.height}" '
        f'rx="{radius}" {paint}/>'
    )


def _node(node: Node) -> str:
    step = node.step
    _fill, _stroke, _dashes, badge = STYLES.get(step.kind, STYLES[PowerStep.Kind.STEP])
    middle = (node.top + node.bottom) / 2
    label = f"{step.position}. {step.actor}：{step.action}（{step.get_kind_display()}）"
    lines = []
    y = node.top + PAD_Y
    for text in node.actor:
        y += ACTOR_LINE
        lines.append(
            f'<tspan x="{CENTRE}" y="{y - 4}" font-size="{ACTOR_SIZE}" font-weight="700" '
            f'fill="{badge}">{escape(text)}</tspan>'
        )
    for text in node.action:
        y += ACTION_LINE
        lines.append(
            f'<tspan x="{CENTRE}" y="{y - 5}" font-size="{ACTION_SIZE}">{escape(text)}</tspan>'
        )
    return (
        f'<g class="node {step.kind}" data-position="{step.position}">'
        f"<title>{escape(_NOT_XML.sub('', label))}</title>"
        f"{_shape(node)}"
        f'<circle cx="22" cy="{middle:g}" r="12" fill="{badge}"/>'
        f'<text x="22" y="{middle + 4:g}" font-size="12" font-weight="700" fill="#ffffff" '
        f'text-anchor="middle">{step.position}</text>'
        f'<text text-anchor="middle" fill="#1f2937">{"".join(lines)}</text>'
        "</g>"
    )


def _arrow(upper: Node, lower: Node) -> str:
    tip = lower.top - 1
    return (
        f'<line x1="{CENTRE}" y1="{upper.bottom}" x2="{CENTRE}" y2="{tip - 6}" '
        'stroke="#6b7280" stroke-width="1.5"/>'
        f'<polygon points="{CENTRE - 5},{tip - 7} {CENTRE + 5},{tip - 7} {CENTRE},{tip}" '
        'fill="#6b7280"/>'
    )


def flowchart_svg(
    item: PowerItem, steps: Iterable[PowerStep] | None = None, *, note: str = ""
) -> str:
    """The flowchart of `item` (its steps, read when not given) as an SVG document; `note`,
    when given, is printed small under the last box (the sample notice)."""
    ordered = sorted(item.steps.all() if steps is None else steps, key=lambda s: s.position)
    nodes = _layout(ordered, top=10)
    height = (nodes[-1].bottom if nodes else 10) + 10
    parts = [_node(node) for node in nodes]
    parts += [_arrow(a, b) for a, b in pairwise(nodes)]
    if note:
        note_lines = wrap(note, (2 * (WIDTH - CENTRE) - 16) / NOTE_SIZE - 1)
        spans = "".join(
            f'<tspan x="{CENTRE}" y="{height + 6 + n * NOTE_LINE}">{escape(line)}</tspan>'
            for n, line in enumerate(note_lines, start=1)
        )
        parts.append(
            f'<text class="note" text-anchor="middle" font-size="{NOTE_SIZE}" '
            f'fill="#b45309">{spans}</text>'
        )
        height += 10 + len(note_lines) * NOTE_LINE
    title = _("Flowchart of item %(number)s: %(title)s") % {
        "number": item.number,
        "title": item.title,
    }
    title_id = f"flowchart-{item.number}-title"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'class="flowchart" role="img" aria-labelledby="{title_id}" '
        f"font-family={quoteattr(FONTS)}>"
        f'<title id="{title_id}">{escape(_NOT_XML.sub("", title))}</title>'
        f"{''.join(parts)}"
        "</svg>"
    )
