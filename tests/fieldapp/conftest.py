import pytest

from fieldapp.models import Checklist, FollowUp, Inspection, Photo
from projects.models import Project

# The demo field staff's villages (fixtures/users.json).
OWN_VILLAGES = ("东岙村", "许岙村")


@pytest.fixture(autouse=True)
def no_demo_field_work(db):
    """Start each test with no inspections or photos: the demo's own (one per project under
    way) are removed inside the test's transaction, which rolls back afterwards."""
    Photo.objects.all().delete()
    FollowUp.objects.all().delete()
    Inspection.objects.all().delete()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Photos a test stores go to its own folders: public copies and private originals."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def project():
    """A project under construction in the field staff's own villages."""
    return Project.objects.filter(stage="construction", village__name__in=OWN_VILLAGES).first()


@pytest.fixture
def checklist():
    return Checklist.objects.get(name="施工现场检查")
