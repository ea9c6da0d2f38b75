"""Resident ID numbers (公民身份号码, GB 11643-1999): the check character and validation.

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


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() accepts fullwidth and other Unicode digits; an ID number has ASCII ones only.
    return text.isascii() and text.isdigit()


def normalise_id_number(text: str) -> str:
    """The form an ID number is compared and hashed in: trimmed, with a typed 'x' made 'X'."""
    return text.strip().upper()


def mask_id_number(text: str) -> str:
    """The form screens show: ``620102********1234`` for an 18-character number.

    Shorter or longer document numbers (foreigners' permanent residence cards) keep two characters
    at each end. Never raises, so it is safe in reprs and log lines.
    """
    value = normalise_id_number(text)
    if len(value) == 18:
        return f"{value[:6]}********{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


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


def id_number_problem(text: str, *, today: date | None = None) -> str | None:
    """Why ``text`` is not a valid 18-character ID number, or None when it is.

    A lowercase 'x' is accepted as the check character (people type it that way). ``today``, when
    given, also rejects birth dates in the future.
    """
    value = normalise_id_number(text)
    if len(value) != 18:
        return f"an ID number has 18 characters, got {len(value)}"
    if not _is_ascii_digits(value[:17]):
        return "the first 17 characters must be digits"
    if not (_is_ascii_digits(value[17]) or value[17] == "X"):
        return "the last character must be a digit or X"
    if value[:2] not in PROVINCE_PREFIXES:
        return "the region code does not start with a province code"
    born = birth_date_of(value)
    if born is None:
        return "characters 7–14 are not a calendar date (YYYYMMDD)"
    if born < EARLIEST_BIRTH or (today is not None and born > today):
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
