"""The site's navigation says what each item is in words a villager reads right."""

from django.utils import translation
from django.utils.translation import gettext as _


def test_the_plaque_lookup_is_not_called_an_identity_card(client, db):
    page = client.get("/").content.decode()
    with translation.override("zh-hans"):
        label = _("Look up a plaque's record")
    assert f'<a href="/e/">{label}</a>' in page
    assert label == "查标牌档案"
    assert "查电子身份证" not in page  # read as a person's ID card
