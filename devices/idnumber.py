"""GB 11643-1999 ID numbers: the check character and a validity check.

``content.citizens.idnumbers`` has a fuller version; devices may not import content, so this one is kept small.
Problems are described without repeating the number.
"""

from __future__ import annotations

from datetime import date
from typing import Final

WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS: Final = "10X98765432"  # indexed by (sum of digit × weight) mod 11


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def check_character(first17: str) -> str:
    """The check character ('0'–'9' or 'X') for the first 17 digits of an ID number."""
    if len(first17) != 17 or not _ascii_digits(first17):
        raise ValueError(f"expected 17 ASCII digits, got {len(first17)} characters")
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_problem(text: str) -> str | None:
    """Why ``text`` is not a valid 18-character ID number, or None when it is."""
    if len(text) != 18:
        return f"an ID number has 18 characters, got {len(text)}"
    if not _ascii_digits(text[:17]):
        return "the first 17 characters of an ID number must be digits"
    if text[17] not in "0123456789X":
        return "the last character of an ID number must be a digit or X"
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "characters 7-14 of the ID number are not a calendar date"
    if check_character(text[:17]) != text[17]:
        return "the ID number's check character does not match (a digit was misread or mistyped)"
    return None


def mask_id_number(text: str) -> str:
    """``620102********1234``: the first six and last four characters, the rest starred."""
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]
