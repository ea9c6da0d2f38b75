"""Resident ID numbers (公民身份号码, GB 11643-1999): the check character, validation and masking.

An ID number is 6 digits of region code, 8 digits of birth date (YYYYMMDD), a 3-digit sequence
(odd for men, even for women) and a check character computed over the first 17 digits.

Error messages never repeat the number itself: ID numbers must not reach logs (docs/architecture.md, "Personal data").
"""

from __future__ import annotations

from datetime import date
from typing import Final

from content.errors import ValidationError

WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS: Final = "10X98765432"  # indexed by (sum of digit × weight) mod 11

# First two digits of the GB/T 2260 province-level codes (11 北京 … 65 新疆, 71 台湾, 81/82 港澳), and 83:
# the residence permits of Taiwan residents (港澳台居民居住证) are numbered 830000…, like 810000/820000.
PROVINCE_PREFIXES: Final = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    }
)
EARLIEST_BIRTH: Final = date(1900, 1, 1)
MIN_SHOWN_LENGTH: Final = 10  # a masked number shorter than this is all stars
MAX_MASK_LENGTH: Final = 18  # no document number is longer (and masked_id columns hold 18): a longer text is cut


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() accepts fullwidth and other Unicode digits; an ID number has ASCII ones only.
    return text.isascii() and text.isdigit()


def normalise_id_number(text: str) -> str:
    """The form an ID number is compared and hashed in: trimmed, with a typed 'x' made 'X'."""
    return text.strip().upper()


def _trimmed(text: str) -> str:
    # Masks take whatever a card, a form or a backend gave: never raise, not even on a non-string.
    return text.strip().upper() if isinstance(text, str) else ""


def _screen_keeps(length: int) -> tuple[int, int]:
    """How many characters the screen form keeps at the start and at the end of a number this long."""
    if length == 18:
        return 6, 4
    if length < MIN_SHOWN_LENGTH:
        return 0, 0
    return min(3, length // 5), min(2, length // 7)


def _starred(value: str, head: int, tail: int) -> str:
    length = min(len(value), MAX_MASK_LENGTH)
    kept = value[:head] + "*" * (length - head - tail) + (value[len(value) - tail :] if tail else "")
    # Only ASCII letters and digits are ever shown: a NUL, a line break or any other character that a
    # card or a form smuggled in is starred like the hidden middle, so a mask is safe in a log line.
    return "".join(ch if ch.isascii() and ch.isalnum() else "*" for ch in kept)


def mask_id_number(text: str) -> str:
    """The form screens show: ``620102********1234`` for an 18-character ID number.

    What is kept depends on the length (after trimming; a typed 'x' is shown as 'X'):

    * 18 characters (resident ID cards, HK/Macao/Taiwan residence permits 81…/82…/83…, 2023
      foreigner permanent-residence cards 9…): the first 6 and the last 4;
    * 15 characters (old foreigner permanent-residence cards): the first 3 and the last 2;
    * any other length from ``MIN_SHOWN_LENGTH`` (10) up: the first ``length // 5`` (at most 3)
      and the last ``length // 7`` (at most 2), so no other document shows more than a third;
    * shorter than that: all stars.

    Only ASCII letters and digits are ever shown; anything else in a kept place is starred too. The
    mask is as long as the number, but never longer than ``MAX_MASK_LENGTH``. Never raises, whatever
    the input (NUL, non-ASCII, empty, huge). Log lines and reprs use ``mask_id_number_for_log``.
    """
    value = _trimmed(text)
    return _starred(value, *_screen_keeps(len(value)))


def mask_id_number_for_log(text: str) -> str:
    """The form log lines and reprs show: the first 2 characters only, ``62****************``.

    That is strictly less than the screen form wherever the screen form shows anything (numbers
    shorter than ``MIN_SHOWN_LENGTH`` are all stars in both). Given the screen form instead of the
    number it gives the same answer (``mask_id_number_for_log(mask_id_number(n))`` equals
    ``mask_id_number_for_log(n)``), so code holding only a session's masked number logs what code
    holding the number would. Never raises.
    """
    value = _trimmed(text)
    return _starred(value, 2 if len(value) >= MIN_SHOWN_LENGTH else 0, 0)


def check_character(first17: str) -> str:
    """The GB 11643 check character ('0'–'9' or 'X') for the first 17 digits of an ID number."""
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise ValidationError.single("id_number", f"expected the first 17 digits, got {len(first17)} characters")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def birth_date_of(id_number: str) -> date | None:
    """The birth date encoded in characters 7–14, or None when it is not a real calendar date."""
    text = id_number.strip()
    if len(text) < 14 or not _is_ascii_digits(text[6:14]):
        return None
    try:
        return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def id_number_problem(text: str, *, today: date | None = None, from_card: bool = False) -> str | None:
    """Why ``text`` is not a valid 18-character ID number, or None when it is.

    A lowercase 'x' is accepted as the check character (people type it that way). ``today``, when
    given, also rejects birth dates in the future.

    ``from_card=True`` is the card readers' check of a number a chip returned: the structure, the
    calendar date and the check character only. It skips the province prefix and the earliest birth
    date, which catch typing mistakes but would refuse numbers the readers have always accepted
    (the GB 11643-style numbers of 2023 foreigner permanent-residence cards start with 9).
    """
    value = normalise_id_number(text)
    if len(value) != 18:
        return f"an ID number has 18 characters, got {len(value)}"
    if not _is_ascii_digits(value[:17]):
        return "the first 17 characters must be digits"
    if not (_is_ascii_digits(value[17]) or value[17] == "X"):
        return "the last character must be a digit or X"
    if not from_card and value[:2] not in PROVINCE_PREFIXES:
        return "the region code does not start with a province code"
    born = birth_date_of(value)
    if born is None:
        return "characters 7–14 are not a calendar date (YYYYMMDD)"
    if (not from_card and born < EARLIEST_BIRTH) or (today is not None and born > today):
        return "the birth date is out of range"
    if value[17] != check_character(value[:17]):
        return "the check character does not match (GB 11643)"
    return None


def is_valid_id_number(text: str, *, today: date | None = None) -> bool:
    """True for an 18-character ID number with a real birth date and the right check character."""
    return id_number_problem(text, today=today) is None


def compose_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid ID number from a 6-digit region code, a birth date and a sequence (0–999).

    The sequence's parity carries the sex: odd for men, even for women.
    """
    if len(region_code) != 6 or not _is_ascii_digits(region_code):
        raise ValidationError.single("region_code", f"expected 6 digits, got {region_code!r}")
    if not 0 <= sequence <= 999:
        raise ValidationError.single("sequence", f"expected 0–999, got {sequence}")
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
