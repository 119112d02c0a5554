import random

import pytest

from qr.codes import (
    ALPHABET,
    PREFIXES,
    MalformedCode,
    check_character,
    format_code,
    is_consistent,
    near_misses,
    parse,
)


def sample_codes(n: int = 300) -> list[str]:
    rng = random.Random(7)
    codes = [format_code("P", "102201", 1), format_code("B", "000000", 9999)]
    while len(codes) < n:
        place = "".join(rng.choice("0123456789") for _ in range(6))
        codes.append(format_code(rng.choice(list(PREFIXES.values())), place, rng.randint(1, 9999)))
    return [c.replace("-", "") for c in codes]


@pytest.mark.parametrize("code", sample_codes())
def test_every_single_character_error_is_caught(code):
    for i, original in enumerate(code):
        for ch in ALPHABET:
            if ch != original:
                assert not is_consistent(code[:i] + ch + code[i + 1 :]), (code, i, ch)


@pytest.mark.parametrize("code", sample_codes())
def test_every_swap_of_neighbours_is_caught(code):
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not is_consistent(swapped), (code, i)


def test_the_alphabet_has_no_look_alikes_and_a_prime_size():
    assert not set("ILOUV") & set(ALPHABET)
    assert len(ALPHABET) == 31


def test_typed_codes_are_read_forgivingly():
    code = format_code("P", "102201", 42)
    typed = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert str(parse(typed)) == code
    assert parse(typed).is_valid


@pytest.mark.parametrize("text", ["", "hello", "P-102201-42-K", "X-102201-0042-K", "P102201OO42"])
def test_malformed_text_is_refused(text):
    with pytest.raises(MalformedCode):
        parse(text)


def test_a_wrong_check_character_offers_the_right_code():
    code = format_code("D", "102201", 7)
    wrong = code[:-1] + next(c for c in ALPHABET if c != code[-1])
    parsed = parse(wrong)
    assert not parsed.is_valid
    assert code in near_misses(parsed)


def test_check_character_matches_the_formatted_code():
    code = format_code("S", "102000", 3)
    assert code.endswith(check_character("S1020000003"))
