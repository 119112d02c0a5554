import os
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

from demo import loader as demo
from tests import snapshot

DEMO_PASSWORD = "demo-password-for-tests"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """One test database per run, so two runs on one machine never trip over each other."""
    for database in settings.DATABASES.values():
        if database["ENGINE"].endswith("postgis"):
            database.setdefault("TEST", {})["NAME"] = f"test_{database['NAME']}_{os.getpid()}"


@pytest.fixture(scope="session", autouse=True)
def media_roots(tmp_path_factory):
    """Uploaded and generated files of a test run go to its own temporary folders."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.PRIVATE_MEDIA_ROOT = tmp_path_factory.mktemp("private")


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: rolled-back tests reuse the log's sequence numbers,
    so a shared page cached by one test would otherwise look current to the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, media_roots):
    """Load the Rui'an demo data once; each test then runs inside a rolled-back transaction."""
    with django_db_blocker.unblock():
        load_demo_with_users()
        snapshot.take()


def load_demo_with_users() -> None:
    """The demo data plus its role users (load_demo creates users only when DEBUG is on)."""
    call_command("load_demo", stdout=StringIO())
    demo.ensure_demo_users(DEMO_PASSWORD)


def demo_back() -> None:
    """The demo again after a transactional test emptied the database: copied back, or replayed."""
    if not snapshot.restore():
        load_demo_with_users()


def pytest_collection_modifyitems(config, items):
    """Browser tests flush the database when they finish, so they run after everything else."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


@pytest.fixture
def demo_user(db):
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get
