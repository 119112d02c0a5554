import pytest
from django.contrib.auth.models import User
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the Rui'an demo data once; each test then runs inside a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)


def pytest_collection_modifyitems(config, items):
    """Browser tests flush the database when they finish, so they run after everything else."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture
def demo_user(db):
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get
