"""Text as people type it on Chinese phones and keyboards, folded to what the program compares.

A Chinese input method in full-width mode types `Ｂ－００１２０１`, an ideographic space and
dashes of several kinds (－ — – ‐ ー); a paste may carry zero-width characters. `fold` gives
the plain form of such input for codes, numbers, dates, amounts and searches: Unicode NFKC
(full-width letters, digits and punctuation to ASCII, U+3000 to a space), every dash to `-`,
zero-width and control characters dropped (an invisible NUL from a paste), surrounding space
stripped. It is for values that are identifiers or numbers, never for free text: NFKC also
turns Chinese full-width punctuation (，：) into ASCII, which a name or a description must keep.

Where a value becomes a number, match ASCII digits (`[0-9]`), never `\\d`: in Python `\\d` also
matches Arabic-Indic, Devanagari and full-width digits.
"""

import re
import unicodedata

DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe58\ufe63\uff0d\uff70]")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def fold(text: str) -> str:
    """The plain form of typed or pasted text for comparison (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = DASHES.sub("-", text)
    return ZERO_WIDTH.sub("", text).strip()


def clean(text: str) -> str:
    """Free text (a report, a reason, a name) as typed, without what no person typed: zero-width
    and control characters dropped (newlines and tabs kept, CRLF made LF), surrounding space
    stripped. Full-width punctuation stays: it is part of Chinese writing."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return ZERO_WIDTH.sub("", text).strip()


def fold_number(text: str) -> str:
    """A typed number in plain ASCII: folded, with the thousands separators people type
    (`1,200` `1，200` `1 200`) and a trailing 元 removed. Not a validation: the caller still
    parses the result and refuses what is not a number."""
    text = fold(text).replace(",", "").replace(" ", "")
    return text.removesuffix("元")


def shown(text: str, limit: int = 40) -> str:
    """What a person typed, fit to be repeated in a message: folded, and cut to `limit`
    characters with an ellipsis, so a pasted page of text cannot stretch the page."""
    text = fold(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
