"""Real image files for the field tests, made with Pillow (no mocks)."""

import io

from PIL import Image


def jpeg(
    lon: float | None = None,
    lat: float | None = None,
    size=(800, 600),
    refs: tuple[str, str] = ("N", "E"),
) -> bytes:
    """A JPEG with EXIF: camera make, time taken and, given lon and lat, GPS (`refs` are the
    latitude and longitude references as the camera wrote them)."""
    image = Image.new("RGB", size, (180, 120, 60))
    exif = image.getexif()
    exif[0x010F] = "TestPhone"  # camera make: must not reach the public copy
    if lon is not None:
        gps = exif.get_ifd(0x8825)
        gps.update({1: refs[0], 2: _dms(abs(lat)), 3: refs[1], 4: _dms(abs(lon))})
    exif.get_ifd(0x8769)[0x9003] = "2026:11:20 10:00:00"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def heic() -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "green").save(buffer, "HEIF")
    return buffer.getvalue()


def bomb() -> bytes:
    """A tiny PNG that claims 30,000 × 30,000 pixels."""
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, "PNG")
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
    return (float(degrees), float(minutes), seconds)
