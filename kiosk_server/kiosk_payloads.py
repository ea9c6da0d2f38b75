"""The JSON the kiosk page gets (docs/kiosk.md §2): vacancies, notices, a person's records."""

from __future__ import annotations

from datetime import date
from typing import Any

from content.citizens.person_records import (
    EMPLOYMENT_LABELS,
    ENROLLMENT_LABELS,
    INSURANCE_LABELS,
    PersonRecords,
    gaps_while_liable,
    retired_from,
)
from content.library.items import Education, PolicyNotice, Vacancy
from content.library.kiosk_catalogue import OCCUPATION_GROUPS, SALARY_STEPS, Page, occupation_group, pinyin_initials


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def vacancy_json(v: Vacancy) -> dict[str, Any]:
    group = occupation_group(v.occupation_code)
    return {
        "id": v.id,
        "title": v.title,
        "employer": v.employer.name,
        "district": v.district,
        "category": group,
        "category_label": OCCUPATION_GROUPS[group],
        "occupation_code": v.occupation_code,
        "salary_min": v.salary_min,
        "salary_max": v.salary_max,
        "salary_text": v.salary_text,
        "headcount": v.headcount,
        "education": v.education,
        "education_label": v.education,
        "requirements": v.requirements,
        "contact": v.contact,
        "initials": pinyin_initials(v.title),
    }


def page_json(page: Page, number: int, per_page: int) -> dict[str, Any]:
    return {
        "items": [vacancy_json(v) for v in page.items],
        "total": page.total,
        "page": number,
        "per_page": per_page,
        "facets": {
            "districts": [{"value": d, "count": n} for d, n in page.facets.districts],
            "categories": [{"value": c, "label": label, "count": n} for c, label, n in page.facets.categories],
            "educations": [{"value": e.value, "label": e.value} for e in Education],
            "salary_steps": list(SALARY_STEPS),
        },
    }


def notice_json(n: PolicyNotice, *, body: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": n.id,
        "title": n.title,
        "topic": n.topic,
        "issuing_office": n.issuing_office,
        "effective_date": _iso(n.effective_date),
    }
    if body:
        out["body_html"] = n.body_html  # sanitized when the notice was saved
    return out


def records_json(records: PersonRecords, citizen: dict[str, Any]) -> dict[str, Any]:
    months = records.contributions
    retired = retired_from(records)
    return {
        "citizen": citizen,
        "as_of": records.as_of.isoformat(),
        "enrollments": [
            {
                "insurance": e.insurance.value,
                "label": INSURANCE_LABELS[e.insurance],
                "state": e.state.value,
                "state_label": ENROLLMENT_LABELS[e.state],
                "since": _iso(e.since),
                "place": e.place,
            }
            for e in records.enrollments
        ],
        "contributions": {
            "months": [
                {
                    "month": m.month,
                    "paid": m.paid,
                    "base_fen": m.base_fen,
                    "personal_fen": m.personal_fen,
                    "employer": m.employer,
                    "retired": retired is not None and m.month >= retired,
                }
                for m in months
            ],
            "gaps": [{"first": g.first, "last": g.last, "months": g.months} for g in gaps_while_liable(records)],
            "retired_from": retired,
            "paid_months": sum(1 for m in months if m.paid),
            "total_months": len(months),
        },
        "balances": {
            "pension_account_fen": records.balances.pension_account_fen,
            "medical_account_fen": records.balances.medical_account_fen,
            "as_of": records.balances.as_of.isoformat(),
        },
        "employment": {
            "state": records.employment.state.value,
            "state_label": EMPLOYMENT_LABELS[records.employment.state],
            "since": _iso(records.employment.since),
            "employer": records.employment.employer,
            "office": records.employment.office,
        },
    }
