"""Training course rows and import files for the tests: valid unless overridden."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
from sqlalchemy.orm import Session

from content.library.training.courses import TrainingCourse
from content.org.tree import OrgUnit

CREATED = datetime(2026, 11, 1, tzinfo=UTC)
HEADER = (
    "课程名称",
    "培训机构",
    "职业代码",
    "补贴对象",
    "补贴标准",
    "开班日期",
    "结业日期",
    "招生人数",
    "剩余名额",
    "培训费用",
    "区县",
    "报名电话",
    "报名网址",
)


def course(session: Session, org_unit: OrgUnit, **overrides: Any) -> TrainingCourse:
    """A published course at ``org_unit``, flushed."""
    fields: dict[str, Any] = {
        "title": "养老护理员（初级）",
        "provider": "兰州市职业技能培训中心",
        "occupation_code": "4-10-01-05",
        "subsidy_groups": ["就业困难人员", "失业人员"],
        "subsidy_text": "按规定享受职业培训补贴1500元/人",
        "starts_on": date(2026, 12, 1),
        "ends_on": date(2026, 12, 20),
        "class_times": "周一至周五 9:00-17:00",
        "places_left": 12,
        "fee_yuan": 0,
        "venue": "城关区雁滩路",
        "district": "城关区",
        "enrol_phone": "0931-8888888",
        "enrol_url": "https://example.org/enrol/1",
        "org_unit_id": org_unit.id,
        "status": "published",
        "created_at": CREATED,
        "updated_at": CREATED,
    } | overrides
    row = TrainingCourse(places_total=fields.pop("places_total", 30))
    for key, value in fields.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    return row


def row(**overrides: str) -> dict[str, str]:
    """One import row by header, valid unless overridden."""
    return {
        "课程名称": "中式面点师",
        "培训机构": "兰州市职业技能培训中心",
        "职业代码": "4-03-02-02",
        "补贴对象": "失业人员、农村转移劳动力",
        "补贴标准": "补贴1200元/人",
        "开班日期": "2026-12-05",
        "结业日期": "2026-12-25",
        "招生人数": "40",
        "剩余名额": "18",
        "培训费用": "免费",
        "区县": "七里河区",
        "报名电话": "0931-2345678",
        "报名网址": "https://example.org/enrol/2",
    } | overrides


def csv_bytes(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[r.get(h, "") for h in header] for r in rows])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], header: tuple[str, ...] = HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
