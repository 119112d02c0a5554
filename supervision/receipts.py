"""Receipt codes: what a reporter keeps to follow their report, shown once, stored only hashed.

A code is 12 characters of the electronic IDs' alphabet (no I, L, O, U, V: nothing to misread),
written in groups of four: `7K2M-XQ9D-4TNB`, about 59 bits. It is derived from the form's own
submission id with a key only the server holds, so a resent form (a double tap, a retry on a bad
line) shows the same code again; the database keeps keyed hashes of both, from which neither can
be found. Looking a code up costs the same whether it is well formed, mistyped or unknown.
"""

import hashlib
import hmac
import uuid

from django.conf import settings

from qr.codes import ALPHABET, LOOKALIKES
from registry.text import fold

LENGTH = 12
GROUP = 4


def _key() -> bytes:
    return hashlib.sha256(f"qinglian.supervision:{settings.SECRET_KEY}".encode()).digest()


def _mac(purpose: str, text: str) -> bytes:
    return hmac.new(_key(), f"{purpose}:{text}".encode(), hashlib.sha256).digest()


def submission_hash(client_uuid: uuid.UUID) -> str:
    """What the database keeps of a form's submission id, to find a resent form's case."""
    return _mac("submission", str(client_uuid)).hex()


def receipt_for(client_uuid: uuid.UUID) -> str:
    """The receipt code of a submission, grouped for reading: `XXXX-XXXX-XXXX`."""
    number = int.from_bytes(_mac("receipt", str(client_uuid)), "big")
    chars = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    code = "".join(chars)
    return "-".join(code[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def compact(text: str) -> str:
    """A typed code as the characters that count: full-width forms, lower case, look-alike
    letters (O for 0, I and L for 1), spaces and dashes forgiven."""
    folded = fold(text or "").upper().translate(LOOKALIKES)
    return "".join(ch for ch in folded if ch in ALPHABET)[: LENGTH * 2]


def receipt_hash(text: str) -> str:
    """The stored form of a receipt code, typed in any of the forgiven ways."""
    return _mac("receipt-code", compact(text)).hex()
