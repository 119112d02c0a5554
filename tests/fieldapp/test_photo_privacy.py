"""Public photo copies and thumbnails are made from the pixels alone (security finding 5).

A phone photo, or a file made to look like one, can carry a `<script>` in a JPEG comment, an
XMP packet, EXIF maker notes, IPTC, an ICC profile or PNG text chunks. The files below are
real, built with Pillow, uploaded through the field app's views, and the public copy and the
thumbnail are then read back from disk.
"""

import io
import struct
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from fieldapp import photos as field_photos
from fieldapp.models import Photo

pytestmark = pytest.mark.django_db
JSON = {"accept": "application/json"}
OWN_VILLAGES = ["东岙村", "许岙村"]

SCRIPT = b"<script>alert(1)</script>"
XMP_SECRET = b"XMP-SECRET-owner-13912345678"
MAKER_SECRET = b"MAKERNOTE-SECRET-serial-A1B2C3"
IPTC_SECRET = b"IPTC-SECRET-byline"
PNG_SECRETS = (b"PNG-tEXt-SECRET", b"PNG-zTXt-SECRET", b"PNG-iTXt-SECRET")
CAMERA = b"TestPhone"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>'
    + XMP_SECRET
    + SCRIPT
    + b"</dc:creator>"
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
FORBIDDEN = (
    SCRIPT,
    b"<script",
    XMP_SECRET,
    MAKER_SECRET,
    IPTC_SECRET,
    *PNG_SECRETS,
    CAMERA,
    b"Exif",
    b"http://ns.adobe.com/xap",
    b"xmpmeta",
    b"Photoshop 3.0",
    b"8BIM",
    b"ICC_PROFILE",
)
# What a bare baseline or progressive JPEG needs: SOI, JFIF, tables, frame, scan.
PIXEL_MARKERS = {0xD8, 0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}
RED, BLUE = (220, 20, 20), (20, 20, 220)


