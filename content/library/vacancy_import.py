"""Bulk import of vacancies from a CSV or XLSX sheet: header mapping, a row-by-row report, all or nothing.

``preview_import`` reads a file and shows how its columns map to vacancy fields, without a database.
``import_vacancies`` checks every row first, by the rules of ``content.library.vacancy_rules`` that the
REST API and the console use too (salary range, education, GB/T 6565 occupation code, headcount ≥ 1,
a still-open validity window) and, if any row has a problem, raises ``ImportRejected`` with all of them
and adds nothing to the session. Otherwise it inserts the vacancies (and the employers the file names for the first time), one audit row and
one outbox row; the caller commits. Employers are matched by 统一社会信用代码, else by exact name.

A 薪资待遇 column is read by ``content.library.salary_text`` (``3000-4500元/月``, ``4k-6k``, ``面议``…);
per year, day or hour it is converted to the monthly range a vacancy stores, and the result counts them.

Importing a file twice must not double the vacancies. A 岗位编号 column (``external_ref``: the posting's
number in the employer's or the source system's records; a blank cell means none) says which posting
a row is. A row is a **duplicate** of a vacancy that is not archived and has the same publishing node
and employer, and:

- for a row with a reference, the same reference (its title may have changed since: that is what the
  reference is for); if none has it, the same title and no reference yet (the file it came from had
  no 岗位编号 column). A vacancy with the same title but another reference is another posting.
- for a row without a reference, the same title.

Two rows of one file with the same employer and reference are a problem on the second. The caller
chooses what happens to duplicates (``Duplicates``): report them as row problems, saying whether the
reference or the title matched, and import nothing (the default); or update those vacancies from the
rows (a row's reference is written too; a row without one leaves the vacancy's) and insert the rest.
A row that matches several vacancies, or a vacancy another row already updates, is a problem.
The matching lives in ``content.library._vacancy_duplicates``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PureWindowsPath
from typing import Final, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from content import outbox
from content.accounts import audit
from content.control_characters import control_character_at
from content.errors import ContentError
from content.library import _vacancy_cells as parse_cell
from content.library._import_table import Columns, ImportField, ImportRefused, Sheet, SheetRow, header_key, read_sheet
from content.library._vacancy_duplicates import Duplicates, RowKey, chunks, find_duplicates
from content.library.items import Education, Employer, ItemStatus, Vacancy
from content.library.salary_text import MAX_TEXT_LENGTH as SALARY_TEXT_MAX_LENGTH
from content.library.vacancy_rules import (
    CONTACT_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    EMPLOYER_NAME_MAX_LENGTH,
    EXTERNAL_REF_MAX_LENGTH,
    REQUIREMENTS_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    already_closed_problem,
    salary_order_problem,
)
from content.org.timezones import DEFAULT_TIMEZONE, zone
from content.org.tree import get_org_unit

__all__ = [
    "FIELDS",
    "Duplicates",
    "MAX_ROWS",
    "ImportField",
    "ImportPreview",
    "ImportRefused",
    "ImportRejected",
    "ImportResult",
    "PreviewRow",
    "RowProblem",
    "header_key",
    "import_vacancies",
    "preview_import",
]

MAX_ROWS: Final = 20_000
PREVIEW_ROWS: Final = 10

T = TypeVar("T")

FIELDS: Final = (
    ImportField(
        "title",
        "岗位名称",
        "job title",
        True,
        TITLE_MAX_LENGTH,
        aliases=("岗位", "职位", "职位名称", "招聘岗位", "岗位名", "title", "job", "position"),
    ),
    ImportField(
        "employer",
        "用人单位",
        "employer",
        True,
        EMPLOYER_NAME_MAX_LENGTH,
        aliases=("单位名称", "用人单位名称", "单位", "招聘单位", "企业名称", "公司名称", "employer name", "company"),
    ),
    ImportField(
        "credit_code",
        "统一社会信用代码",
        "credit code",
        aliases=("信用代码", "社会信用代码", "unified social credit code", "uscc"),
    ),
    ImportField(
        "external_ref",
        "岗位编号",
        "reference",
        max_length=EXTERNAL_REF_MAX_LENGTH,
        aliases=(
            "外部编号",
            "职位编号",
            "岗位代码",
            "招聘编号",
            "岗位ID",
            "职位ID",
            "外部ID",
            "external ref",
            "ref",
            "job id",
            "job ref",
            "external id",
            "posting id",
        ),
    ),
    ImportField(
        "occupation_code",
        "职业代码",
        "occupation code",
        True,
        aliases=("职业编码", "职业分类代码", "工种代码", "occupation"),
    ),
    ImportField("headcount", "招聘人数", "headcount", aliases=("人数", "需求人数", "招聘数量", "openings")),
    ImportField(
        "salary_min",
        "最低月薪",
        "salary min",
        aliases=("薪资下限", "月薪下限", "最低工资", "工资下限", "薪酬下限", "min salary", "minimum salary"),
    ),
    ImportField(
        "salary_max",
        "最高月薪",
        "salary max",
        aliases=("薪资上限", "月薪上限", "最高工资", "工资上限", "薪酬上限", "max salary", "maximum salary"),
    ),
    ImportField(
        "salary",
        "薪资待遇",
        "salary",
        max_length=SALARY_TEXT_MAX_LENGTH,
        aliases=(
            "薪资",
            "薪酬",
            "工资",
            "待遇",
            "月薪",
            "月工资",
            "年薪",
            "日薪",
            "时薪",
            "工资待遇",
            "薪酬待遇",
            "薪资范围",
            "薪资水平",
            "工资标准",
            "薪酬标准",
            "pay",
            "wage",
            "wages",
            "salary range",
        ),
    ),
    ImportField("education", "学历要求", "education", aliases=("学历", "最低学历")),
    ImportField(
        "district",
        "工作地点",
        "district",
        max_length=DISTRICT_MAX_LENGTH,
        aliases=("区县", "工作区县", "地点", "工作地区", "location"),
    ),
    ImportField(
        "requirements",
        "岗位要求",
        "requirements",
        max_length=REQUIREMENTS_MAX_LENGTH,
        joinable=True,
        aliases=("任职要求", "岗位职责", "要求", "岗位描述", "职位描述", "description"),
    ),
    ImportField(
        "contact",
        "联系方式",
        "contact",
        max_length=CONTACT_MAX_LENGTH,
        joinable=True,
        aliases=("联系电话", "联系人", "电话", "phone"),
    ),
    ImportField("valid_from", "有效期起", "valid from", aliases=("发布日期", "开始日期", "起始日期", "start date")),
    ImportField(
        "valid_until",
        "有效期至",
        "valid until",
        aliases=("有效期", "有效期止", "截止日期", "结束日期", "end date", "expires", "deadline"),
    ),
)
FIELDS_BY_NAME: Final = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one cell: ``row`` as the spreadsheet numbers it, ``column`` the header as written."""

    row: int
    column: str
    message_zh: str
    message_en: str


