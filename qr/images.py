"""QR symbols for plaques.

Error correction level Q restores up to 25% of a damaged symbol: outdoor plaques get dirty,
scratched and sun-bleached, and Q keeps a short URL in a version-4 (33×33) symbol, which still
scans from a metre away on a cheap phone. H (30%) would need a larger, denser symbol.
"""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from qrcode.constants import ERROR_CORRECT_Q

BORDER = 4  # the quiet zone the QR standard requires, in modules


def public_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/e/{code}"


def matrix(data: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def _symbol(data: str, **kwargs) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=BORDER, **kwargs)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def svg(data: str) -> bytes:
    image = _symbol(data, image_factory=qrcode.image.svg.SvgPathImage).make_image()
    return image.to_string(encoding="unicode").encode()


def png(data: str, box_size: int = 10) -> bytes:
    image = _symbol(data, box_size=box_size).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
