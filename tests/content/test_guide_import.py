"""Importing service guides from JSON and CSV: problems by entry and field, and nothing half-committed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from content_factories import Factory, OrgTree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.staff import Role, StaffAccount
from content.library.guides.guide_import import GuideImportRejected, import_guides
from content.library.guides.review import GuideReviewEvent
from content.library.guides.service_guides import ServiceGuide
from content.library.items import ItemStatus


@pytest.fixture
def tree(make: Factory) -> OrgTree:
    return make.org_tree()


@pytest.fixture
def editor(session: Session, tree: OrgTree) -> StaffAccount:
    row = StaffAccount(
        username="editor", display_name="编辑", password_hash="-", role=Role.EDITOR.value, org_unit_id=tree.city.id
    )
    session.add(row)
    session.flush()
    return row


def entry(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "就业创业证申领",
        "category": "就业服务",
        "materials": [{"name": "居民身份证", "copies": 1, "original": True}],
        "steps": ["提交申请", "窗口审核", "当场发证"],
        "time_limit": "即时办结",
        "online_url": "https://example.gov.cn/jycyz",
    } | overrides


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ServiceGuide)) or 0


def rejected(session: Session, editor: StaffAccount, org: int, data: bytes, name: str) -> GuideImportRejected:
    with pytest.raises(GuideImportRejected) as caught:
        import_guides(session, editor, data, name, org)
    assert count(session) == 0, "nothing of a refused file is kept"
    return caught.value


def test_a_json_list_of_guides_becomes_drafts_with_their_history(
    session: Session, editor: StaffAccount, tree: OrgTree
) -> None:
    data = json.dumps([entry(), entry(title="失业登记", steps=["登记"])], ensure_ascii=False).encode()
    guides = import_guides(session, editor, data, "guides.json", tree.city.id)
    assert [g.title for g in guides] == ["就业创业证申领", "失业登记"]
    assert {g.status for g in guides} == {ItemStatus.DRAFT.value}
    assert guides[0].materials == [{"name": "居民身份证", "copies": 1, "original": True, "note": ""}]
    assert session.scalar(select(func.count()).select_from(GuideReviewEvent)) == 2


def test_a_json_that_is_not_a_list_is_refused(session: Session, editor: StaffAccount, tree: OrgTree) -> None:
    problem = rejected(session, editor, tree.city.id, json.dumps(entry()).encode(), "one.json")
    assert str(problem.problems[0]) == "file: must be a JSON list of guides, not a dict"


def test_every_bad_entry_is_named_with_its_field_and_nothing_is_added(
    session: Session, editor: StaffAccount, tree: OrgTree
) -> None:
    data = json.dumps(
        [
            entry(),
            entry(steps=["一步"] * 10_000),
            entry(online_url="javascript:alert(1)"),
            entry(conditions="持证\u0000人员"),
            "not an object",
        ]
    ).encode()
    problems = {(p.entry, p.field) for p in rejected(session, editor, tree.city.id, data, "g.json").problems}
    assert problems == {(2, "steps"), (3, "online_url"), (4, "conditions"), (5, "")}


def test_a_csv_row_per_guide_with_lists_split_at_full_width_semicolons(
    session: Session, editor: StaffAccount, tree: OrgTree
) -> None:
    sheet = (
        "服务名称,类别,申请材料,办理流程,办理时限,网上办理\n"
        "失业保险金申领,社会保险,居民身份证（原件）；一寸照片×2,网上申请；审核；发放,即时办结,https://example.gov.cn/a\n"
    )
    [guide] = import_guides(session, editor, sheet.encode("utf-8-sig"), "guides.csv", tree.city.id)
    assert guide.steps == ["网上申请", "审核", "发放"]
    assert guide.materials == [
        {"name": "居民身份证", "copies": 1, "original": True, "note": ""},
        {"name": "一寸照片", "copies": 2, "original": False, "note": ""},
    ]


def test_a_csv_error_names_the_row_as_a_spreadsheet_shows_it(
    session: Session, editor: StaffAccount, tree: OrgTree
) -> None:
    sheet = "服务名称,类别,办理流程\n失业登记,就业服务,登记\n退休申请,社会保险,\n"
    problem = rejected(session, editor, tree.city.id, sheet.encode(), "g.csv").problems
    assert [str(p) for p in problem] == ["entry 3: steps needs at least one step"]


def test_an_unknown_csv_column_is_refused(session: Session, editor: StaffAccount, tree: OrgTree) -> None:
    problem = rejected(session, editor, tree.city.id, "服务名称,颜色\n失业登记,红\n".encode(), "g.csv").problems
    assert "颜色" in problem[0].message


def test_an_import_to_a_node_outside_the_editor_subtree_is_refused(
    session: Session, editor: StaffAccount, tree: OrgTree
) -> None:
    data = json.dumps([entry()]).encode()
    problem = rejected(session, editor, tree.other_city.id, data, "g.json").problems
    assert (problem[0].field, problem[0].message) == ("org_unit_id", "lies outside your part of the org tree")
