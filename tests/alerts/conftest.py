"""A test township with two villages of its own, away from the demo's records."""

import pytest

from registry import services as registry_services
from registry.models import AdminUnit


@pytest.fixture
def township():
    city = AdminUnit.objects.get(level=AdminUnit.Level.CITY)
    return registry_services.create_admin_unit(
        actor=None, name="测试镇", level=AdminUnit.Level.TOWNSHIP, code="330381990", parent=city
    )


@pytest.fixture
def village(township):
    return registry_services.create_admin_unit(
        actor=None,
        name="测试一村",
        level=AdminUnit.Level.VILLAGE,
        code="330381990201",
        parent=township,
    )


@pytest.fixture
def other_village(township):
    return registry_services.create_admin_unit(
        actor=None,
        name="测试二村",
        level=AdminUnit.Level.VILLAGE,
        code="330381990202",
        parent=township,
    )
