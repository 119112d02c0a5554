import pytest

from fieldapp.models import FollowUp, Inspection, Photo


@pytest.fixture(autouse=True)
def no_demo_field_work(db):
    """Start each test with no inspections or photos: the demo's own (one per project under
    way) are removed inside the test's transaction, which rolls back afterwards."""
    Photo.objects.all().delete()
    FollowUp.objects.all().delete()
    Inspection.objects.all().delete()