class ImportRejected(ContentError):
    """Some rows have problems, so nothing was imported; ``problems`` lists every one in sheet order."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        rows = len({p.row for p in self.problems})
        self.message_zh = f"{rows} 行有问题（共 {len(self.problems)} 处），未导入任何岗位"
        self.message_en = f"{rows} rows have problems ({len(self.problems)} in all); nothing was imported"
        shown = "; ".join(f"row {p.row} {p.column}: {p.message_en}" for p in self.problems[:5])
        super().__init__(f"{self.message_en}: {shown}{' …' if len(self.problems) > 5 else ''}")


@dataclass(frozen=True)
class PreviewRow:
    row: int
    values: Mapping[str, str]  # field name → the text its column(s) hold


@dataclass(frozen=True)
class ImportPreview:
    """How a file would be read: its columns, the field each feeds, and its first rows."""

    columns: tuple[str, ...]
    mapping: Mapping[str, str]  # header → field name, for every column that will be read
    unmapped: tuple[str, ...]  # headers that feed no field (ignored on import)
    missing: tuple[str, ...]  # required field names no column feeds (the import would be refused)
    rows: tuple[PreviewRow, ...]
    row_count: int  # non-blank data rows
    encoding: str


@dataclass(frozen=True)
class ImportResult:
    vacancies: int  # inserted
    employers_created: int
    employers_matched: int
    blank_rows: int
    vacancy_ids: tuple[int, ...] = field(repr=False)  # inserted, in row order
    vacancies_updated: int = 0
    updated_ids: tuple[int, ...] = field(default=(), repr=False)
    salaries_converted: int = 0  # salaries given per year, day or hour, stored per month


@dataclass
class _Row:
    number: int
    title: str
    employer: str
    credit_code: str | None
    external_ref: str | None
    occupation_code: str
    headcount: int
    salary_min: int | None
    salary_max: int | None
    education: str
    district: str
    requirements: str
    contact: str
    valid_from: datetime | None
    valid_until: datetime | None
    employer_ok: bool  # name and code parsed, so the employer can be resolved
    external_ref_ok: bool  # the reference parsed (or was blank), so the row can be matched
    salary_converted: bool = False  # the salary text was per year, day or hour, stored per month


class _RowChecker:
    """Parses rows into ``_Row`` values, appending a RowProblem for every cell that is wrong."""

    def __init__(self, columns: Columns, tz: ZoneInfo, now: datetime, problems: list[RowProblem]) -> None:
        self.columns, self.tz, self.now, self.problems = columns, tz, now, problems

    def fail(self, row: int, name: str, message_zh: str, message_en: str) -> None:
        self.problems.append(RowProblem(row, self.columns.header(name), message_zh, message_en))

    def _get(self, row: SheetRow, name: str, parse: Callable[[str], T], default: T) -> tuple[T, bool]:
        """The parsed value of a field (``default`` when blank or bad), and whether it was good."""
        spec = FIELDS_BY_NAME[name]
        formula = self.columns.formula_header(row, name) if row.formulas else None
        if formula is not None:  # its text is the formula, not what the sheet showed: never guess
            self.fail(
                row.number,
                name,
                f"第 {row.number} 行 第 {formula[0]} 列：单元格是公式，请粘贴为数值",
                f"row {row.number}, column {formula[0]}: the cell is a formula; paste it as a value",
            )
            return default, False
        text = self.columns.text(row, name)
        if not text:
            if spec.required:
                self.fail(row.number, name, f"{spec.label_zh}不能为空", f"{spec.name} is required")
            return default, not spec.required
        control = control_character_at(text)
        if control is not None:
            self.fail(
                row.number,
                name,
                f"第 {control[1]} 个字符是不可见的控制字符（{control[0]}），请删除",
                f"character {control[1]} is the invisible control character {control[0]}; remove it",
            )
            return default, False
        if spec.max_length is not None and len(text) > spec.max_length:
            self.fail(
                row.number,
                name,
                f"有 {len(text)} 个字，超过上限 {spec.max_length} 个字",
                f"{len(text)} characters, above the limit of {spec.max_length}",
            )
            return default, False
        try:
            return parse(text), True
        except parse_cell.Bad as bad:
            self.fail(row.number, name, bad.message_zh, bad.message_en)
            return default, False

    def check(self, row: SheetRow) -> _Row:
        n, tz = row.number, self.tz
        employer, name_ok = self._get(row, "employer", str, "")
        code, code_ok = self._get(row, "credit_code", parse_cell.credit_code, None)
        ref, ref_ok = self._get(row, "external_ref", parse_cell.external_ref, None)
        valid_from, from_ok = self._get(row, "valid_from", lambda t: parse_cell.instant(t, tz, next_day=False), None)
        valid_until, until_ok = self._get(row, "valid_until", lambda t: parse_cell.instant(t, tz, next_day=True), None)
        low, low_ok = self._get(row, "salary_min", parse_cell.yuan, None)
        high, high_ok = self._get(row, "salary_max", parse_cell.yuan, None)
        pay, pay_ok = self._get(row, "salary", parse_cell.salary, None)
        if pay is not None and low_ok and high_ok:
            if (low is not None or high is not None) and (low, high) != pay[:2]:
                given = f"{'' if low is None else low}–{'' if high is None else high}"
                self.fail(
                    n,
                    "salary",
                    f"“{self.columns.text(row, 'salary')}”与最低/最高月薪 {given} 不一致，请只填一处",
                    f"{self.columns.text(row, 'salary')!r} disagrees with salary_min/max {given}: fill in one",
                )
                pay_ok = False
            low, high = pay[:2]
        parsed = _Row(
            number=n,
            title=self._get(row, "title", str, "")[0],
            employer=employer,
            credit_code=code,
            external_ref=ref,
            occupation_code=self._get(row, "occupation_code", parse_cell.occupation_code, "")[0],
            headcount=self._get(row, "headcount", parse_cell.headcount, 1)[0],
            salary_min=low,
            salary_max=high,
            education=self._get(row, "education", parse_cell.education, Education.NONE.value)[0],
            district=self._get(row, "district", str, "")[0],
            requirements=self._get(row, "requirements", str, "")[0],
            contact=self._get(row, "contact", str, "")[0],
            valid_from=valid_from,
            valid_until=valid_until,
            employer_ok=name_ok and code_ok,
            external_ref_ok=ref_ok,
            salary_converted=pay is not None and pay_ok and pay[2],
        )
        order = salary_order_problem(low, high) if low_ok and high_ok else None
        if order is not None:
            self.fail(n, "salary_min", f"最低月薪 {low} 高于最高月薪 {high}", order)
        until_text, from_text = self.columns.text(row, "valid_until"), self.columns.text(row, "valid_from")
        if valid_until is not None and until_ok and valid_until <= self.now:
            self.fail(
                n,
                "valid_until",
                f"{until_text} 已经过去，新岗位的有效期必须晚于现在",
                already_closed_problem(until_text),
            )
        elif valid_until is not None and valid_from is not None and until_ok and from_ok and valid_until <= valid_from:
            self.fail(
                n,
                "valid_until",
                f"有效期至 {until_text} 不晚于有效期起 {from_text}",
                f"valid_until {until_text} is not after valid_from {from_text}",
            )
        return parsed


class _Employers:
    """Each row's employer: by credit code, else by exact name, else a new one shared by the file's rows.

    Existing employers are looked up once, in chunks of ``IN (...)``, never row by row.
    """

    def __init__(self, session: Session, rows: Sequence[_Row]) -> None:
        codes = sorted({r.credit_code for r in rows if r.employer_ok and r.credit_code})
        names = sorted({r.employer for r in rows if r.employer_ok})
        self.by_code: dict[str, Employer] = {}
        self.by_name: dict[str, list[Employer]] = {}
        for chunk in chunks(codes):
            for e in session.scalars(select(Employer).where(Employer.credit_code.in_(chunk)).order_by(Employer.id)):
                self.by_code.setdefault(str(e.credit_code), e)
        for chunk in chunks(names):
            for e in session.scalars(select(Employer).where(Employer.name.in_(chunk)).order_by(Employer.id)):
                self.by_name.setdefault(e.name, []).append(e)
        self.new: list[Employer] = []
        self.matched: set[int] = set()
        self.of_row: dict[int, Employer] = {}

    def resolve(self, rows: Sequence[_Row], fail: Callable[[int, str, str, str], None]) -> None:
        new_by_code: dict[str, tuple[Employer, int]] = {}
        # Rows with a code first, so that a name-only row finds the employer another row gives a code for.
        for r in (r for r in rows if r.employer_ok and r.credit_code):
            code = r.credit_code or ""
            unregistered = [e for e in self.by_name.get(r.employer, []) if e.credit_code is None]
            if code in self.by_code:
                self._use(r, self.by_code[code])
            elif code in new_by_code:
                employer, first_row = new_by_code[code]
                if employer.name == r.employer:
                    self.of_row[r.number] = employer
                else:
                    fail(
                        r.number,
                        "employer",
                        f"统一社会信用代码 {code} 在第 {first_row} 行是“{employer.name}”，此处却是“{r.employer}”",
                        f"credit code {code} belongs to {employer.name!r} in row {first_row}, not {r.employer!r}",
                    )
            elif len(unregistered) == 1:  # the same employer, entered before its code was known
                self._use(r, unregistered[0])
            else:
                new_by_code[code] = (self._create(r, code), r.number)
        new_by_name: dict[str, list[Employer]] = {}
        for employer in self.new:
            new_by_name.setdefault(employer.name, []).append(employer)
        for r in (r for r in rows if r.employer_ok and not r.credit_code):
            existing = self.by_name.get(r.employer, [])
            candidates = existing or new_by_name.get(r.employer, [])
            if len(candidates) > 1:
                fail(
                    r.number,
                    "employer",
                    f"有 {len(candidates)} 家用人单位都叫“{r.employer}”，请填写统一社会信用代码以区分",
                    f"{len(candidates)} employers are called {r.employer!r}: give the credit code to tell them apart",
                )
            elif existing:
                self._use(r, existing[0])
            elif candidates:
                self.of_row[r.number] = candidates[0]
            else:
                new_by_name[r.employer] = [self._create(r, None)]

    def _use(self, row: _Row, employer: Employer) -> None:
        self.matched.add(employer.id)
        self.of_row[row.number] = employer

    def _create(self, row: _Row, code: str | None) -> Employer:
        employer = Employer(name=row.employer, credit_code=code, industry="", address="")
        self.new.append(employer)
        self.of_row[row.number] = employer
        return employer


def _header_test(mapping: Mapping[str, str] | None) -> Callable[[tuple[str, ...]], bool]:
    """Whether a row can be the header: every required field has a column under it."""

    def is_header(cells: tuple[str, ...]) -> bool:
        try:
            return not Columns(cells, FIELDS, mapping).missing()
        except ImportRefused:  # a mapped column missing from this row, or two columns for one field
            return False

    return is_header


def preview_import(
    data: bytes, filename: str, *, mapping: Mapping[str, str] | None = None, rows: int = PREVIEW_ROWS
) -> ImportPreview:
    """How ``data`` would be read, without a database: columns, the field each feeds, the first ``rows`` rows.

    Missing required columns are reported in ``missing`` rather than raised, so a console can show
    the mapping and let the person fix it; an unreadable file raises ``ImportRefused``.
    """
    sheet = read_sheet(data, filename, max_rows=MAX_ROWS, is_header=_header_test(mapping))
    columns = Columns(sheet.columns, FIELDS, mapping)
    shown = tuple(
        PreviewRow(r.number, {name: columns.text(r, name) for name in columns.by_field})
        for r in sheet.rows[: max(0, rows)]
    )
    return ImportPreview(
        columns=sheet.columns,
        mapping=columns.mapping(),
        unmapped=columns.unmapped(),
        missing=columns.missing(),
        rows=shown,
        row_count=len(sheet.rows),
        encoding=sheet.encoding,
    )


def import_vacancies(
    session: Session,
    data: bytes,
    filename: str,
    *,
    org_unit_id: int,
    actor: str,
    now: datetime,
    mapping: dict[str, str] | None = None,
    publish: bool = True,
    timezone: str = DEFAULT_TIMEZONE,
    duplicates: Duplicates = Duplicates.REPORT,
) -> ImportResult:
    """Insert every vacancy of the sheet in the caller's transaction, or none: ``ImportRejected`` lists all problems.

    ``mapping`` ({header: field name, or "" to ignore the column}) overrides the recognised headers.
    Dates without a time are local days in ``timezone``: 有效期至 2026-12-31 keeps the vacancy on
    screens through that day. ``duplicates`` says what to do with rows that match a vacancy already
    there (see the module docstring). On success the transaction also holds the new employers, one audit row
    and one outbox row (so screens pick the vacancies up after commit); the caller commits.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    unit = get_org_unit(session, org_unit_id)
    tz = zone(timezone)
    sheet = read_sheet(data, filename, max_rows=MAX_ROWS, is_header=_header_test(mapping))
    columns = Columns(sheet.columns, FIELDS, mapping)
    columns.require()
    problems: list[RowProblem] = []
    checker = _RowChecker(columns, tz, now, problems)
    rows = [checker.check(row) for row in sheet.rows]
    employers = _Employers(session, rows)
    employers.resolve(rows, checker.fail)
    keys = [
        RowKey(r.number, employer, r.title, r.external_ref)
        for r in rows
        if (employer := employers.of_row.get(r.number)) is not None and r.external_ref_ok
    ]
    updates = find_duplicates(session, unit.id, keys, Duplicates(duplicates), checker.fail)
    if problems:
        order = {h: i for i, h in reversed(list(enumerate(sheet.columns)))}
        raise ImportRejected(sorted(problems, key=lambda p: (p.row, order.get(p.column, 0))))
    return _insert(
        session,
        sheet,
        rows,
        employers,
        updates,
        unit_id=unit.id,
        unit_path=unit.path,
        actor=actor,
        now=now,
        filename=filename,
        status=(ItemStatus.PUBLISHED if publish else ItemStatus.DRAFT).value,
    )


