"""The rules of a job fair, once, for the REST API, the console and the demo.

``save_fair`` takes checked plain values (title, theme, times, venue, booths …) and writes them onto a
new or existing ``JobFair``; every problem is a ``ValidationError`` naming the field (a booth's by its
position: ``booths.2.booth``), raised before anything is flushed, so a bad fair changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.fairs.job_fairs import (
    BOOTH_MAX_LENGTH,
    MAX_FAIR_HOURS,
    FairBooth,
    FairPosition,
    FairTheme,
    JobFair,
)
from content.library.items import Employer, Vacancy
from content.org.tree import Hall

MAX_BOOTHS: Final = 300
MAX_POSITIONS_PER_BOOTH: Final = 50
FAIR_FIELDS: Final = (
    "org_unit_id",
    "title",
    "status",
    "valid_from",
    "valid_until",
    "theme",
    "starts_at",
    "ends_at",
    "hall_id",
    "venue_name",
    "venue_address",
    "organiser",
)


def times_problem(starts_at: datetime, ends_at: datetime) -> str | None:
    """Why a fair's hours do not fit (end before start, more than two days), or None."""
    if ends_at <= starts_at:
        return f"ends_at {ends_at.isoformat()} is not after starts_at {starts_at.isoformat()}; 结束时间须晚于开始时间"
    if ends_at - starts_at > timedelta(hours=MAX_FAIR_HOURS):
        return f"a fair lasts at most {MAX_FAIR_HOURS} hours (two days), not {ends_at - starts_at}"
    return None


def theme_problem(theme: str) -> str | None:
    if theme not in {t.value for t in FairTheme}:
        return f"theme {theme!r} is not one of {'、'.join(t.value for t in FairTheme)}"
    return None


def booths_problems(session: Session, booths: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Every problem of a list of booths ({employer_id, booth, vacancy_ids}), by field."""
    errors: dict[str, str] = {}
    if len(booths) > MAX_BOOTHS:
        return {"booths": f"at most {MAX_BOOTHS} booths, not {len(booths)}"}
    seen_booths: dict[str, int] = {}
    seen_employers: dict[int, int] = {}
    for n, spec in enumerate(booths):
        where = f"booths.{n}"
        booth = str(spec.get("booth") or "").strip()
        if not booth:
            errors[f"{where}.booth"] = "a booth number is required (展位号)"
        elif len(booth) > BOOTH_MAX_LENGTH:
            errors[f"{where}.booth"] = f"booth {booth[:30]!r} is longer than {BOOTH_MAX_LENGTH} characters"
        elif booth.casefold() in seen_booths:
            first = seen_booths[booth.casefold()]
            errors[f"{where}.booth"] = f"booth {booth} is already given to booths.{first}; 展位号重复"
        else:
            seen_booths[booth.casefold()] = n
        employer_id = spec.get("employer_id")
        employer = session.get(Employer, employer_id) if isinstance(employer_id, int) else None
        if employer is None:
            errors[f"{where}.employer_id"] = f"no employer with id {employer_id}"
            continue
        if employer.id in seen_employers:
            errors[f"{where}.employer_id"] = (
                f"{employer.name} already has booths.{seen_employers[employer.id]}; one booth per employer"
            )
        seen_employers.setdefault(employer.id, n)
        vacancy_ids = list(spec.get("vacancy_ids") or [])
        if len(vacancy_ids) > MAX_POSITIONS_PER_BOOTH:
            errors[f"{where}.vacancy_ids"] = f"at most {MAX_POSITIONS_PER_BOOTH} positions per booth"
            continue
        for vid in vacancy_ids:
            vacancy = session.get(Vacancy, vid) if isinstance(vid, int) else None
            if vacancy is None:
                errors[f"{where}.vacancy_ids"] = f"no vacancy with id {vid}"
                break
            if vacancy.employer_id != employer.id:
                errors[f"{where}.vacancy_ids"] = (
                    f"vacancy {vid} ({vacancy.title}) is offered by {vacancy.employer.name}, not {employer.name}; "
                    "只能选择该单位自己的岗位"
                )
                break
        if len(set(vacancy_ids)) != len(vacancy_ids):
            errors.setdefault(f"{where}.vacancy_ids", "a vacancy is listed twice")
    return errors


def _set_booths(session: Session, fair: JobFair, booths: Sequence[Mapping[str, Any]]) -> None:
    """Replace the fair's booths (the old rows go first: booth numbers are unique within a fair)."""
    if fair.booths:
        fair.booths = []
        session.flush()
    rows = []
    for spec in booths:
        employer = session.get(Employer, spec["employer_id"])
        assert employer is not None  # checked by booths_problems
        positions = [FairPosition(vacancy_id=v) for v in dict.fromkeys(spec.get("vacancy_ids") or [])]
        booth = str(spec["booth"]).strip()
        rows.append(FairBooth(employer_id=employer.id, employer_name=employer.name, booth=booth, positions=positions))
    fair.booths = rows


def save_fair(session: Session, fair: JobFair | None, values: Mapping[str, Any]) -> JobFair:
    """Create (``fair`` None) or update a fair from checked values; ``ValidationError`` before any write."""
    row = JobFair() if fair is None else fair
    errors: dict[str, str] = {}
    unknown = set(values) - {*FAIR_FIELDS, "booths"}
    if unknown:
        errors.update({name: "not a field of a job fair" for name in sorted(unknown)})
    merged = {name: values.get(name, getattr(row, name, None)) for name in FAIR_FIELDS}
    for name in ("title", "starts_at", "ends_at", "org_unit_id"):
        if merged[name] in (None, ""):
            errors[name] = "required"
    if merged["theme"] is None:
        merged["theme"] = FairTheme.GENERAL.value
    if (problem := theme_problem(str(merged["theme"]))) is not None:
        errors["theme"] = problem
    if merged["starts_at"] is not None and merged["ends_at"] is not None:
        if (problem := times_problem(merged["starts_at"], merged["ends_at"])) is not None:
            errors["ends_at"] = problem
    hall_id = merged["hall_id"]
    if hall_id is not None and session.get(Hall, hall_id) is None:
        errors["hall_id"] = f"no hall with id {hall_id}"
    if hall_id is None and not (merged["venue_name"] or "").strip() and merged["theme"] != FairTheme.ONLINE.value:
        errors["venue_name"] = "a venue is required: one of our halls, or an outside place's name (举办地点)"
    if "booths" in values:
        errors.update(booths_problems(session, values["booths"] or []))
    if "valid_until" in values:
        merged["valid_until"] = values["valid_until"] or merged["ends_at"]  # none given: until the fair ends
    elif fair is None or fair.valid_until is None or fair.valid_until == fair.ends_at:
        merged["valid_until"] = merged["ends_at"]  # kept in step with the fair's end
    vf, vu = merged["valid_from"], merged["valid_until"]
    if not errors and vf is not None and vu is not None and vu <= vf:
        errors["valid_until"] = f"valid_until {vu.isoformat()} is not after valid_from {vf.isoformat()}"
    if errors:
        raise ValidationError(errors)
    for name in FAIR_FIELDS:
        if name in values or name in ("theme", "valid_until"):
            setattr(row, name, merged[name])
    if hall_id is not None:
        row.venue_name = row.venue_name or ""
    session.add(row)
    if "booths" in values:
        _set_booths(session, row, values["booths"] or [])
    return row
