"""Codes as a Chinese input method types them (issue 13, part 2): full-width letters and
digits, full-width and other dashes, the ideographic space, a whole pasted plaque URL."""

import pytest
from django.urls import reverse

from fieldapp.backends import normalise_phone
from qr.codes import MalformedCode, parse
from registry.text import fold, fold_number

CODE = "B-001201-0001-Z"
TYPED = [
    "B-００１２０１-０００１-Z",  # full-width digits
    "Ｂ－００１２０１－０００１－Ｚ",  # everything full-width
    "B－001201－0001－Z",  # full-width dashes
    "B—001201—0001—Z",  # em dashes
    "B\u3000001201\u30000001\u3000Z",  # ideographic spaces
    "b-001201-0001-z\u200b",  # lower case, a zero-width space from a paste
    "https://qinglian.example.cn/e/B-001201-0001-Z",  # the whole plaque URL
    "http://127.0.0.1:8000/e/B-001201-0001-Z/report/",
    "B-001201-0001-Z。",  # copied from a chat message
    "【B-001201-0001-Z】",
    "“B-001201-0001-Z”",
]


@pytest.mark.parametrize("typed", TYPED)
def test_typed_forms_parse_to_the_code(typed):
    assert str(parse(typed)) == CODE


@pytest.mark.django_db
@pytest.mark.parametrize("typed", TYPED)
def test_the_code_form_redirects_typed_forms_to_the_record(client, typed):
    response = client.get(reverse("qr:entry"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/e/{CODE}"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", [*TYPED[:6], "B-001201-0001-Z。", "【B-001201-0001-Z】"])
def test_a_typed_form_in_the_url_redirects_to_the_code(client, typed):
    response = client.get(f"/e/{typed}")
    assert response.status_code == 301
    assert response["Location"] == f"/e/{CODE}"


@pytest.mark.parametrize("text", ["B-٠٠١٢٠١-0001-Z", "B-00120１-000", "B-𝟎𝟎𝟏𝟐𝟎𝟏-0001-Z" + "X" * 40])
def test_other_digits_are_not_a_code_and_never_a_server_error(text):
    with pytest.raises(MalformedCode):
        parse(text)


@pytest.mark.django_db
def test_arabic_indic_digits_in_the_code_form_are_a_400(client):
    response = client.get(reverse("qr:entry"), {"code": "B-٠٠١٢٠١-0001-Z"})
    assert response.status_code == 400


def test_fold_keeps_chinese_but_folds_what_is_typed_for_values():
    assert fold("　Ｂ－１２　") == "B-12"
    assert fold_number("１，２００元") == "1200"
    assert fold_number("1 200") == "1200"


def test_a_phone_number_typed_in_full_width_finds_its_digits():
    assert normalise_phone("＋８６ １３８－１２３４－５６７８") == "13812345678"


@pytest.mark.django_db
def test_a_pasted_page_of_text_is_refused_without_repeating_it_whole(client):
    response = client.get(reverse("qr:entry"), {"code": "Z" * 3000})
    assert response.status_code == 400
    message = response.content.decode().split("<main", 1)[1].split('name="code"', 1)[0]
    assert "“" + "Z" * 39 + "…”" in message
    assert "Z" * 41 not in message


@pytest.mark.django_db
def test_an_invisible_control_character_from_a_paste_is_dropped(client):
    response = client.get(reverse("qr:entry"), {"code": CODE + "\x00"})
    assert response.status_code == 302
    assert response["Location"] == f"/e/{CODE}"
