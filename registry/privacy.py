"""Personal data kept from the public: ID-card numbers, private mobile numbers, full names.

Staff see records as entered; anything shown publicly or written to the public log goes
through `scrub` first.
"""

import re

from django.db.models import CharField, F, Func, TextField, Value

# 18-digit resident ID (birth date inside, last character a digit or X), and the old 15-digit one.
_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID_CARD = re.compile(
    rf"(?<![0-9A-Za-z])[1-9][0-9]{{5}}(?:(?:18|19|20)[0-9]{{2}}{_DAY}[0-9]{{3}}[0-9Xx]"
    rf"|[0-9]{{2}}{_DAY}[0-9]{{3}})(?![0-9A-Za-z])"
)
# Mainland mobile numbers, optionally with +86 and separators (138 1234 5678, 138-1234-5678).
_MOBILE = re.compile(
    r"(?<![0-9])(?:\+?86[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})(?![0-9])"
)

ID_MASK = "[身份证号已隐去]"
MOBILE_MASK = "[手机号已隐去]"


def scrub(text: str) -> str:
    """`text` with every ID-card and mobile number replaced by a marker."""
    if not text:
        return text
    text = _ID_CARD.sub(ID_MASK, text)
    return _MOBILE.sub(MOBILE_MASK, text)


def has_personal_data(text: str) -> bool:
    return bool(text) and scrub(text) != text


def public_name(name: str, kind: str) -> str:
    """Organisations are named in full; an individual only by family name (张**)."""
    if kind == "organisation" or not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


# The same patterns for PostgreSQL (ARE syntax), for JSON the database writes itself.
_SQL_DAY = "(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
_SQL_ID = (
    f"(?<![0-9A-Za-z])[1-9][0-9]{{5}}(((18|19|20)[0-9]{{2}}{_SQL_DAY}[0-9]{{3}}[0-9Xx])"
    f"|([0-9]{{2}}{_SQL_DAY}[0-9]{{3}}))(?![0-9A-Za-z])"
)
_SQL_MOBILE = "(?<![0-9])(\\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])"


class Scrubbed(Func):
    """`scrub` done by PostgreSQL: a text column with ID-card and mobile numbers hidden."""

    template = (
        "regexp_replace(regexp_replace(%(expressions)s, 'g'), %(mobile)s, %(mobile_mask)s, 'g')"
    )
    output_field = TextField()

    def __init__(self, path: str) -> None:
        super().__init__(F(path), Value(_SQL_ID), Value(ID_MASK))

    def as_sql(self, compiler, connection, **extra):
        sql, params = super().as_sql(compiler, connection, mobile="%s", mobile_mask="%s", **extra)
        return sql, (*params, _SQL_MOBILE, MOBILE_MASK)


def is_free_text(field) -> bool:
    return isinstance(field, CharField | TextField) and not field.choices
