"""Seeker tallies' import: quarter texts, groups by code or name, an XLSX sheet, all or nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from content_factories import Factory
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.market.quarters import BadQuarter, parse_quarter, quarter_of, span
from content.library.market.seeker_tallies import SeekerTally, TallyImportRejected, import_tallies
from content.org.timezones import zone

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026Q3", "2026-q3", "2026 Q3", "2026年第3季度", "2026年三季度", "２０２６Ｑ３"])
def test_quarter_texts(text: str) -> None:
    assert parse_quarter(text, "2026Q4") == "2026Q3"


@pytest.mark.parametrize("text", ["2026Q5", "2026", "Q3", "1999Q4", "2027Q1", "=1+1"])
def test_bad_quarters_are_refused(text: str) -> None:
    with pytest.raises(BadQuarter):
        parse_quarter(text, "2026Q4")


def test_quarters_follow_the_local_calendar() -> None:
    assert quarter_of(datetime(2026, 9, 30, 16, 0, tzinfo=UTC), zone("Asia/Shanghai")) == "2026Q4"
    assert span("2026Q2", 4) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]


def sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(["求职人数统计表"])  # a title row above the header
    page.append(["季度", "地区", "职业大类", "求职人数"])
    for row in rows:
        page.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_sheet_imports_by_name_code_and_group_name(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    data = sheet([["2026Q3", "城关区", "4", 12], ["2026年第4季度", "620000", "专业技术人员", 3]])
    units = [tree.province, tree.city, tree.county]
    saved = import_tallies(session, data, "求职.xlsx", units=units, actor="editor", now=NOW)
    assert [(t.org_unit_id, t.quarter, t.group, t.seekers) for t in saved] == [
        (tree.county.id, "2026Q3", "4", 12),
        (tree.province.id, "2026Q4", "2", 3),
    ]


def test_a_formula_or_a_unit_outside_the_scope_imports_nothing(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    data = sheet([["2026Q3", "城关区", "4", "=A1*2"], ["2026Q3", "天水市", "4", 2]])
    with pytest.raises(TallyImportRejected) as rejected:
        import_tallies(session, data, "求职.xlsx", units=[tree.city, tree.county], actor="editor", now=NOW)
    assert [(p.row, p.column) for p in rejected.value.problems] == [(3, "求职人数"), (4, "地区")]
    assert session.scalars(select(SeekerTally)).all() == []
