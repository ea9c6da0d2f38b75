"""Training courses: places never negative, visibility down the org tree, and the import's all-or-nothing report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from content_factories import Factory
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.training.course_import import ImportRefused, TrainingImportRejected, import_courses
from content.library.training.courses import TrainingCourse, visible_course, visible_courses
from content.org.tree import OrgUnit
from content.outbox import OutboxEvent
from tests.support.training_factories import HEADER, course, csv_bytes, row, xlsx_bytes

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def run(session: Session, org: OrgUnit, data: bytes, filename: str = "培训.csv", **kwargs: Any) -> Any:
    return import_courses(session, data, filename, org_unit_id=org.id, actor="admin", now=NOW, **kwargs)


def problems(session: Session, org: OrgUnit, data: bytes, filename: str = "培训.csv") -> list[tuple[int, str, str]]:
    with pytest.raises(TrainingImportRejected) as caught:
        run(session, org, data, filename)
    assert session.scalar(select(func.count()).select_from(TrainingCourse)) == 0
    return [(p.row, p.column, p.message_zh) for p in caught.value.problems]


def test_places_left_cannot_go_negative(session: Session, make: Factory) -> None:
    c = course(session, make.org_tree().city, places_left=2)
    c.take_places(2)
    assert c.places_left == 0
    with pytest.raises(ValidationError) as caught:
        c.take_places(1)
    assert "places_left" in caught.value.errors and "名额不足" in str(caught.value)
    with pytest.raises(ValidationError, match="cannot be negative"):
        c.places_left = -1
    assert c.places_left == 0


def test_places_left_cannot_exceed_places_total(session: Session, make: Factory) -> None:
    c = course(session, make.org_tree().city, places_total=10, places_left=10)
    with pytest.raises(ValidationError, match="above places_total 10"):
        c.places_left = 11
    with pytest.raises(ValidationError, match="below places_left 10"):
        c.places_total = 9


def test_database_refuses_negative_places_written_past_the_model(session: Session, make: Factory) -> None:
    c = course(session, make.org_tree().city)
    session.commit()
    with pytest.raises(IntegrityError, match="places_left"):
        session.execute(text("UPDATE training_courses SET places_left = -3 WHERE id = :id"), {"id": c.id})
    session.rollback()


def test_courses_are_visible_down_the_tree_and_only_while_live(session: Session, make: Factory) -> None:
    tree = make.org_tree()
    city = course(session, tree.city, title="城市课程")
    course(session, tree.other_city, title="天水课程")
    course(session, tree.county, title="已结束", valid_until=datetime(2026, 11, 1, tzinfo=UTC))
    course(session, tree.county, title="草稿", status="draft")
    seen = [c.title for c in visible_courses(session, tree.community, NOW)]
    assert seen == ["城市课程"]
    assert visible_course(session, tree.street, NOW, city.id) is city
    assert visible_course(session, tree.other_city, NOW, city.id) is None


def test_import_inserts_all_rows_with_one_outbox_row(session: Session, make: Factory) -> None:
    org = make.org_tree().city
    result = run(session, org, csv_bytes([row(), row(课程名称="叉车司机", 剩余名额="", 培训费用="800元")]))
    assert result.courses == 2
    first, second = (session.get(TrainingCourse, i) for i in result.course_ids)
    assert first is not None and second is not None
    assert first.subsidy_groups == ["失业人员", "农村转移劳动力"] and first.fee_text == "免费"
    assert second.places_left == 40 and second.fee_yuan == 800
    assert first.valid_until == datetime(2026, 12, 25, 16, 0, tzinfo=UTC)  # the end of 12-25 in Lanzhou
    events = session.scalars(select(OutboxEvent)).all()
    assert [e.payload.get("kind") for e in events] == ["training"]


def test_import_reports_every_bad_cell_by_row_and_column(session: Session, make: Factory) -> None:
    org = make.org_tree().city
    data = csv_bytes(
        [
            row(),
            row(剩余名额="-1", 补贴对象="外星人"),
            row(招生人数=str(10**18)),
            row(开班日期="9999-01-01", 结业日期="9999-02-01"),
            row(课程名称="=cmd|' /C calc'!A0"),
            row(培训机构="兰州\x1b培训"),
            row(剩余名额="50"),
            row(结业日期="2026-12-01"),
            row(报名网址="javascript:alert(1)"),
        ]
    )
    found = problems(session, org, data)
    cells = {(r, c) for r, c, _ in found}
    assert cells == {
        (3, "剩余名额"),
        (3, "补贴对象"),
        (4, "招生人数"),
        (5, "开班日期"),
        (5, "结业日期"),
        (6, "课程名称"),
        (7, "培训机构"),
        (8, "剩余名额"),
        (9, "结业日期"),
        (10, "报名网址"),
    }
    messages = {(r, c): m for r, c, m in found}
    assert "1000000000" not in messages[(4, "招生人数")] and "19 位" in messages[(4, "招生人数")]
    assert "9999" in messages[(5, "开班日期")]
    assert "公式" in messages[(6, "课程名称")]
    assert "控制字符" in messages[(7, "培训机构")]
    assert "多于招生人数" in messages[(8, "剩余名额")]
    assert "早于开班日期" in messages[(9, "结业日期")]


def test_a_nul_byte_refuses_the_whole_csv(session: Session, make: Factory) -> None:
    with pytest.raises(ImportRefused, match="NUL"):
        run(session, make.org_tree().city, csv_bytes([row(), row(培训机构="兰州\x00培训")]))
    assert session.scalar(select(func.count()).select_from(TrainingCourse)) == 0


def test_xlsx_formula_and_missing_column_are_refused(session: Session, make: Factory) -> None:
    org = make.org_tree().city
    values = list(row().values())
    values[0] = '=HYPERLINK("http://x","中式面点师")'
    assert [(r, c) for r, c, _ in problems(session, org, xlsx_bytes([values]), "培训.xlsx")] == [(2, "课程名称")]
    with pytest.raises(ImportRefused, match="招生人数"):
        run(session, org, csv_bytes([row()], header=tuple(h for h in HEADER if h != "招生人数")))


def test_import_of_good_xlsx(session: Session, make: Factory) -> None:
    org = make.org_tree().city
    values: list[Any] = list(row().values())
    values[5], values[6], values[7] = date(2026, 12, 5), date(2026, 12, 25), 40
    result = run(session, org, xlsx_bytes([values]), "培训.xlsx")
    course_row = session.get(TrainingCourse, result.course_ids[0])
    assert course_row is not None and course_row.starts_on == date(2026, 12, 5) and course_row.places_total == 40
