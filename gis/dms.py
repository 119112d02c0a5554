"""Coordinates as people write them: decimal degrees, or degrees, minutes and seconds.

`parse_degrees("120°38′28.5″E")` is 120.641250; so are `120 38 28.5`, `东经120度38分28.5秒` and
`120.6412500`. South and west (S, W, 南纬, 西经) are negative. Full-width digits and
punctuation are read as ASCII (`registry`-independent: NFKC here). Returns None for text that
is no coordinate, for NaN and the infinities, and for minutes or seconds of 60 or more.
"""

import math
import re
import unicodedata

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_HEMISPHERE = r"[NSEWnsew]|东经|西经|北纬|南纬|东|西|南|北"
_DMS = re.compile(
    rf"^(?P<before>{_HEMISPHERE})?\s*(?P<d>{_NUMBER})\s*(?:°|度|\s)\s*"
    rf"(?:(?P<m>{_NUMBER})\s*(?:'|′|’|分|\s)\s*)?"
    rf"(?:(?P<s>{_NUMBER})\s*(?:\"|″|”|''|′′|秒)?\s*)?"
    rf"(?P<after>{_HEMISPHERE})?$"
)
_NEGATIVE = {"S", "W", "南纬", "西经", "南", "西"}


def parse_degrees(text: object) -> float | None:
    """Degrees as a float from a number or from text in decimal or sexagesimal form."""
    if isinstance(text, int | float):
        return float(text) if math.isfinite(text) else None
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    try:
        value = float(cleaned)
    except ValueError:
        pass
    else:
        return value if math.isfinite(value) else None
    match = _DMS.fullmatch(cleaned)
    if not match:
        return None
    minutes = float(match["m"] or 0)
    seconds = float(match["s"] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    value = float(match["d"]) + minutes / 60 + seconds / 3600
    hemisphere = (match["before"] or match["after"] or "").upper()
    return -value if hemisphere in _NEGATIVE else value