def _values(r: _Row, employer_id: int, status: str, now: datetime) -> dict[str, object]:
    """A row's columns as a vacancy stores them (without the owner and creation time)."""
    return {
        "employer_id": employer_id,
        "title": r.title,
        "status": status,
        "valid_from": r.valid_from,
        "valid_until": r.valid_until,
        "updated_at": now,
        "occupation_code": r.occupation_code,
        "headcount": r.headcount,
        "salary_min": r.salary_min,
        "salary_max": r.salary_max,
        "education": r.education,
        "district": r.district,
        "requirements": r.requirements,
        "contact": r.contact,
        "external_ref": r.external_ref,
    }


def _insert(
    session: Session,
    sheet: Sheet,
    rows: Sequence[_Row],
    employers: _Employers,
    updates: Mapping[int, int],
    *,
    unit_id: int,
    unit_path: str,
    actor: str,
    now: datetime,
    filename: str,
    status: str,
) -> ImportResult:
    session.add_all(employers.new)
    session.flush()  # ids for the new employers
    # ORM bulk INSERT ... RETURNING (insertmanyvalues, a few statements for 5,000 rows, both tables of the
    # joined inheritance): about 2.5 times faster than add_all of Vacancy objects, and nothing reads them.
    values = [
        {"org_unit_id": unit_id, "created_at": now} | _values(r, employers.of_row[r.number].id, status, now)
        for r in rows
        if r.number not in updates
    ]
    ids: tuple[int, ...] = ()
    if values:
        ids = tuple(session.scalars(insert(Vacancy).returning(Vacancy.id, sort_by_parameter_order=True), values))
    updated = _update(session, rows, employers, updates, status, now)
    name = PureWindowsPath(filename).name  # also cuts a Windows path, as old browsers sent
    converted = sum(r.salary_converted for r in rows)
    summary = {
        "filename": name,
        "rows": len(ids),
        "updated": len(updated),
        "salaries_converted": converted,
        "employers_created": len(employers.new),
        "employers_matched": len(employers.matched),
        "blank_rows": sheet.blank_rows,
        "status": status,
        "org_unit_id": unit_id,
        "encoding": sheet.encoding,
        "first_id": ids[0] if ids else None,
        "last_id": ids[-1] if ids else None,
        "updated_ids": list(updated[:50]),
    }
    outbox.add_event(session, "content", kind="vacancy", action="import", count=len(ids) + len(updated))
    audit.record(
        session, actor=actor, action="import", obj_kind="vacancy", obj_id=name[:40], summary=summary, org_path=unit_path
    )
    return ImportResult(
        vacancies=len(ids),
        employers_created=len(employers.new),
        employers_matched=len(employers.matched),
        blank_rows=sheet.blank_rows,
        vacancy_ids=ids,
        vacancies_updated=len(updated),
        updated_ids=updated,
        salaries_converted=converted,
    )


def _update(
    session: Session,
    rows: Sequence[_Row],
    employers: _Employers,
    updates: Mapping[int, int],
    status: str,
    now: datetime,
) -> tuple[int, ...]:
    """Write the rows that duplicate a vacancy over it; the ids updated, in row order."""
    if not updates:
        return ()
    by_id = {r.number: r for r in rows}
    loaded: dict[int, Vacancy] = {}
    for chunk in chunks(sorted(updates.values())):
        loaded.update({v.id: v for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(chunk)))})
    for number, ident in updates.items():
        row = by_id[number]
        for key, value in _values(row, employers.of_row[number].id, status, now).items():
            if key != "external_ref" or value is not None:  # a row without a reference keeps the vacancy's
                setattr(loaded[ident], key, value)
    session.flush()
    return tuple(updates[r.number] for r in rows if r.number in updates)
