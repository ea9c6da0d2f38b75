"""The ``job_seeker`` object of the records answer over HTTP (docs/records-http.md): its wire form and its parser.

Used by ``content.citizens.http_records``, with the same strictness as the rest of the answer: every
key present, lengths and list sizes bounded (``content.citizens.job_seekers``), GB/T 6565 codes or
their prefixes only, no control characters. The parser raises ``ValueError("<field path>: <problem>")``
naming the field (``job_seeker.certificates[3]``) and never repeating the refused value: an upstream
might have put an ID number in the wrong place.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from content.citizens.job_seekers import (
    MAX_DESIRED_OCCUPATIONS,
    MAX_LIST_ITEMS,
    Assistance,
    JobSeekerProfile,
    WorkSpell,
    plain_fields,
)
from content.control_characters import first_control_character
from content.library.items import Education
from content.library.vacancy_rules import DISTRICT_MAX_LENGTH, EMPLOYER_NAME_MAX_LENGTH

KEY: Final = "job_seeker"
MAX_PAY_YUAN: Final = 1_000_000  # a month's pay above this is not a wish but a wrong number
SKILL_MAX_LENGTH: Final = 40
CERTIFICATE_MAX_LENGTH: Final = 60
MAJOR_MAX_LENGTH: Final = 60
TITLE_MAX_LENGTH: Final = 60
OFFICE_MAX_LENGTH: Final = 60
# A GB/T 6565 code (6-30-05-01) or one of its prefixes naming a family (6-30-05, 4-03); majors are 1–8.
_OCCUPATION: Final = re.compile(r"[1-8]-\d{2}(-\d{2}(-\d{2})?)?")
_MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def job_seeker_to_wire(profile: JobSeekerProfile | None) -> dict[str, Any] | None:
    """The ``job_seeker`` value of the records answer for ``profile`` (None: not registered)."""
    if profile is None:
        return None
    registered = profile.registered_on
    return {**plain_fields(profile), "registered_on": registered.isoformat() if registered is not None else None}


def parse_job_seeker(answer: Any, today: date) -> JobSeekerProfile | None:
    """The registration in a records answer: None when ``job_seeker`` is absent or null; ValueError naming the field."""
    if not isinstance(answer, dict) or answer.get(KEY) is None:
        return None
    value = answer[KEY]
    if not isinstance(value, dict):
        raise ValueError(f"{KEY}: expected an object or null")
    path = f"{KEY}."
    pay = _get(value, "desired_pay_min", path)
    if pay is not None and (isinstance(pay, bool) or not isinstance(pay, int) or not 0 <= pay <= MAX_PAY_YUAN):
        raise ValueError(f"{path}desired_pay_min: expected a whole number of yuan from 0 to {MAX_PAY_YUAN}, or null")
    education = _text(value, "education", path, 16)
    if education and education not in {e.value for e in Education}:
        raise ValueError(f"{path}education: expected empty or one of {', '.join(e.value for e in Education)}")
    registered_on = _get(value, "registered_on", path)
    return JobSeekerProfile(
        desired_occupations=_occupations(value, path),
        desired_pay_min=pay,
        districts=_texts(value, "districts", path, DISTRICT_MAX_LENGTH),
        education=education,
        major=_text(value, "major", path, MAJOR_MAX_LENGTH),
        skills=_texts(value, "skills", path, SKILL_MAX_LENGTH),
        certificates=_texts(value, "certificates", path, CERTIFICATE_MAX_LENGTH),
        work_history=_work_history(value, path),
        assistance=_assistance(value, path),
        registered_on=None if registered_on is None else _date(registered_on, f"{path}registered_on", today),
        office=_text(value, "office", path, OFFICE_MAX_LENGTH),
        source="registration",
    )


def _get(obj: dict[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise ValueError(f"{path}{key}: missing")
    return obj[key]


def _checked_text(value: Any, where: str, max_length: int, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text")
    if len(value) > max_length:
        raise ValueError(f"{where}: expected at most {max_length} characters, got {len(value)}")
    control = first_control_character(value)
    if control is not None or any(ch in value for ch in "\t\r\n"):
        raise ValueError(f"{where}: holds a control character ({control or 'a tab or line break'})")
    if required and not value.strip():
        raise ValueError(f"{where}: empty")
    return value


def _text(obj: dict[str, Any], key: str, path: str, max_length: int) -> str:
    return _checked_text(_get(obj, key, path), f"{path}{key}", max_length)


def _list(obj: dict[str, Any], key: str, path: str, max_items: int) -> list[Any]:
    value = _get(obj, key, path)
    if not isinstance(value, list):
        raise ValueError(f"{path}{key}: expected a list")
    if len(value) > max_items:
        raise ValueError(f"{path}{key}: expected at most {max_items} entries, got {len(value)}")
    return value


def _texts(obj: dict[str, Any], key: str, path: str, max_length: int) -> tuple[str, ...]:
    return tuple(
        _checked_text(item, f"{path}{key}[{n}]", max_length, required=True)
        for n, item in enumerate(_list(obj, key, path, MAX_LIST_ITEMS))
    )


def _occupation(value: Any, where: str, *, allow_empty: bool = False) -> str:
    if allow_empty and value == "":
        return ""
    if not isinstance(value, str) or not _OCCUPATION.fullmatch(value):
        raise ValueError(f"{where}: expected a GB/T 6565 occupation code or prefix like 6-30-05-01 or 4-03")
    return value


def _occupations(obj: dict[str, Any], path: str) -> tuple[str, ...]:
    codes: list[str] = []
    for n, item in enumerate(_list(obj, "desired_occupations", path, MAX_DESIRED_OCCUPATIONS)):
        where = f"{path}desired_occupations[{n}]"
        code = _occupation(item, where)
        if code in codes:
            raise ValueError(f"{where}: the same code as desired_occupations[{codes.index(code)}]")
        codes.append(code)
    return tuple(codes)


def _month(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise ValueError(f"{where}: expected a month YYYY-MM")
    return value


def _date(value: Any, where: str, today: date) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{where}: expected a date YYYY-MM-DD or null")
    try:
        day = date.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"{where}: not a calendar date") from err
    if day > today:
        raise ValueError(f"{where}: in the future")
    return day


def _work_history(obj: dict[str, Any], path: str) -> tuple[WorkSpell, ...]:
    spells = []
    for n, item in enumerate(_list(obj, "work_history", path, MAX_LIST_ITEMS)):
        where = f"{path}work_history[{n}]."
        if not isinstance(item, dict):
            raise ValueError(f"{where[:-1]}: expected an object")
        start = _month(_get(item, "start", where), f"{where}start")
        end = _get(item, "end", where)
        if end is not None and _month(end, f"{where}end") < start:
            raise ValueError(f"{where}end: before start")
        spells.append(
            WorkSpell(
                occupation_code=_occupation(
                    _get(item, "occupation_code", where), f"{where}occupation_code", allow_empty=True
                ),
                title=_text(item, "title", where, TITLE_MAX_LENGTH),
                employer=_text(item, "employer", where, EMPLOYER_NAME_MAX_LENGTH),
                start=start,
                end=end,
            )
        )
    return tuple(spells)


def _assistance(obj: dict[str, Any], path: str) -> tuple[Assistance, ...]:
    found: list[Assistance] = []
    for n, item in enumerate(_list(obj, "assistance", path, len(Assistance))):
        where = f"{path}assistance[{n}]"
        if not isinstance(item, str) or item not in {a.value for a in Assistance}:
            raise ValueError(f"{where}: expected one of {', '.join(a.value for a in Assistance)}")
        if Assistance(item) in found:
            raise ValueError(f"{where}: {item} appears twice")
        found.append(Assistance(item))
    return tuple(found)
