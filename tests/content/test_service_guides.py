"""Service guides: plain text only, bounded lists, review with four eyes, visibility by subtree, the wall feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from content_factories import Factory, OrgTree
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import notifications
from content.accounts.access import AccessDenied
from content.accounts.staff import Role, StaffAccount
from content.errors import ValidationError
from content.library.approval import ReviewRefused, Step
from content.library.guides import review as guide_review
from content.library.guides.catalogue import search_guides, visible_guide, visible_guides
from content.library.guides.fields import MAX_STEPS, GuideFields, plain_text
from content.library.guides.qr import qr_rows
from content.library.guides.service_guides import ServiceGuide
from content.library.items import ItemStatus
from content.org.tree import OrgUnit
from content.outbox import OutboxEvent
from content.signage.manifest import resolve
from content.signage.proof_of_play import KIND_LABELS, check_play, parse_play

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def raw(org: OrgUnit | None = None, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "org_unit_id": org.id if org else None,
        "title": "失业保险金申领",
        "category": "社会保险",
        "conditions": "非因本人意愿中断就业，已办理失业登记并有求职要求。",
        "materials": [{"name": "居民身份证或社会保障卡", "copies": 1, "original": True}],
        "steps": ["线上或窗口提交申请", "经办机构审核", "按月发放失业保险金"],
        "time_limit": "即时办结",
        "location": "城关区人力资源市场一楼",
        "counter": "5号窗口",
        "online_url": "https://example.gov.cn/sybx",
    }
    return base | overrides


def account(session: Session, name: str, role: Role, unit: OrgUnit) -> StaffAccount:
    row = StaffAccount(
        username=name, display_name=name, password_hash="-", role=role.value, org_unit_id=unit.id, active=True
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def tree(make: Factory) -> OrgTree:
    return make.org_tree()


def published(session: Session, tree: OrgTree, org: OrgUnit | None = None, **overrides: Any) -> ServiceGuide:
    editor = account(session, f"ed{overrides.get('title', '')}{id(overrides)}", Role.EDITOR, tree.province)
    approver = account(session, f"ap{overrides.get('title', '')}{id(overrides)}", Role.APPROVER, tree.province)
    guide = guide_review.create(session, editor, GuideFields.parse(raw(org or tree.city, **overrides)), now=NOW)
    guide_review.take_step(session, guide, editor, Step.SUBMITTED, now=NOW)
    guide_review.take_step(session, guide, approver, Step.APPROVED, now=NOW)
    guide_review.take_step(session, guide, approver, Step.PUBLISHED, now=NOW)
    session.flush()
    return guide


# -- fields ---------------------------------------------------------------------------------------


def test_a_script_or_an_iframe_in_a_step_is_stored_as_text_only() -> None:
    fields = GuideFields.parse(
        raw(
            steps=[
                "提交<script>alert(1)</script>申请",
                '审核<iframe src="https://evil.example"></iframe>',
                "<b>领取</b>",
            ]
        )
    )
    assert fields.steps == ("提交申请", "审核", "领取")
    assert all("<" not in step for step in fields.steps)


def test_plain_text_keeps_comparisons_and_ampersands_that_are_not_markup() -> None:
    assert plain_text("年龄<60岁 & 男") == "年龄<60岁 & 男"


def test_a_step_list_longer_than_the_limit_is_refused_by_field() -> None:
    with pytest.raises(ValidationError) as caught:
        GuideFields.parse(raw(steps=["一步"] * 10_000))
    assert caught.value.errors == {"steps": f"has 10000 entries, at most {MAX_STEPS}"}


def test_a_long_step_and_a_bad_material_are_named_by_position() -> None:
    with pytest.raises(ValidationError) as caught:
        GuideFields.parse(raw(steps=["好", "长" * 301], materials=[{"name": "身份证", "copies": -1}, {"copies": 1}]))
    assert set(caught.value.errors) == {"steps.2", "materials.1.copies", "materials.2.name"}
    assert caught.value.errors["steps.2"] == "is 301 characters long, at most 300"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "ftp://x.cn/a"])
def test_an_online_link_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GuideFields.parse(raw(online_url=url))
    assert "online_url" in caught.value.errors


def test_a_nul_character_is_refused_with_its_position() -> None:
    with pytest.raises(ValidationError) as caught:
        GuideFields.parse(raw(conditions="持\x00证"))
    assert caught.value.errors == {"conditions": "holds the control character U+0000 at character 2"}


def test_name_category_and_steps_are_required() -> None:
    with pytest.raises(ValidationError) as caught:
        GuideFields.parse(raw(title=" ", category="", steps=[]))
    assert set(caught.value.errors) == {"title", "category", "steps"}


def test_the_qr_rows_are_a_square_of_modules() -> None:
    rows = qr_rows("https://example.gov.cn/sybx")
    assert len(rows) >= 21 and all(len(r) == len(rows) and set(r) <= {"0", "1"} for r in rows)
    assert qr_rows("") == ()


# -- review ---------------------------------------------------------------------------------------


def test_nobody_approves_a_guide_they_last_edited(session: Session, tree: OrgTree) -> None:
    approver = account(session, "admin", Role.SYSTEM_ADMIN, tree.city)  # may edit and approve
    other = account(session, "approver2", Role.APPROVER, tree.city)
    guide = guide_review.create(session, approver, GuideFields.parse(raw(tree.city)), now=NOW)
    guide_review.take_step(session, guide, approver, Step.SUBMITTED, now=NOW)
    with pytest.raises(ReviewRefused) as caught:
        guide_review.take_step(session, guide, approver, Step.APPROVED, now=NOW)
    assert caught.value.reason == "four_eyes"
    assert Step.APPROVED not in guide_review.allowed_steps(session, guide, approver)
    guide_review.take_step(session, guide, other, Step.APPROVED, now=NOW)
    guide_review.take_step(session, guide, other, Step.PUBLISHED, now=NOW)
    assert guide.status == ItemStatus.PUBLISHED.value
    steps = [e.step for e in guide_review.history(session, guide)]
    assert steps == ["created", "submitted", "approved", "published"]
    kinds = [e.payload for e in session.scalars(select(OutboxEvent))]
    assert kinds == [{"kind": "guide", "id": guide.id, "action": "published"}]


def test_editing_a_published_guide_sends_it_back_to_review(session: Session, tree: OrgTree) -> None:
    guide = published(session, tree)
    editor = account(session, "late_editor", Role.EDITOR, tree.city)
    changed = guide_review.edit(session, guide, editor, GuideFields.parse(raw(tree.city, fee="工本费20元")), now=NOW)
    assert changed and guide.status == ItemStatus.IN_REVIEW.value and guide.revision == 2
    assert not guide_review.edit(session, guide, editor, GuideFields.parse(raw(tree.city, fee="工本费20元")))


def test_an_editor_may_not_write_a_guide_outside_their_subtree(session: Session, tree: OrgTree) -> None:
    editor = account(session, "county_editor", Role.EDITOR, tree.county)
    with pytest.raises(ValidationError) as caught:
        guide_review.create(session, editor, GuideFields.parse(raw(tree.other_city)), now=NOW)
    assert caught.value.errors == {"org_unit_id": "lies outside your part of the org tree"}
    guide = published(session, tree, tree.other_city)
    with pytest.raises(AccessDenied):
        guide_review.take_step(session, guide, editor, Step.ARCHIVED, now=NOW)


def test_a_rejection_needs_a_reason(session: Session, tree: OrgTree) -> None:
    editor = account(session, "e", Role.EDITOR, tree.city)
    approver = account(session, "a", Role.APPROVER, tree.city)
    guide = guide_review.create(session, editor, GuideFields.parse(raw(tree.city)), now=NOW)
    guide_review.take_step(session, guide, editor, Step.SUBMITTED, now=NOW)
    with pytest.raises(ValidationError):
        guide_review.take_step(session, guide, approver, Step.REJECTED, reason=" ", now=NOW)
    guide_review.take_step(session, guide, approver, Step.REJECTED, reason="材料清单不全", now=NOW)
    assert guide.status == ItemStatus.DRAFT.value


def _told(session: Session, who: StaffAccount) -> list[tuple[str, dict[str, Any], int | None]]:
    return [(n.kind, n.params, n.subject_id) for n in notifications.unread(session, who.id)]


def test_approvers_in_scope_hear_of_a_submitted_guide_and_the_submitter_hears_each_step(
    session: Session, tree: OrgTree
) -> None:
    editor = account(session, "guide_editor", Role.EDITOR, tree.city)
    approver = account(session, "guide_approver", Role.APPROVER, tree.city)
    elsewhere = account(session, "other_approver", Role.APPROVER, tree.other_city)
    guide = guide_review.create(session, editor, GuideFields.parse(raw(tree.city)), now=NOW)
    assert _told(session, approver) == [], "a draft is nobody's business yet"
    guide_review.take_step(session, guide, editor, Step.SUBMITTED, now=NOW)
    expected = {"title": "失业保险金申领", "by": "guide_editor"}
    assert _told(session, approver) == [("guide_submitted", expected, guide.id)]
    assert _told(session, elsewhere) == [], "an approver of another city does not review it"
    assert _told(session, editor) == [], "nobody is told of their own submission"
    guide_review.take_step(session, guide, approver, Step.REJECTED, reason="材料清单不全", now=NOW)
    by_approver = {"title": "失业保险金申领", "by": "guide_approver"}
    assert _told(session, editor) == [("guide_rejected", by_approver | {"reason": "材料清单不全"}, guide.id)]
    guide_review.take_step(session, guide, editor, Step.SUBMITTED, now=NOW)
    guide_review.take_step(session, guide, approver, Step.APPROVED, now=NOW)
    guide_review.take_step(session, guide, approver, Step.PUBLISHED, now=NOW)
    kinds = [kind for kind, _, _ in _told(session, editor)]
    assert sorted(kinds) == ["guide_approved", "guide_published", "guide_rejected"]


def test_changing_a_published_guide_tells_the_approvers_it_needs_review_again(session: Session, tree: OrgTree) -> None:
    guide = published(session, tree)
    approver = account(session, "city_approver", Role.APPROVER, tree.city)
    notifications.mark_all_read(session, approver.id, NOW)
    editor = account(session, "late_editor", Role.EDITOR, tree.city)
    guide_review.edit(session, guide, editor, GuideFields.parse(raw(tree.city, fee="工本费20元")), now=NOW)
    assert ("guide_resubmitted", {"title": "失业保险金申领", "by": "late_editor"}, guide.id) in _told(session, approver)


# -- visibility -----------------------------------------------------------------------------------


def test_kiosks_see_guides_of_their_ancestors_and_descendants_but_not_siblings(session: Session, tree: OrgTree) -> None:
    province = published(session, tree, tree.province, title="社会保障卡申领")
    street = published(session, tree, tree.street, title="失业登记")
    sibling = published(session, tree, tree.sibling_county, title="退休申请")
    shown = {g.id for g in visible_guides(session, tree.county, NOW)}
    assert province.id in shown and street.id in shown and sibling.id not in shown
    assert visible_guide(session, tree.county, NOW, sibling.id) is None


def test_guides_are_found_by_pinyin_initials_and_counted_by_category(session: Session, tree: OrgTree) -> None:
    published(session, tree, title="失业保险金申领", category="社会保险")
    published(session, tree, title="就业创业证申领", category="就业服务")
    everything = visible_guides(session, tree.county, NOW)
    page = search_guides(everything, initials="sybx")
    assert [g.title for g in page.items] == ["失业保险金申领"]
    assert page.categories == [("社会保险", 1)]
    assert search_guides(everything, category="就业服务").total == 1


# -- the wall -------------------------------------------------------------------------------------


def test_a_guide_feed_shows_published_guides_of_the_hall_with_their_qr(
    session: Session, make: Factory, tree: OrgTree
) -> None:
    wall = make.screen(make.hall(tree.county))
    feed = make.playlist([{"kind": "guide_feed", "duration_seconds": 20, "params": {"category": "社会保险"}}])
    make.schedule(layer="default", playlists={"main": feed})
    shown = published(session, tree, title="失业保险金申领", category="社会保险")
    published(session, tree, title="就业创业证申领", category="就业服务")
    editor = account(session, "drafter", Role.EDITOR, tree.city)
    draft = guide_review.create(session, editor, GuideFields.parse(raw(tree.city, title="草稿")), now=NOW)
    session.flush()
    body = resolve(session, wall, NOW + timedelta(minutes=1)).body
    entry = body["segments"][0]["regions"]["main"][0]
    assert entry == {"kind": "guide_feed", "items": [f"guide:{shown.id}"], "duration": 20}
    data = body["items"][f"guide:{shown.id}"]
    assert data["steps"][0] == "线上或窗口提交申请" and data["qr"] == list(qr_rows("https://example.gov.cn/sybx"))
    assert f"guide:{draft.id}" not in body["items"]


def test_a_guide_on_screen_counts_as_a_play_of_kind_guide() -> None:
    play = parse_play({"id": 7, "kind": "guide", "start": NOW.isoformat(), "seconds": 20})
    check_play(play, NOW + timedelta(seconds=30))
    assert (play.kind, KIND_LABELS["guide"]) == ("guide", "办事指南")
