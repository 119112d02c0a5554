"""A mistyped division code in a filter is a 400 that says so, on every list that takes one:
never an empty list or a filter silently left out."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

pytestmark = pytest.mark.django_db

REASON = "A division code has 6, 9 or 12 digits, like 330381102201."


@pytest.mark.parametrize(
    "path",
    [
        "/api/assets/?village=abc",
        "/api/assets/?township=12345",
        "/api/projects/?village=abc",
        "/api/units/?parent=xyz",
        "/supervision/cases/?township=abc",
        "/supervision/cases.csv?township=abc",
        "/supervision/cases/?village=3303811022",
        "/api/sites/?unit=abc",
        "/api/sites/?township=abc",
        "/api/routes/?unit=abc",
        "/api/auctions/?township=abc",
        "/auctions/?village=abc",
    ],
)
def test_a_mistyped_division_code_is_a_400_with_the_reason(client, path):
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400, path
    with translation.override("zh-hans"):
        if path.startswith("/api/") or ".csv" in path:
            return
        assert _(REASON) in answer.content.decode()


def test_a_code_typed_in_full_width_digits_still_filters(client):
    answer = client.get("/api/assets/?village=３３０３８１１０２２０１")
    assert answer.status_code == 200
    assert answer.json()["features"]
