"""Personal data kept from the public: ID-card numbers, private mobile numbers, full names.

Staff see records as entered; anything shown publicly or written to the public log goes
through `scrub` first (or `Scrubbed`, the same in SQL, where the database writes the JSON).
Numbers typed with full-width digits (１３８…), spaces, dots or dashes are caught too.
"""

import re

from django.db.models import CharField, F, Func, TextField

FULL_WIDTH = "０１２３４５６７８９"
HALF_WIDTH = "0123456789"
_TO_HALF_WIDTH = str.maketrans(FULL_WIDTH, HALF_WIDTH)

# 18-digit resident ID (birth date inside, last character a digit or X, groups may be spaced),
# and the old 15-digit one.
_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID_CARD = re.compile(
    rf"(?<![0-9A-Za-z])[1-9][0-9]{{5}}(?:[ -]?(?:18|19|20)[0-9]{{2}}{_DAY}[ -]?[0-9]{{3}}[0-9Xx]"
    rf"|[0-9]{{2}}{_DAY}[0-9]{{3}})(?![0-9A-Za-z])"
)
# Mainland mobile numbers, optionally with +86 or 0086, in groups (138 1234 5678, 138-1234-5678).
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9][ .-]?[0-9]{4}[ .-]?[0-9]{4}(?![0-9A-Za-z])"
)

ID_MASK = "[身份证号已隐去]"
MOBILE_MASK = "[手机号已隐去]"


def scrub(text: str) -> str:
    """`text` with every ID-card and mobile number replaced by a marker; else unchanged."""
    if not text:
        return text
    digits = text.translate(_TO_HALF_WIDTH)
    hidden = _MOBILE.sub(MOBILE_MASK, _ID_CARD.sub(ID_MASK, digits))
    return text if hidden == digits else hidden


def has_personal_data(text: str) -> bool:
    return bool(text) and scrub(text) != text


def public_name(name: str, kind: str) -> str:
    """Organisations are named in full (numbers hidden); an individual by family name (张**)."""
    if kind == "organisation" or not name:
        return scrub(name)
    return name[0] + "*" * max(len(name) - 1, 1)


# The same patterns for PostgreSQL (ARE syntax), for JSON the database writes itself.
_SQL_DAY = "(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
_SQL_ID = (
    f"(?<![0-9A-Za-z])[1-9][0-9]{{5}}(([ -]?(18|19|20)[0-9]{{2}}{_SQL_DAY}[ -]?[0-9]{{3}}[0-9Xx])"
    f"|([0-9]{{2}}{_SQL_DAY}[0-9]{{3}}))(?![0-9A-Za-z])"
)
_SQL_MOBILE = (
    "(?<![0-9A-Za-z])((\\+|00)?86[ -]?)?1[3-9][0-9][ .-]?[0-9]{4}[ .-]?[0-9]{4}(?![0-9A-Za-z])"
)
# Any ID or mobile number holds seven digits in a row, or three and four around a separator:
# most text fails this cheap test, and only the rest pays for the two replacements.
_SQL_MAYBE = f"[0-9{FULL_WIDTH}]{{3}}[ .-]?[0-9{FULL_WIDTH}]{{4}}"


class Scrubbed(Func):
    """`scrub` done by PostgreSQL: a text column with ID-card and mobile numbers hidden."""

    output_field = TextField()

    def __init__(self, path: str) -> None:
        super().__init__(F(path))

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        digits = "translate(" + column + ", %s, %s)"
        digit_params = (*column_params, FULL_WIDTH, HALF_WIDTH)
        sql = (
            "CASE WHEN " + column + " ~ %s THEN regexp_replace(regexp_replace("
            + digits + ", %s, %s, 'g'), %s, %s, 'g') ELSE " + column + " END"
        )  # fmt: skip
        params = (
            *column_params,
            _SQL_MAYBE,
            *digit_params,
            _SQL_ID,
            ID_MASK,
            _SQL_MOBILE,
            MOBILE_MASK,
            *column_params,
        )
        return sql, params


def is_free_text(field) -> bool:
    return isinstance(field, CharField | TextField) and not field.choices


def scrub_all(value):
    """`scrub` applied to every string inside nested lists and dicts (JSON for the public)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: scrub_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_all(item) for item in value]
    return value
