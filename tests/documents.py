"""Small real documents for upload tests: a PNG and a JPEG Pillow can open and verify, and a
PDF with its end marker. `extra` bytes after the image's end make files of distinct hashes."""

import io
from functools import cache

from PIL import Image


@cache
def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


def png(extra: bytes = b"") -> bytes:
    return _image("PNG") + extra


def jpeg(extra: bytes = b"") -> bytes:
    return _image("JPEG") + extra


def pdf(body: bytes = b"") -> bytes:
    return b"%PDF-1.4\n" + body + b"\n%%EOF\n"
