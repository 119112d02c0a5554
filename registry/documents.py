"""The checks every uploaded document passes (procedure documents, payment vouchers): a PDF,
JPEG or PNG by its first bytes (never by its name), no larger than DOCUMENT_MAX_BYTES, and its
SHA-256, which goes into the public log so a paper copy can be checked against the record."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

DOCUMENT_TYPES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


@dataclass(frozen=True)
class CheckedDocument:
    sha256: str  # 64 lower-case hex digits
    content_type: str  # one of DOCUMENT_TYPES
    size: int  # bytes


def sniff_type(head: bytes) -> str | None:
    """The document type its first bytes say, or None when it is none we accept."""
    for content_type, magics in DOCUMENT_TYPES.items():
        if any(head.startswith(magic) for magic in magics):
            return content_type
    return None


def check_document(upload: UploadedFile, *, expected_sha256: str = "") -> CheckedDocument:
    """Read `upload` once: its size, type and SHA-256. Raises ValidationError on the "file"
    field for a file too large, of another type, or not matching `expected_sha256` (the hash
    the sender computed, when given)."""
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB.")
                % {"mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < 16:
            head += chunk[:16]
        digest.update(chunk)
    upload.seek(0)
    sha256 = digest.hexdigest()
    if expected_sha256 and expected_sha256.strip().lower() != sha256:
        raise ValidationError(
            {
                "file": _(
                    "The file does not match the SHA-256 given with it (%(given)s); it was "
                    "changed or damaged on the way, so it was not stored."
                )
                % {"given": expected_sha256.strip()[:64]}
            }
        )
    content_type = sniff_type(head)
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, JPEG and PNG documents are accepted.")})
    if content_type == "application/pdf":
        _check_pdf(upload)
    else:
        _check_image(upload)
    upload.seek(0)
    return CheckedDocument(sha256=sha256, content_type=content_type, size=upload.size)


# A document photo needs far less; a picture larger than this is a decompression bomb or no
# photo of a paper at all (a phone's 108-megapixel camera mode is the largest in common use).
MAX_PIXELS = 120_000_000
# A PDF ends with "%%EOF" (ISO 32000-1, 7.5.5); writers may add a line end or a few bytes.
PDF_TAIL_BYTES = 2048


def _check_pdf(upload: UploadedFile) -> None:
    upload.seek(max(upload.size - PDF_TAIL_BYTES, 0))
    tail = upload.read(PDF_TAIL_BYTES)
    if b"%%EOF" not in tail:
        raise ValidationError(
            {"file": _("This PDF is cut short or damaged (it has no end); send the whole file.")}
        )


def _check_image(upload: UploadedFile) -> None:
    from PIL import Image

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    {
                        "file": _(
                            "The picture is %(width)s × %(height)s pixels, too large for a "
                            "document photo."
                        )
                        % {"width": width, "height": height}
                    }
                )
            image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            {"file": _("The picture is damaged or not a real JPEG or PNG; take it again.")}
        ) from None
