"""Bulk import of training courses from a CSV or XLSX sheet: every bad cell reported, all or nothing.

The sheet is read like a vacancy sheet (``content.library._import_table``: CSV in UTF-8, UTF-16 or GBK,
XLSX with formulas refused, zip bombs refused) and each row is checked by the rules of
``content.library.training.courses``. If any cell is wrong, ``TrainingImportRejected`` lists every problem by
spreadsheet row and column header, in Chinese and English, and nothing is added to the session.
Otherwise the courses are inserted with one audit row and one outbox row; the caller commits.

Cells are hostile until proven otherwise: control characters (NUL …) are refused, numbers are bounded
(a place count of 10**18 is a typo, not a course), dates more than ``MAX_YEARS_AHEAD`` years away are
refused, and a text cell starting like a formula (``=cmd|…``, ``@SUM(…)``) is refused rather than
stored, so no export or spreadsheet downstream can run it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PureWindowsPath
from typing import Final, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from content import outbox
from content.accounts import audit
from content.control_characters import control_character_at
from content.errors import ContentError
from content.library import _vacancy_cells as cells
from content.library._import_table import Columns, ImportField, ImportRefused, SheetRow, read_sheet
from content.library.items import ItemStatus
from content.library.training.courses import (
    CLASS_TIMES_MAX_LENGTH,
    DISTRICT_MAX_LENGTH,
    MAX_FEE_YUAN,
    MAX_PLACES,
    PHONE_MAX_LENGTH,
    PROVIDER_MAX_LENGTH,
    REQUIREMENTS_MAX_LENGTH,
    SUBSIDY_MAX_LENGTH,
    URL_MAX_LENGTH,
    VENUE_MAX_LENGTH,
    SubsidyGroup,
    TrainingCourse,
    url_problem,
)
from content.library.vacancy_import import RowProblem
from content.library.vacancy_rules import TITLE_MAX_LENGTH
from content.org.timezones import DEFAULT_TIMEZONE, zone
from content.org.tree import get_org_unit

__all__ = ["FIELDS", "ImportRefused", "RowProblem", "TrainingImportRejected", "TrainingImportResult", "import_courses"]

MAX_ROWS: Final = 5_000
MAX_YEARS_AHEAD: Final = 5
T = TypeVar("T")

FIELDS: Final = (
    ImportField(
        "title", "课程名称", "course", True, TITLE_MAX_LENGTH, aliases=("培训项目", "培训课程", "专业", "工种")
    ),
    ImportField("provider", "培训机构", "provider", True, PROVIDER_MAX_LENGTH, aliases=("机构名称", "培训单位")),
    ImportField("occupation_code", "职业代码", "occupation code", aliases=("职业编码", "工种代码")),
    ImportField("subsidy_groups", "补贴对象", "subsidy groups", aliases=("补贴人群", "享受补贴人员")),
    ImportField("subsidy_text", "补贴标准", "subsidy", max_length=SUBSIDY_MAX_LENGTH, aliases=("补贴", "补贴金额")),
    ImportField("starts_on", "开班日期", "starts on", True, aliases=("开课日期", "开始日期", "start date")),
    ImportField("ends_on", "结业日期", "ends on", True, aliases=("结束日期", "结课日期", "end date")),
    ImportField("class_times", "上课时间", "class times", max_length=CLASS_TIMES_MAX_LENGTH, aliases=("培训时间",)),
    ImportField("places_total", "招生人数", "places", True, aliases=("计划人数", "名额", "班额")),
    ImportField("places_left", "剩余名额", "places left", aliases=("剩余人数", "可报名人数")),
    ImportField("fee", "培训费用", "fee", aliases=("费用", "学费", "收费")),
    ImportField("venue", "培训地点", "venue", max_length=VENUE_MAX_LENGTH, aliases=("地点", "上课地点", "地址")),
    ImportField("district", "区县", "district", max_length=DISTRICT_MAX_LENGTH, aliases=("所在区县", "区域")),
    ImportField("enrol_phone", "报名电话", "phone", max_length=PHONE_MAX_LENGTH, aliases=("联系电话", "电话")),
    ImportField("enrol_url", "报名网址", "enrol url", max_length=URL_MAX_LENGTH, aliases=("报名链接", "网址", "url")),
    ImportField(
        "requirements", "报名条件", "requirements", max_length=REQUIREMENTS_MAX_LENGTH, aliases=("要求", "条件")
    ),
)
FIELDS_BY_NAME: Final = {f.name: f for f in FIELDS}
_FORMULA_START: Final = re.compile(r"[=@]|[+\-][^\d\s.]")
_GROUP_SPLIT: Final = re.compile(r"[、,，;；/\s]+")
_GROUPS: Final = {g.value: g.value for g in SubsidyGroup} | {"脱贫人口": SubsidyGroup.POVERTY_EXIT.value}
_FREE: Final = frozenset({"免费", "0", "无", "free"})


class TrainingImportRejected(ContentError):
    """Some cells are wrong, so nothing was imported; ``problems`` lists every one in sheet order."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        rows = len({p.row for p in self.problems})
        self.message_zh = f"{rows} 行有问题（共 {len(self.problems)} 处），未导入任何课程"
        self.message_en = f"{rows} rows have problems ({len(self.problems)} in all); nothing was imported"
        shown = "; ".join(f"row {p.row} {p.column}: {p.message_en}" for p in self.problems[:5])
        super().__init__(f"{self.message_en}: {shown}{' …' if len(self.problems) > 5 else ''}")


