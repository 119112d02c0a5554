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


# Worked by hand from the rule in qr/codes.py: values 0-9 = 0-9, A = 10 … Z = 30 in ALPHABET;
# the check c makes Σ (i+1)·value(cᵢ) + 12·c ≡ 0 (mod 31), and 12⁻¹ ≡ 13 (mod 31)
# since 12·13 = 156 = 5·31 + 1.
HAND_COMPUTED = [
    # P=22: 22 + 2·1 + 4·2 + 5·2 + 7·1 + 11·1 = 60 ≡ 29; 12c ≡ 2; c ≡ 2·13 = 26 → T
    (("P", "102201", 1), "P-102201-0001-T"),
    # S=25: 25 + 2·1 + 4·2 + 11·3 = 68 ≡ 6; 12c ≡ 25; c ≡ 25·13 = 325 ≡ 15 → F
    (("S", "102000", 3), "S-102000-0003-F"),
    # B=11: 11 + 8·9 + 9·9 + 10·9 + 11·9 = 353 ≡ 12; 12c ≡ −12; c ≡ −1 ≡ 30 → Z
    (("B", "000000", 9999), "B-000000-9999-Z"),
    # D=13: 13 + 2·1 + 4·2 + 5·2 + 7·1 + 11·7 = 117 ≡ 24; 12c ≡ 7; c ≡ 7·13 = 91 ≡ 29 → Y
    (("D", "102201", 7), "D-102201-0007-Y"),
]


@pytest.mark.parametrize(("parts", "expected"), HAND_COMPUTED)
def test_formatted_codes_carry_the_hand_computed_check_character(parts, expected):
    assert format_code(*parts) == expected
    assert check_character(expected.replace("-", "")[:-1]) == expected[-1]
