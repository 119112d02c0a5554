"""Checking and preparing photos from phones.

Pillow verifies the file really is an image (a PNG renamed .jpg is fine, a text file is not),
refuses decompression bombs, reads the EXIF time and GPS position, and writes a public copy and
a thumbnail made from the pixels alone. Phones put the owner's location and device in EXIF, and
a file can carry anything in its comments, XMP, IPTC, maker notes or PNG text chunks (a
`<script>` included): none of it may reach a public file, whatever the input format.
"""

import datetime as dt
import hashlib
import io
import math
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo; a bomb claims far more
PUBLIC_SIDE = 1600
THUMB_SIDE = 320
FORMATS = {"JPEG", "PNG", "HEIF", "WEBP", "MPO"}
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME, OFFSET_TIME_ORIGINAL = 0x9010, 0x9011
UTC_OFFSET = re.compile(r"(?P<sign>[+-])(?P<hours>[0-9]{2}):(?P<minutes>[0-9]{2})")


@dataclass
class Prepared:
    original: bytes
    sha256: str
    public_jpeg: bytes
    thumbnail_jpeg: bytes
    width: int
    height: int
    taken_at: dt.datetime | None
    lon: float | None
    lat: float | None


def _degrees(values, ref: object) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not all(math.isfinite(v) for v in (d, m, s)):
        return None
    value = d + m / 60 + s / 3600
    ref = ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref)
    return -value if ref.strip("\x00 ").upper() in ("S", "W") else value  # refs come as s, w too


def plausible(lon: float | None, lat: float | None) -> bool:
    """A position the deployment can have been photographed at: inside
    `settings.FIELD_PLAUSIBLE_EXTENT` (China's, by default). (0°, 0°), which Android photo
    pickers write as GPS tags of zeros, and any other position outside it is no position."""
    if lon is None or lat is None:
        return False
    min_lon, min_lat, max_lon, max_lat = settings.FIELD_PLAUSIBLE_EXTENT
    return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat


def _gps(exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat = _degrees(gps[2], gps.get(1, "N"))
    lon = _degrees(gps[4], gps.get(3, "E"))
    return (lon, lat) if plausible(lon, lat) else (None, None)


def _taken_at(exif) -> dt.datetime | None:
    """When the camera took the photo. EXIF writes local time without a zone; the offset the
    camera wrote beside it (OffsetTimeOriginal, else OffsetTime) wins, else the deployment's
    time zone (settings.TIME_ZONE) is assumed."""
    exif_ifd = exif.get_ifd(EXIF_IFD)
    text = exif_ifd.get(DATETIME_ORIGINAL) or exif.get(0x0132)
    try:
        naive = dt.datetime.strptime(str(text).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    offset = str(exif_ifd.get(OFFSET_TIME_ORIGINAL) or exif_ifd.get(OFFSET_TIME) or "")
    match = UTC_OFFSET.fullmatch(offset.strip("\x00 "))
    if match:
        sign = -1 if match["sign"] == "-" else 1
        delta = dt.timedelta(hours=int(match["hours"]), minutes=int(match["minutes"]))
        if delta <= dt.timedelta(hours=14):
            return naive.replace(tzinfo=dt.timezone(sign * delta))
    return timezone.make_aware(naive)


def _srgb(image: Image.Image) -> Image.Image:
    """Colours as the embedded ICC profile means them, in sRGB, so the profile can be dropped."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken or unusual profile: keep the pixels as they are


def pixels_only(image: Image.Image) -> Image.Image:
    """The upright RGB pixels in a new image with no metadata at all.

    Pillow carries what it read (a JPEG comment, XMP, ICC) from `info` into what it writes,
    so the public copy is built from raw pixel bytes rather than from the opened image.
    """
    upright = _srgb(ImageOps.exif_transpose(image)).convert("RGB")
    return Image.frombytes("RGB", upright.size, upright.tobytes())


def _jpeg(image: Image.Image, side: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((side, side))
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=82, optimize=True)
    return buffer.getvalue()


def prepare(data: bytes) -> Prepared:
    if not data:
        raise ValidationError(_("The photo is empty."), code="empty")
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The photo is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 1024 // 1024},
            code="too_large",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ValidationError(_("Only JPEG, PNG, HEIC or WebP photos are accepted."))
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("The photo has too many pixels to be a phone photo."))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("The photo has too many pixels to be a phone photo."), code="bomb"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(
            _("This file is not a photo, or it is damaged."), code="not_image"
        ) from exc
    exif = image.getexif()
    lon, lat = _gps(exif)
    upright = pixels_only(image)
    return Prepared(
        original=data,
        sha256=hashlib.sha256(data).hexdigest(),
        public_jpeg=_jpeg(upright, PUBLIC_SIDE),
        thumbnail_jpeg=_jpeg(upright, THUMB_SIDE),
        width=upright.width,
        height=upright.height,
        taken_at=_taken_at(exif),
        lon=lon,
        lat=lat,
    )