def _two_halves(size: tuple[int, int]) -> Image.Image:
    """Red left half, blue right half: after a quarter turn the halves show which way."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0] // 2, size[1]))
    return image


def _exif(image: Image.Image, orientation: int = 1) -> Image.Exif:
    exif = image.getexif()
    exif[0x010F] = CAMERA.decode()
    exif[0x0112] = orientation
    exif.get_ifd(0x8769)[0x927C] = MAKER_SECRET  # MakerNote
    exif.get_ifd(0x8769)[0x9286] = SCRIPT.decode()  # UserComment
    exif.get_ifd(0x8825).update({1: "N", 2: (27.0, 50.0, 1.0), 3: "E", 4: (120.0, 40.0, 2.0)})
    return exif


def _with_iptc(jpeg: bytes) -> bytes:
    """Splice an APP13 Photoshop/IPTC segment (a caption) in after SOI."""
    caption = b"\x1c\x02\x78" + struct.pack(">H", len(IPTC_SECRET + SCRIPT)) + IPTC_SECRET + SCRIPT
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(caption)) + caption
    body = b"Photoshop 3.0\x00" + resource
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def hostile_jpeg(size=(800, 600), orientation: int = 6, icc: bool = True) -> bytes:
    """A JPEG a phone could never make: comment, XMP, maker notes, GPS, IPTC, ICC and a turn."""
    image = _two_halves(size)
    buffer = io.BytesIO()
    extra = {"icc_profile": ICC} if icc else {}
    image.save(buffer, "JPEG", exif=_exif(image, orientation), comment=SCRIPT, xmp=XMP, **extra)
    return _with_iptc(buffer.getvalue())


def hostile_png(size=(300, 200)) -> bytes:
    image = _two_halves(size)
    info = PngInfo()
    info.add_text("Comment", (PNG_SECRETS[0] + SCRIPT).decode())
    info.add_text("Description", (PNG_SECRETS[1] + SCRIPT).decode(), zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode() + PNG_SECRETS[2].decode(), lang="zh")
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, exif=_exif(image, 1), icc_profile=ICC)
    return buffer.getvalue()


def hostile_webp(size=(400, 300)) -> bytes:
    image = _two_halves(size)
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", exif=_exif(image, 1), xmp=XMP, icc_profile=ICC, quality=95)
    return buffer.getvalue()


def hostile_heic(size=(320, 240)) -> bytes:
    image = _two_halves(size)
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", exif=_exif(image, 1).tobytes(), xmp=XMP, quality=95)
    return buffer.getvalue()


def jpeg_markers(data: bytes) -> list[int]:
    """The markers of the segments before the image data, in order."""
    assert data[:2] == b"\xff\xd8"
    found, at = [0xD8], 2
    while at < len(data):
        assert data[at] == 0xFF, f"not a marker at {at}"
        marker = data[at + 1]
        found.append(marker)
        if marker == 0xDA:
            return found
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
    return found


def assert_pixels_only(data: bytes, size: tuple[int, int]) -> Image.Image:
    for payload in FORBIDDEN:
        assert payload not in data, payload
    assert b"\xff\xfe" not in data  # COM
    markers = jpeg_markers(data)
    assert set(markers) <= PIXEL_MARKERS, [hex(m) for m in markers]
    assert data[6:11] == b"JFIF\x00"
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "JPEG" and image.mode == "RGB"
    assert image.size == size
    assert not image.info.get("comment") and "icc_profile" not in image.info
    assert dict(image.getexif()) == {}
    return image


def close(colour: tuple, expected: tuple, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def upload(client, url: str, data: bytes, name: str, **fields) -> Photo:
    key = uuid.uuid4()
    response = client.post(
        url,
        {"client_uuid": str(key), "photos": SimpleUploadedFile(name, data), **fields},
        headers=JSON,
    )
    assert response.status_code == 201, response.content
    return Photo.objects.get(client_uuid=uuid.uuid5(key, "photo-0"))


def on_disk(field) -> bytes:
    with open(field.path, "rb") as file:
        return file.read()


@pytest.mark.parametrize("icc", [True, False], ids=["with-icc", "without-icc"])
def test_a_hostile_jpeg_leaves_only_upright_pixels_in_the_public_copy_and_thumbnail(
    client, demo_user, project, icc
):
    client.force_login(demo_user("inspector"))
    data = hostile_jpeg(icc=icc)
    for payload in (SCRIPT, XMP_SECRET, MAKER_SECRET, IPTC_SECRET, b"Exif", b"xap/1.0/"):
        assert payload in data  # the test file really carries them
    assert (b"ICC_PROFILE" in data) == icc
    assert b"\xff\xfe" in data
    url = reverse("fieldapp:photos", args=["project", project.pk])
    photo = upload(client, url, data, "site.jpg", public="on")

    assert (photo.width, photo.height) == (600, 800)  # orientation 6 applied: now portrait
    public = assert_pixels_only(on_disk(photo.public_image), (600, 800))
    assert_pixels_only(on_disk(photo.thumbnail), (240, 320))
    assert close(public.getpixel((300, 20)), RED)  # the left half turned to the top
    assert close(public.getpixel((300, 780)), BLUE)
    assert on_disk(photo.original) == data  # the original is kept as it came, privately
    served = client.get(reverse("fieldapp:public-photo", args=[photo.pk, "full"]))
    assert b"".join(served.streaming_content) == on_disk(photo.public_image)


@pytest.mark.parametrize(
    ("builder", "name", "size", "thumb"),
    [
        (hostile_png, "site.png", (300, 200), (300, 200)),
        (hostile_webp, "site.webp", (400, 300), (320, 240)),
        (hostile_heic, "site.heic", (320, 240), (320, 240)),
    ],
)
def test_other_formats_lose_their_text_chunks_and_metadata(
    client, demo_user, project, builder, name, size, thumb
):
    client.force_login(demo_user("inspector"))
    data = builder()
    assert XMP_SECRET in data or PNG_SECRETS[0] in data
    url = reverse("fieldapp:photos", args=["project", project.pk])
    photo = upload(client, url, data, name, public="on")
    public = assert_pixels_only(on_disk(photo.public_image), size)
    assert_pixels_only(on_disk(photo.thumbnail), thumb)
    assert close(public.getpixel((5, size[1] // 2)), RED)
    assert close(public.getpixel((size[0] - 5, size[1] // 2)), BLUE)


def test_a_png_keeps_its_text_chunks_only_in_the_private_original(client, demo_user, project):
    client.force_login(demo_user("inspector"))
    data = hostile_png()
    assert all(secret in data for secret in (PNG_SECRETS[0], PNG_SECRETS[2]))
    assert b"zTXt" in data and b"iTXt" in data and b"tEXt" in data
    url = reverse("fieldapp:photos", args=["project", project.pk])
    photo = upload(client, url, data, "site.png", public="on")
    assert on_disk(photo.original) == data
    for copy in (photo.public_image, photo.thumbnail):
        body = on_disk(copy)
        assert b"tEXt" not in body and b"zTXt" not in body and b"iTXt" not in body


def test_the_original_with_its_exif_is_stored_outside_the_served_media(
    client, demo_user, project, settings
):
    client.force_login(demo_user("inspector"))
    url = reverse("fieldapp:photos", args=["project", project.pk])
    photo = upload(client, url, hostile_jpeg(), "site.jpg", public="on")
    original = Path(photo.original.path)
    assert original.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not (Path(settings.MEDIA_ROOT) / photo.original.name).exists()
    assert Path(photo.public_image.path).is_relative_to(settings.MEDIA_ROOT)
    assert client.get(f"{settings.MEDIA_URL}{photo.original.name}").status_code == 404


def test_a_supervisor_notes_photo_is_stripped_too(client, demo_user, project):
    client.force_login(demo_user("supervisor"))
    url = reverse("fieldapp:note", args=["project", project.pk])
    photo = upload(client, url, hostile_jpeg(orientation=1), "note.jpg", text="公示牌", public="on")
    assert photo.purpose == "note"
    assert_pixels_only(on_disk(photo.public_image), (800, 600))
    assert_pixels_only(on_disk(photo.thumbnail), (320, 240))


def test_an_icc_profile_is_applied_then_dropped_and_a_broken_one_is_ignored():
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    image = Image.new("RGB", (40, 40), (200, 100, 50))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", icc_profile=ICC)
    prepared = field_photos.prepare(buffer.getvalue())
    assert_pixels_only(prepared.public_jpeg, (40, 40))
    assert close(Image.open(io.BytesIO(prepared.public_jpeg)).getpixel((20, 20)), (200, 100, 50))
    broken = io.BytesIO()
    image.save(broken, "PNG", icc_profile=lab[:60])
    assert_pixels_only(field_photos.prepare(broken.getvalue()).public_jpeg, (40, 40))
