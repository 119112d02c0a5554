"""Reading what people type about money: amounts in yuan, bank references, credit codes, bank
accounts. Each reader normalises (NFKC: full-width digits and letters become ASCII) and raises
ValidationError naming the field; nothing here touches the database."""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_AMOUNT = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds
_SEPARATORS = str.maketrans({",": "", "，": "", " ": "", "\u3000": "", "_": ""})


def _nfkc(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def parse_amount(raw: object, *, field: str = "amount") -> Decimal:
    """A positive amount in yuan with at most two decimals (分): "12,345.60", "１２３元" and
    Decimal("12.3") are read; "12.345", "-5", "0", "abc", "NaN" and amounts past
    9,999,999,999.99 are refused."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = _nfkc(raw).translate(_SEPARATORS).removesuffix("元")
        if not text:
            raise ValidationError({field: _("Give the amount in yuan.")})
        if not re.fullmatch(r"[+-]?[0-9]*\.?[0-9]+|[+-]?[0-9]+\.", text):
            raise ValidationError(
                {field: _("“%(value)s” is not an amount in yuan.") % {"value": text[:30]}}
            )
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                {field: _("“%(value)s” is not an amount in yuan.") % {"value": text[:30]}}
            ) from None
    if not value.is_finite():
        raise ValidationError({field: _("Give the amount in yuan.")})
    if value <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(
            {
                field: _("An amount in yuan has at most two decimals (fen); %(value)s has more.")
                % {"value": value}
            }
        )
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is larger than any village account holds.")})
    return value.quantize(Decimal("0.01"))


_REFERENCE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z/-]{5,39}$")


def parse_bank_reference(raw: object, *, field: str = "bank_reference") -> str:
    """The bank's transfer reference (交易流水号) as printed on the slip: 6-40 letters, digits,
    dashes or slashes; spaces are dropped."""
    text = _nfkc(raw).replace(" ", "").upper()
    if not text:
        raise ValidationError(
            {field: _("A payment is made by bank transfer: give the bank's transfer reference.")}
        )
    if not _REFERENCE.match(text):
        raise ValidationError(
            {field: _("A bank transfer reference is 6 to 40 letters and digits.")}
        )
    return text


def parse_account_number(raw: object, *, field: str = "account_number") -> str:
    """A bank account number: 8-34 digits (spaces and dashes dropped)."""
    text = re.sub(r"[\s-]", "", _nfkc(raw))
    if not text:
        raise ValidationError({field: _("A payee needs a bank account: payments are by transfer.")})
    if not re.fullmatch(r"[0-9]{8,34}", text):
        raise ValidationError({field: _("A bank account number is 8 to 34 digits.")})
    return text


# GB 32100-2015: the unified social credit code's 31-character alphabet and weights.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_valid(code: str) -> bool:
    """Whether `code` is an 18-character unified social credit code with the right check
    character (GB 32100-2015)."""
    if len(code) != 18 or any(ch not in _CREDIT_ALPHABET for ch in code):
        return False
    total = sum(
        _CREDIT_ALPHABET.index(ch) * w for ch, w in zip(code, _CREDIT_WEIGHTS, strict=False)
    )
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def parse_credit_code(raw: object, *, field: str = "credit_code") -> str:
    text = _nfkc(raw).replace(" ", "").upper()
    if text and not credit_code_valid(text):
        raise ValidationError(
            {
                field: _(
                    "“%(value)s” is not a valid unified social credit code (18 characters, "
                    "GB 32100)."
                )
                % {"value": text[:20]}
            }
        )
    return text


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_valid(number: str) -> bool:
    """An 18-character resident ID number with its check character (GB 11643-1999)."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return False
    total = sum(int(d) * w for d, w in zip(number, _ID_WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == number[17]


def parse_id_number(raw: object, *, field: str = "id_number") -> str:
    text = _nfkc(raw).replace(" ", "").upper()
    if text and not id_number_valid(text):
        raise ValidationError({field: _("This is not a valid 18-character ID-card number.")})
    return text
