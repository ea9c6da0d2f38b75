"""Job seekers registered per quarter, org unit and occupation major group (求职登记人数), for the market figures.

Registrations live upstream (or, in the demo, in ``content.citizens``, which the library may not
import), so the library keeps only their counts: one row per org unit, quarter and GB/T 6565 major
group, filled by a console import (``import_tallies``: CSV or XLSX with 季度, 地区, 职业大类, 求职人数;
all rows or none, every bad cell named by row and column) or by the demo's counting
(``content.demo.market``). A later row for the same unit, quarter and group replaces the earlier one.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PureWindowsPath
from typing import Final

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.accounts import audit
from content.control_characters import control_character_at
from content.db import Base, utcnow
from content.errors import ContentError
from content.library._import_table import Columns, ImportField, ImportRefused, SheetRow, read_sheet
from content.library.market.quarters import BadQuarter, parse_quarter, quarter_of
from content.library.occupations import MAJOR_CATEGORIES
from content.library.vacancy_import import RowProblem
from content.org.timezones import DEFAULT_TIMEZONE, zone
from content.org.tree import OrgUnit

__all__ = ["FIELDS", "ImportRefused", "RowProblem", "SeekerTally", "TallyImportRejected", "import_tallies"]

MAX_ROWS: Final = 20_000
# More seekers than this in one unit, quarter and group is a typo (a province registers far fewer).
MAX_SEEKERS: Final = 1_000_000
SOURCE_IMPORT: Final = "import"
FIELDS: Final = (
    ImportField("quarter", "季度", "quarter", True, aliases=("统计季度", "period")),
    ImportField("org_unit", "地区", "area", True, aliases=("组织", "机构", "区域", "org unit", "行政区划")),
    ImportField("group", "职业大类", "occupation group", True, aliases=("职业类别", "大类", "group")),
    ImportField("seekers", "求职人数", "job seekers", True, aliases=("求职登记人数", "登记人数", "seekers")),
)
_GROUP_BY_NAME: Final = {name: code for code, name in MAJOR_CATEGORIES.items()}
_NUMBER: Final = re.compile(r"(\d+)(?:\.0*)?")


class SeekerTally(Base):
    """Job seekers registered at ``org_unit_id`` (itself, not below) in ``quarter`` for one major group."""

    __tablename__ = "seeker_tallies"
    __table_args__ = (UniqueConstraint("org_unit_id", "quarter", "group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    quarter: Mapped[str] = mapped_column(String(6))  # 2026Q3
    group: Mapped[str] = mapped_column(String(1))  # GB/T 6565 major group, "1"–"8"
    seekers: Mapped[int]
    source: Mapped[str] = mapped_column(String(16), default=SOURCE_IMPORT)  # import | demo
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Tally:
    org_unit_id: int
    quarter: str
    group: str
    seekers: int


class TallyImportRejected(ContentError):
    """Some cells are wrong, so nothing was imported; ``problems`` lists every one in sheet order."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems = tuple(problems)
        rows = len({p.row for p in self.problems})
        self.message_zh = f"{rows} 行有问题（共 {len(self.problems)} 处），未导入任何求职人数"
        self.message_en = f"{rows} rows have problems ({len(self.problems)} in all); nothing was imported"
        shown = "; ".join(f"row {p.row} {p.column}: {p.message_en}" for p in self.problems[:5])
        super().__init__(f"{self.message_en}: {shown}{' …' if len(self.problems) > 5 else ''}")


def save_tallies(session: Session, tallies: Iterable[Tally], source: str, now: datetime) -> int:
    """Insert or replace each tally (by unit, quarter and group); returns how many were written."""
    count = 0
    for t in tallies:
        row = session.scalar(
            select(SeekerTally).where(
                SeekerTally.org_unit_id == t.org_unit_id, SeekerTally.quarter == t.quarter, SeekerTally.group == t.group
            )
        )
        if row is None:
            row = SeekerTally(org_unit_id=t.org_unit_id, quarter=t.quarter, group=t.group)
            session.add(row)
        row.seekers, row.source, row.updated_at = t.seekers, source, now
        count += 1
    session.flush()
    return count


def load_tallies(session: Session, org_unit_ids: Collection[int] | None = None) -> list[Tally]:
    """Every tally (of the given units), by unit, quarter and group."""
    query = select(SeekerTally).order_by(SeekerTally.org_unit_id, SeekerTally.quarter, SeekerTally.group)
    if org_unit_ids is not None:
        query = query.where(SeekerTally.org_unit_id.in_(sorted(org_unit_ids)))
    return [Tally(r.org_unit_id, r.quarter, r.group, r.seekers) for r in session.scalars(query)]


