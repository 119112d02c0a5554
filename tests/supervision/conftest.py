import io
import uuid

import pytest
from PIL import Image

from registry.models import AdminUnit
from supervision import services
from supervision.models import Case, Category

DONGAO = "330381102201"  # the demo supervisor's village, with its station
XUAO = "330381102202"


def jpeg(**exif_tags) -> bytes:
    """A real JPEG; `exif_tags` maps EXIF tag numbers to values (0x010F Make, 0x0110 Model)."""
    image = Image.new("RGB", (800, 600), (90, 120, 150))
    exif = Image.Exif()
    for tag, value in exif_tags.items():
        exif[int(tag)] = value
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes() if exif_tags else b"")
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
