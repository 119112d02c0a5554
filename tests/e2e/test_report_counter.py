"""The report form's counter says how many characters are too many, never a negative room."""

import pytest
from django.conf import settings

from qr.models import ElectronicId

pytestmark = pytest.mark.e2e


def test_a_long_paste_is_counted_as_characters_too_many(demo_server, phone):
    eid = ElectronicId.objects.filter(prefix="P").order_by("code").first()
    phone.goto(f"{demo_server.url}/e/{eid.code}/report/")
    limit = int(phone.locator("[data-text-counter]").get_attribute("data-limit"))
    phone.locator("textarea[name=text]").fill("村" * (limit + 3000))
    counter = phone.locator("[data-text-counter]")
    assert counter.inner_text() == "超出 3000 个字，请删减"
    assert "-" not in counter.inner_text()
    phone.locator("textarea[name=text]").fill("村" * 10)
    assert str(limit - 10) in counter.inner_text()
    assert settings.LANGUAGE_CODE.startswith("zh")