def _group(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip()
    code = folded.split("-")[0].strip() if folded[:1].isdigit() else _GROUP_BY_NAME.get(folded, "")
    if code not in MAJOR_CATEGORIES:
        raise ValueError(text)
    return code


def _seekers(text: str) -> int:
    folded = unicodedata.normalize("NFKC", text).strip().replace(",", "").removesuffix("人")
    match = _NUMBER.fullmatch(folded)
    if match is None or len(match.group(1)) > 9 or int(match.group(1)) > MAX_SEEKERS:
        raise ValueError(text)
    return int(match.group(1))


class _Units:
    """The org units an importer may write, found by name or GB/T 2260 division code."""

    def __init__(self, units: Sequence[OrgUnit]) -> None:
        self.by_code = {u.division_code: u.id for u in units if u.division_code}
        self.by_name: dict[str, list[int]] = {}
        for u in units:
            self.by_name.setdefault(u.name.strip(), []).append(u.id)

    def find(self, text: str) -> tuple[int | None, str, str]:
        """The unit's id, or None with the zh-CN and English reason."""
        key = unicodedata.normalize("NFKC", text).strip()
        if key in self.by_code:
            return self.by_code[key], "", ""
        found = self.by_name.get(key, [])
        if len(found) == 1:
            return found[0], "", ""
        if found:
            return (
                None,
                f"有 {len(found)} 个“{key}”，请写行政区划代码",
                f"{len(found)} units are named {key!r}: use the division code",
            )
        return None, f"“{key[:30]}”不是您可管理的地区", f"{key[:30]!r} is not an org unit you manage"


def _check_row(row: SheetRow, columns: Columns, units: _Units, latest: str, problems: list[RowProblem]) -> Tally | None:
    values: dict[str, object] = {}
    for f in FIELDS:
        text = columns.text(row, f.name)
        header = columns.header(f.name)
        if columns.formula_header(row, f.name) if row.formulas else None:
            problems.append(RowProblem(row.number, header, "这一格是公式，请粘贴为数值", "the cell is a formula"))
            continue
        if not text:
            problems.append(RowProblem(row.number, header, f"{f.label_zh}不能为空", f"{f.name} is required"))
            continue
        control = control_character_at(text)
        if control is not None:
            problems.append(
                RowProblem(
                    row.number, header, f"含控制字符（{control[0]}）", f"holds the control character {control[0]}"
                )
            )
            continue
        if f.name == "quarter":
            try:
                values["quarter"] = parse_quarter(text, latest)
            except BadQuarter as bad:
                problems.append(RowProblem(row.number, header, bad.message_zh, bad.message_en))
        elif f.name == "org_unit":
            unit_id, why_zh, why_en = units.find(text)
            if unit_id is None:
                problems.append(RowProblem(row.number, header, why_zh, why_en))
            values["org_unit"] = unit_id
        elif f.name == "group":
            try:
                values["group"] = _group(text)
            except ValueError:
                problems.append(
                    RowProblem(
                        row.number,
                        header,
                        f"“{text[:30]}”不是职业大类；请写 1–8 或大类名称",
                        f"{text[:30]!r} is not a GB/T 6565 major group: write 1–8 or its name",
                    )
                )
        else:
            try:
                values["seekers"] = _seekers(text)
            except ValueError:
                problems.append(
                    RowProblem(
                        row.number,
                        header,
                        f"求职人数应为 0–{MAX_SEEKERS} 的整数，而不是“{text[:20]}”",
                        f"seekers must be a whole number 0–{MAX_SEEKERS}, not {text[:20]!r}",
                    )
                )
    if len(values) < 4 or values["org_unit"] is None:
        return None
    return Tally(
        int(str(values["org_unit"])), str(values["quarter"]), str(values["group"]), int(str(values["seekers"]))
    )


def _is_header(cells_: tuple[str, ...]) -> bool:
    try:
        return not Columns(cells_, FIELDS).missing()
    except ImportRefused:
        return False


def import_tallies(
    session: Session,
    data: bytes,
    filename: str,
    *,
    units: Sequence[OrgUnit],
    actor: str,
    now: datetime,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Tally]:
    """Save every tally of the sheet in the caller's transaction, or none (``TallyImportRejected``).

    ``units`` are the org units the importer may write (their scope). A quarter after the current
    one (in ``timezone``) is refused, and so is the same unit, quarter and group twice in one sheet.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    sheet = read_sheet(data, filename, max_rows=MAX_ROWS, is_header=_is_header)
    columns = Columns(sheet.columns, FIELDS)
    columns.require()
    latest, finder = quarter_of(now, zone(timezone)), _Units(units)
    problems: list[RowProblem] = []
    tallies: list[Tally] = []
    seen: dict[tuple[int, str, str], int] = {}
    for row in sheet.rows:
        tally = _check_row(row, columns, finder, latest, problems)
        if tally is None:
            continue
        key = (tally.org_unit_id, tally.quarter, tally.group)
        if key in seen:
            problems.append(
                RowProblem(
                    row.number,
                    columns.header("group"),
                    f"与第 {seen[key]} 行的地区、季度和职业大类相同",
                    f"same area, quarter and group as row {seen[key]}",
                )
            )
        seen.setdefault(key, row.number)
        tallies.append(tally)
    if problems:
        order = {h: i for i, h in reversed(list(enumerate(sheet.columns)))}
        raise TallyImportRejected(sorted(problems, key=lambda p: (p.row, order.get(p.column, 0))))
    if not tallies:
        raise ImportRefused("empty", "文件里没有数据行", "the file has no data rows")
    save_tallies(session, tallies, SOURCE_IMPORT, now)
    name = PureWindowsPath(filename).name
    paths = {u.id: u.path for u in units}
    common = os.path.commonprefix([paths[t.org_unit_id] for t in tallies])  # the nearest common ancestor
    common = common[: common.rfind("/") + 1]
    audit.record(
        session,
        actor=actor,
        action="import",
        obj_kind="seeker_tallies",
        obj_id=name[:40],
        summary={"filename": name, "rows": len(tallies), "blank_rows": sheet.blank_rows},
        org_path=common,
    )
    return tallies
