"""The rules a vacancy (岗位) and its employer must follow, wherever they are entered.

One home for the REST API's schemas (kiosk_server/api/vacancies.py and employers.py, which the
console's vacancy form uses too) and the bulk import (content.library.vacancy_import): field
lengths, the salary range and order, the headcount range, the GB/T 6565 occupation code and the
GB 32100 credit code. The lengths are those of the columns in content.library.items. The check
functions return the English message a person can act on, or None; the import adds its Chinese one.
"""

from __future__ import annotations

import re
from typing import Final

TITLE_MAX_LENGTH: Final = 200
EMPLOYER_NAME_MAX_LENGTH: Final = 200
DISTRICT_MAX_LENGTH: Final = 60
REQUIREMENTS_MAX_LENGTH: Final = 5000
CONTACT_MAX_LENGTH: Final = 120
# 岗位编号: the posting's number in the employer's or the source system's records (not ours).
EXTERNAL_REF_MAX_LENGTH: Final = 64
MAX_YUAN: Final = 10_000_000  # a monthly salary, in whole yuan
MIN_HEADCOUNT: Final = 1
MAX_HEADCOUNT: Final = 100_000

OCCUPATION_CODE_PATTERN: Final = r"\d-\d{2}-\d{2}-\d{2}"  # GB/T 6565 细类, e.g. 4-02-06-03
# 统一社会信用代码 (GB 32100): 18 characters of digits and capitals without I, O, S, V, Z.
CREDIT_CODE_PATTERN: Final = r"[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}"
OCCUPATION_CODE: Final = re.compile(OCCUPATION_CODE_PATTERN)
CREDIT_CODE: Final = re.compile(CREDIT_CODE_PATTERN)


def occupation_code_problem(code: str) -> str | None:
    """Why ``code`` is not a GB/T 6565 occupation code, or None when it is one."""
    if OCCUPATION_CODE.fullmatch(code):
        return None
    return f"{code!r} is not a GB/T 6565 occupation code like 4-02-06-03"


def salary_order_problem(salary_min: int | None, salary_max: int | None) -> str | None:
    """Why the two monthly salaries cannot stand together, or None (either may be open: 面议, 以上, 以下)."""
    if salary_min is not None and salary_max is not None and salary_min > salary_max:
        return f"salary_min {salary_min} is above salary_max {salary_max}"
    return None


def headcount_problem(headcount: int) -> str | None:
    """Why ``headcount`` is not a number of openings, or None."""
    if MIN_HEADCOUNT <= headcount <= MAX_HEADCOUNT:
        return None
    return f"headcount must be {MIN_HEADCOUNT}–{MAX_HEADCOUNT}, not {headcount}"


def already_closed_problem(valid_until: str) -> str:
    """The message for a new vacancy whose end (``valid_until``, as the person wrote it) has passed."""
    return f"{valid_until} has already passed; a new vacancy must still be open"
