"""Error pages are the site's own, in the visitor's language, never Django's bare English."""

from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _


def zh(text: str) -> str:
    with translation.override("zh-hans"):
        return _(text)


def test_a_missing_page_is_the_sites_own_in_chinese(client, db):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404
    assert zh("This page is not here") in answer.content.decode()
    assert "Not Found" not in answer.content.decode()


def test_a_refused_admin_page_is_the_sites_own(client, demo_user):
    client.force_login(demo_user("supervisor"))
    answer = client.get("/admin/supervision/reportercontact/")
    assert answer.status_code == 403
    assert zh("You may not open this page") in answer.content.decode()


def test_a_stale_form_says_what_to_do(db):
    strict = Client(enforce_csrf_checks=True)
    answer = strict.post("/supervision/receipt/", {"receipt": "0000-0000-0000"})
    assert answer.status_code == 403
    page = answer.content.decode()
    assert zh("Please send it again") in page
    assert "CSRF" not in page


def test_the_server_error_page_needs_no_request():
    with translation.override("zh-hans"):
        page = render_to_string("500.html")
    assert zh("Something went wrong") in page


def test_with_debug_on_a_missing_record_still_gets_the_sites_page(client, db, settings):
    settings.DEBUG = True  # as `make run` serves
    for path in ("/assets/99999999/", "/places/asset/99999999.svg", "/visit/routes/999/"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        page = answer.content.decode()
        assert zh("This page is not here") in page, path
        assert "URLconf" not in page and "DEBUG = True" not in page, path
