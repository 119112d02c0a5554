"""Electronic ID codes: short, typeable, and self-checking.

A code reads `P-102201-0042-K`: a kind prefix, the unit's place within the city (the last six
digits of its 12-digit division code), a serial, and a check character.

The alphabet has 31 symbols (digits, and letters without I, L, O, U, V), so a mistyped O is
read as 0 and I or L as 1. 31 is prime, and the check character makes the weighted sum
Σ (i+1)·value(cᵢ) over all characters ≡ 0 (mod 31) with distinct non-zero weights below 31.
Hence any single wrong character changes the sum by w·δ ≢ 0, and swapping two neighbours
changes it by (wᵢ − wᵢ₊₁)(vᵢ − vᵢ₊₁) = ±δ ≢ 0: both are always caught.
"""

import re
from dataclasses import dataclass

from registry.text import fold

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTWXYZ"
BASE = len(ALPHABET)
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
PREFIXES = {"building": "B", "parcel": "D", "facility": "F", "project": "P", "site": "S"}
PATTERN = re.compile(r"^([BDFPS])([0-9]{6})([0-9]{4})([0-9A-Z])$")  # ASCII digits only
MAX_SERIAL = 9999

assert BASE == 31


class MalformedCode(ValueError):
    """The text cannot be an electronic ID at all (wrong length, letters where digits go)."""


@dataclass(frozen=True)
class ParsedCode:
    prefix: str
    place: str
    serial: int
    check: str

    @property
    def body(self) -> str:
        return f"{self.prefix}{self.place}{self.serial:04d}"

    @property
    def is_valid(self) -> bool:
        return check_character(self.body) == self.check

    def __str__(self) -> str:
        return format_code(self.prefix, self.place, self.serial)


def check_character(body: str) -> str:
    total = sum((i + 1) * VALUES[ch] for i, ch in enumerate(body))
    weight = len(body) + 1
    # Solve total + weight·c ≡ 0 (mod 31); weight is invertible because 31 is prime.
    return ALPHABET[(-total * pow(weight, -1, BASE)) % BASE]


def is_consistent(compact: str) -> bool:
    """True when the whole compact code (body + check) sums to 0 mod 31."""
    return sum((i + 1) * VALUES[ch] for i, ch in enumerate(compact)) % BASE == 0


def format_code(prefix: str, place: str, serial: int) -> str:
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"serial {serial} is outside 1-{MAX_SERIAL}")
    body = f"{prefix}{place}{serial:04d}"
    return f"{prefix}-{place}-{serial:04d}-{check_character(body)}"


URL_PATH = re.compile(r"/e/([^/?#]+)")
# Punctuation a code copied out of a chat message or a notice brings along (【…】, a final 。,
# quotes, brackets): no code holds any of it.
AROUND = re.compile("[。，、；：？！,;:?!\"'“”‘’「」『』【】〔〕《》〈〉()\\[\\]{}<>]")


def compact(text: str) -> str:
    """What a person typed or pasted, as a bare code: full-width and other typed forms folded
    (`registry.text.fold`), a whole pasted plaque URL reduced to its code, the punctuation and
    brackets around a code copied from a message dropped, upper-cased, spaces and dashes
    dropped, and look-alike letters read as digits."""
    text = fold(text)
    in_url = URL_PATH.search(text)
    if in_url:
        text = in_url.group(1)
    return re.sub(r"[\s\-_.·]", "", AROUND.sub("", text.upper())).translate(LOOKALIKES)


def parse(text: str) -> ParsedCode:
    """Parse what a person typed or a QR held; raise MalformedCode if it cannot be a code."""
    cleaned = compact(text)
    match = PATTERN.match(cleaned)
    if not match or cleaned[-1] not in VALUES:
        raise MalformedCode(text)
    prefix, place, serial, check = match.groups()
    return ParsedCode(prefix, place, int(serial), check)


def near_misses(parsed: ParsedCode) -> list[str]:
    """Valid codes one slip away from a code whose check failed: one character or one swap."""
    chars = list(parsed.body + parsed.check)
    candidates: set[str] = set()
    for i, original in enumerate(chars):
        for ch in ALPHABET:
            if ch != original:
                candidates.add("".join([*chars[:i], ch, *chars[i + 1 :]]))
    for i in range(len(chars) - 1):
        swapped = chars[:]
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        candidates.add("".join(swapped))
    found = []
    for candidate in sorted(candidates):
        match = PATTERN.match(candidate)
        if match and is_consistent(candidate):
            prefix, place, serial, _check = match.groups()
            if int(serial) >= 1:
                found.append(format_code(prefix, place, int(serial)))
    return found


def place_of(division_code: str) -> str:
    """The six digits that place a unit within its city (township 3 + village 3)."""
    return division_code[6:12].ljust(6, "0")