@dataclass(frozen=True)
class TrainingImportResult:
    courses: int
    blank_rows: int
    course_ids: tuple[int, ...] = field(repr=False)


def _count(text: str, label: str, low: int, high: int) -> int:
    t = cells.fold(text).replace(" ", "").removesuffix("人").removesuffix("名").removesuffix("元")
    match = re.fullmatch(r"(\d+)(?:\.0*)?", t)
    if match is None:
        raise cells.Bad(f"“{text[:40]}”不是整数", f"{text[:40]!r} is not a whole number")
    if len(match.group(1)) > 12 or not low <= int(match.group(1)) <= high:
        shown = match.group(1) if len(match.group(1)) <= 12 else f"{match.group(1)[:6]}…（{len(match.group(1))} 位）"
        raise cells.Bad(f"{label}应在 {low}–{high} 之间，而不是 {shown}", f"{label} must be {low}–{high}, not {shown}")
    return int(match.group(1))


def _fee(text: str) -> int:
    if cells.fold(text).casefold() in _FREE:
        return 0
    return _count(text, "培训费用", 0, MAX_FEE_YUAN)


def _groups(text: str) -> list[str]:
    found: list[str] = []
    unknown: list[str] = []
    for part in (p for p in _GROUP_SPLIT.split(cells.fold(text)) if p):
        (found if part in _GROUPS else unknown).append(_GROUPS.get(part, part))
    if unknown:
        choices = "、".join(g.value for g in SubsidyGroup)
        raise cells.Bad(
            f"“{'、'.join(unknown)}”不是补贴对象；可选：{choices}", f"{', '.join(unknown)} not among {choices}"
        )
    return list(dict.fromkeys(found))


def _url(text: str) -> str:
    problem = url_problem(text)
    if problem is not None:
        raise cells.Bad("报名网址应以 https:// 或 http:// 开头", problem)
    return text


@dataclass
class _Row:
    number: int
    values: dict[str, object]


