"""Places on lower apps' pages where an app above them adds a panel, without their importing it.

The plaque page, a village's page and the field app's "my work" name a slot
(`{% panels "record" subject %}`); an app above registers, in its `ready()`, a function that
renders its panel for that slot: `register("record", render)`, where `render(request, obj)` gives
HTML (a template rendered with the request) or "" when it has nothing to say.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Renderer = Callable[[HttpRequest, object], str]

_slots: dict[str, dict[str, Renderer]] = {}


def register(slot: str, renderer: Renderer, *, name: str) -> None:
    """Add (or replace, by `name`) the panel `renderer` draws in `slot`."""
    _slots.setdefault(slot, {})[name] = renderer


def render(slot: str, request: HttpRequest, obj: object = None) -> SafeString:
    """Every panel of `slot`, in the order they were registered. The renderers return template
    output, which is escaped already."""
    return mark_safe("".join(r(request, obj) for r in _slots.get(slot, {}).values()))  # noqa: S308
