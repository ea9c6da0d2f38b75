"""One masking rule for every document a kiosk reads: the screen form and the shorter log form."""

from __future__ import annotations

import pytest

from content.citizens.idnumbers import (
    MAX_MASK_LENGTH,
    check_character,
    id_number_problem,
    mask_id_number,
    mask_id_number_for_log,
)


def valid(first17: str) -> str:
    return first17 + check_character(first17)


RESIDENT = valid("62010219900307123")  # 居民身份证
PERMIT_HK = valid("81000019850512002")  # 港澳台居民居住证, Hong Kong
PERMIT_MACAO = valid("82000019850512002")  # Macao
PERMIT_TAIWAN = valid("83000019850512002")  # Taiwan
FOREIGN_OLD = "ABC123456789012"  # 外国人永久居留身份证, old: 15 characters
FOREIGN_2023 = valid("93684019880808002")  # 2023 card: 18 characters starting with 9

# (number, screen form, log form)
CASES = [
    (RESIDENT, f"620102********{RESIDENT[-4:]}", "62" + "*" * 16),
    (PERMIT_HK, f"810000********{PERMIT_HK[-4:]}", "81" + "*" * 16),
    (PERMIT_MACAO, f"820000********{PERMIT_MACAO[-4:]}", "82" + "*" * 16),
    (PERMIT_TAIWAN, f"830000********{PERMIT_TAIWAN[-4:]}", "83" + "*" * 16),
    (FOREIGN_OLD, "ABC**********12", "AB" + "*" * 13),
    (FOREIGN_2023, f"936840********{FOREIGN_2023[-4:]}", "93" + "*" * 16),
    ("62010219900307123x", "620102********123X", "62" + "*" * 16),  # a typed lowercase x
    (" 62010219900307123X\n", "620102********123X", "62" + "*" * 16),  # padding is not part of the number
    ("1234567890", "12*******0", "12********"),  # 10: the shortest length that shows anything
    ("12345678901234567", "123************67", "12" + "*" * 15),  # 17
    ("123456789", "*********", "*********"),  # under 10: all stars
    ("A1234", "*****", "*****"),
    ("", "", ""),
]


@pytest.mark.parametrize(("number", "screen", "log"), CASES)
def test_every_document_kind_has_one_screen_form_and_a_shorter_log_form(number: str, screen: str, log: str) -> None:
    assert mask_id_number(number) == screen
    assert mask_id_number_for_log(number) == log
    assert mask_id_number_for_log(screen) == log, "logging the screen form gives the log form"


@pytest.mark.parametrize(("number", "screen", "log"), CASES)
def test_the_log_form_shows_strictly_less_than_the_screen_form(number: str, screen: str, log: str) -> None:
    shown_on_screen = sum(ch != "*" for ch in screen)
    shown_in_log = sum(ch != "*" for ch in log)
    assert shown_in_log < shown_on_screen or shown_on_screen == 0


@pytest.mark.parametrize("length", range(0, 40))
def test_no_other_length_shows_a_larger_share_than_an_18_character_number(length: int) -> None:
    number = "".join(str(i % 10) for i in range(length))
    shown = sum(ch != "*" for ch in mask_id_number(number))
    if length == 18:
        assert shown == 10
    else:
        assert shown * 3 <= length, f"{length} characters show {shown}"
    assert sum(ch != "*" for ch in mask_id_number_for_log(number)) <= 2


@pytest.mark.parametrize(
    "hostile",
    [
        "\0" * 18,
        "62\n0102199003071234",  # a line break could forge a second log line
        "62010219900307\x00234",
        "六二〇一〇二一九九〇〇三〇七一二三四",  # 18 CJK numerals
        "６２０１０２１９９００３０７１２３４",  # 18 fullwidth digits
        "62010219\u202e900307123",  # a right-to-left override
        "🙂" * 18,
        "A" * 1_000_000,
    ],
)
def test_masks_never_raise_and_show_only_ascii_letters_and_digits(hostile: str) -> None:
    for mask in (mask_id_number, mask_id_number_for_log):
        masked = mask(hostile)
        assert len(masked) <= MAX_MASK_LENGTH
        assert all(ch == "*" or (ch.isascii() and ch.isalnum()) for ch in masked), masked


def test_masks_of_non_strings_are_empty_rather_than_an_error() -> None:
    assert mask_id_number(None) == "" and mask_id_number_for_log(b"62010219900307123X") == ""  # type: ignore[arg-type]


def test_a_2023_foreigner_number_read_from_a_card_passes_where_typing_rules_refuse_it() -> None:
    # The typing check wants a province prefix; card readers accept what the chip says (as they always have).
    assert id_number_problem(FOREIGN_2023) == "the region code does not start with a province code"
    assert id_number_problem(FOREIGN_2023, from_card=True) is None
    born_1899 = valid("62010218990101123")
    assert id_number_problem(born_1899) == "the birth date is out of range"
    assert id_number_problem(born_1899, from_card=True) is None
    for number in (RESIDENT, PERMIT_HK, PERMIT_MACAO, PERMIT_TAIWAN):
        assert id_number_problem(number) is None and id_number_problem(number, from_card=True) is None
    wrong_check = RESIDENT[:17] + ("1" if RESIDENT[17] == "0" else "0")
    assert id_number_problem(wrong_check, from_card=True) == "the check character does not match (GB 11643)"