class _Checker:
    """Parses a row's cells, appending a RowProblem for each one that is wrong."""

    def __init__(self, columns: Columns, tz: ZoneInfo, now: datetime, problems: list[RowProblem]) -> None:
        self.columns, self.tz, self.now, self.problems = columns, tz, now, problems
        self.latest = date(now.year + MAX_YEARS_AHEAD, 12, 31)

    def fail(self, row: int, name: str, message_zh: str, message_en: str) -> None:
        self.problems.append(RowProblem(row, self.columns.header(name), message_zh, message_en))

    def get(self, row: SheetRow, name: str, parse: Callable[[str], T], default: T) -> tuple[T, bool]:
        spec = FIELDS_BY_NAME[name]
        if name not in self.columns.by_field:
            return default, not spec.required
        n = row.number
        formula = self.columns.formula_header(row, name) if row.formulas else None
        if formula is not None:
            self.fail(n, name, f"第 {formula[0]} 列是公式，请粘贴为数值", f"column {formula[0]} is a formula")
            return default, False
        text = self.columns.text(row, name)
        if not text:
            if spec.required:
                self.fail(n, name, f"{spec.label_zh}不能为空", f"{spec.name} is required")
            return default, not spec.required
        control = control_character_at(text)
        if control is not None:
            self.fail(
                n,
                name,
                f"第 {control[1]} 个字符是不可见的控制字符（{control[0]}），请删除",
                f"character {control[1]} is the invisible control character {control[0]}; remove it",
            )
            return default, False
        if _FORMULA_START.match(text):
            self.fail(
                n,
                name,
                f"“{text[:20]}”以 {text[0]} 开头，像是公式，为安全起见不导入；请删去开头的符号",
                f"{text[:20]!r} starts with {text[0]} like a formula and is refused; remove the leading sign",
            )
            return default, False
        if spec.max_length is not None and len(text) > spec.max_length:
            self.fail(
                n,
                name,
                f"有 {len(text)} 个字，超过上限 {spec.max_length} 个字",
                f"{len(text)} characters, above the limit of {spec.max_length}",
            )
            return default, False
        try:
            return parse(text), True
        except cells.Bad as bad:
            self.fail(n, name, bad.message_zh, bad.message_en)
            return default, False

    def day(self, text: str) -> date:
        value = cells.instant(text, self.tz, next_day=False).astimezone(self.tz).date()
        if value > self.latest or value.year < 2000:
            raise cells.Bad(
                f"日期 {value.isoformat()} 不合理（应在 2000 年至 {self.latest.year} 年之间）",
                f"the date {value.isoformat()} is outside 2000–{self.latest.year}",
            )
        return value

    def check(self, row: SheetRow) -> _Row:
        n = row.number
        total, total_ok = self.get(row, "places_total", lambda t: _count(t, "招生人数", 1, MAX_PLACES), 0)
        left, left_ok = self.get(row, "places_left", lambda t: _count(t, "剩余名额", 0, MAX_PLACES), None)
        if left is not None and total_ok and left_ok and left > total:
            self.fail(n, "places_left", f"剩余名额 {left} 多于招生人数 {total}", f"places_left {left} > places {total}")
        starts, _ = self.get(row, "starts_on", self.day, None)
        ends, ends_ok = self.get(row, "ends_on", self.day, None)
        if starts is not None and ends is not None and ends < starts:
            self.fail(
                n, "ends_on", f"结业日期 {ends} 早于开班日期 {starts}", f"ends_on {ends} is before starts_on {starts}"
            )
        elif ends is not None and ends_ok and ends < self.now.astimezone(self.tz).date():
            self.fail(n, "ends_on", f"结业日期 {ends} 已经过去", f"ends_on {ends} has already passed")
        values: dict[str, object] = {
            "title": self.get(row, "title", str, "")[0],
            "provider": self.get(row, "provider", str, "")[0],
            "occupation_code": self.get(row, "occupation_code", cells.occupation_code, None)[0],
            "subsidy_groups": self.get(row, "subsidy_groups", _groups, list[str]())[0],
            "subsidy_text": self.get(row, "subsidy_text", str, "")[0],
            "starts_on": starts,
            "ends_on": ends,
            "class_times": self.get(row, "class_times", str, "")[0],
            "places_total": total,
            "places_left": total if left is None else left,
            "fee_yuan": self.get(row, "fee", _fee, 0)[0],
            "venue": self.get(row, "venue", str, "")[0],
            "district": self.get(row, "district", str, "")[0],
            "enrol_phone": self.get(row, "enrol_phone", str, "")[0],
            "enrol_url": self.get(row, "enrol_url", _url, "")[0],
            "requirements": self.get(row, "requirements", str, "")[0],
        }
        return _Row(n, values)


def _is_header(cells_: tuple[str, ...]) -> bool:
    try:
        return not Columns(cells_, FIELDS).missing()
    except ImportRefused:
        return False


def import_courses(
    session: Session,
    data: bytes,
    filename: str,
    *,
    org_unit_id: int,
    actor: str,
    now: datetime,
    mapping: Mapping[str, str] | None = None,
    publish: bool = True,
    timezone: str = DEFAULT_TIMEZONE,
) -> TrainingImportResult:
    """Add every course of the sheet to the caller's transaction, or none (``TrainingImportRejected``).

    A course stays on screens and kiosks until the end of its 结业日期 (a local day in ``timezone``).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    unit = get_org_unit(session, org_unit_id)
    tz = zone(timezone)
    sheet = read_sheet(data, filename, max_rows=MAX_ROWS, is_header=None if mapping else _is_header)
    columns = Columns(sheet.columns, FIELDS, mapping)
    columns.require()
    problems: list[RowProblem] = []
    checker = _Checker(columns, tz, now, problems)
    rows = [checker.check(row) for row in sheet.rows]
    if problems:
        order = {h: i for i, h in reversed(list(enumerate(sheet.columns)))}
        raise TrainingImportRejected(sorted(problems, key=lambda p: (p.row, order.get(p.column, 0))))
    status = (ItemStatus.PUBLISHED if publish else ItemStatus.DRAFT).value
    courses = []
    for r in rows:
        ends = cast(date, r.values["ends_on"])
        until = datetime.combine(ends + timedelta(days=1), time(), tzinfo=tz)
        course = TrainingCourse(org_unit_id=unit.id, status=status, valid_until=until, created_at=now, updated_at=now)
        course.places_total = int(str(r.values.pop("places_total")))
        for key, value in r.values.items():
            setattr(course, key, value)
        courses.append(course)
    session.add_all(courses)
    session.flush()
    ids = tuple(c.id for c in courses)
    name = PureWindowsPath(filename).name
    summary = {"filename": name, "rows": len(ids), "blank_rows": sheet.blank_rows, "status": status}
    outbox.add_event(session, "content", kind="training", action="import", count=len(ids))
    audit.record(
        session,
        actor=actor,
        action="import",
        obj_kind="training",
        obj_id=name[:40],
        summary=summary,
        org_path=unit.path,
    )
    return TrainingImportResult(courses=len(ids), blank_rows=sheet.blank_rows, course_ids=ids)
