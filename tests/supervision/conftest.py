import io
import uuid

import pytest
from PIL import Image

from registry.models import AdminUnit
from supervision import services
from supervision.models import Case, Category

DONGAO = "330381102201"  # the demo supervisor's village, with its station
XUAO = "330381102202"


def jpeg(gps: tuple[float, float] | None = None, **exif_tags) -> bytes:
    """A real JPEG; `exif_tags` maps EXIF tag numbers ("0x010F" Make, "0x0110" Model) to
    values, `gps` is (lon, lat) written as the camera's GPS block."""
    image = Image.new("RGB", (800, 600), (90, 120, 150))
    exif = Image.Exif()
    for tag, value in exif_tags.items():
        exif[int(tag, 0)] = value
    if gps is not None:
        lon, lat = gps

        def dms(value: float) -> tuple:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
            return (degrees, minutes, seconds)

        block = exif.get_ifd(0x8825)
        block.update({1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes() if exif_tags or gps else b"")
    return buffer.getvalue()


@pytest.fixture
def report(db):
    """File a report the way the public form does; keyword arguments override the defaults."""

    def make(**overrides) -> services.Submitted:
        fields = {
            "client_uuid": uuid.uuid4(),
            "category": Category.objects.get(code="quality"),
            "text": "路面开裂，施工时没有监理在场。",
            "identity": Case.Identity.ANONYMOUS,
            "village": AdminUnit.objects.get(code=DONGAO),
        }
        fields.update(overrides)
        return services.submit_report(**fields)

    return make


@pytest.fixture
def case_in(report):
    """A fresh station-routed case put straight into `state` (for testing the next edge)."""

    def make(state: str, **overrides) -> Case:
        case = report(**overrides).case
        Case.objects.filter(pk=case.pk).update(state=state)
        case.refresh_from_db()
        return case

    return make
