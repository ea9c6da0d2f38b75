"""The review of policy notices: the state machine, four eyes, subtrees, history, notifications, screens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from content_factories import Factory, OrgTree
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import notifications
from content.accounts.access import AccessDenied
from content.accounts.audit import AuditEntry
from content.accounts.notifications import Notification, NotificationKind
from content.accounts.staff import Role, StaffAccount
from content.errors import NotFound, ValidationError
from content.library import approval
from content.library.approval import NoticeFields, NoticeReviewEvent, Problem, ReviewRefused, Step
from content.library.items import ItemStatus, PolicyNotice
from content.org.screens import Screen
from content.org.tree import OrgUnit
from content.outbox import OutboxEvent
from content.signage.manifest import resolve

DATABASES = ("sqlite", "postgres")

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


@dataclass
class People:
    editor: StaffAccount  # 兰州市
    other_editor: StaffAccount  # 兰州市
    approver: StaffAccount  # 兰州市
    county_approver: StaffAccount  # 城关区
    tianshui_approver: StaffAccount  # 天水市
    retired_approver: StaffAccount  # 兰州市, disabled
    admin: StaffAccount  # everything
    manager: StaffAccount  # a hall in 城关区


def _account(
    session: Session,
    username: str,
    role: Role,
    unit: OrgUnit | None = None,
    *,
    hall_id: int | None = None,
    active: bool = True,
) -> StaffAccount:
    # Straight rows, not add_account: its password hashing is slow and beside the point here.
    account = StaffAccount(
        username=username,
        display_name=f"{username}名",
        password_hash="-",
        role=role.value,
        org_unit_id=unit.id if unit else None,
        hall_id=hall_id,
        active=active,
    )
    session.add(account)
    session.flush()
    return account


@pytest.fixture
def tree(make: Factory) -> OrgTree:
    return make.org_tree()


@pytest.fixture
def people(session: Session, make: Factory, tree: OrgTree) -> People:
    hall = make.hall(tree.county)
    return People(
        editor=_account(session, "editor", Role.EDITOR, tree.city),
        other_editor=_account(session, "editor2", Role.EDITOR, tree.city),
        approver=_account(session, "approver", Role.APPROVER, tree.city),
        county_approver=_account(session, "county", Role.APPROVER, tree.county),
        tianshui_approver=_account(session, "tianshui", Role.APPROVER, tree.other_city),
        retired_approver=_account(session, "retired", Role.APPROVER, tree.city, active=False),
        admin=_account(session, "admin", Role.SYSTEM_ADMIN),
        manager=_account(session, "manager", Role.HALL_MANAGER, tree.county, hall_id=hall.id),
    )


def fields(unit: OrgUnit, **overrides: Any) -> NoticeFields:
    base = NoticeFields(
        org_unit_id=unit.id,
        title="就业困难人员认定办法",
        body_markdown="## 认定条件\n\n- 零就业家庭成员",
        topic="就业创业",
        issuing_office="兰州市人力资源和社会保障局",
    )
    return replace(base, **overrides)


def later(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


def steps(session: Session, notice: PolicyNotice) -> list[tuple[str, str, str | None, str, str]]:
    return [(e.actor, e.step, e.from_status, e.to_status, e.reason) for e in approval.history(session, notice)]


def inbox(session: Session, account: StaffAccount) -> list[tuple[str, dict[str, Any]]]:
    return [(n.kind, n.params) for n in notifications.unread(session, account.id)]


def test_a_notice_goes_from_draft_through_review_and_approval_to_published(
    session: Session, people: People, tree: OrgTree
) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    assert (notice.status, notice.revision, notice.last_edited_by_id) == ("draft", 1, people.editor.id)
    assert notice.body_html == "<h2>认定条件</h2>\n<ul>\n<li>零就业家庭成员</li>\n</ul>\n"
    approval.submit(session, notice, people.editor, now=later(1))
    assert notice.status == "in_review"
    approval.approve(session, notice, people.approver, now=later(2))
    assert notice.status == "approved"
    approval.publish(session, notice, people.approver, now=later(3))
    assert notice.status == "published" and notice.updated_at == later(3)
    assert steps(session, notice) == [
        ("editor", "created", None, "draft", ""),
        ("editor", "submitted", "draft", "in_review", ""),
        ("approver", "approved", "in_review", "approved", ""),
        ("approver", "published", "approved", "published", ""),
    ]
    assert [e.at for e in approval.history(session, notice)] == [NOW, later(1), later(2), later(3)]
    assert [e.actor_id for e in approval.history(session, notice)][-1] == people.approver.id


def test_every_step_is_audited_and_only_a_change_on_screens_goes_to_the_outbox(
    session: Session, people: People, tree: OrgTree
) -> None:
    notice = approval.create(session, people.editor, fields(tree.county), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.approve(session, notice, people.approver, now=NOW)
    assert session.scalars(select(OutboxEvent)).all() == [], "nothing screens show has changed yet"
    approval.publish(session, notice, people.approver, now=NOW)
    approval.archive(session, notice, people.editor, now=NOW)
    session.flush()
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(r.actor, r.action, r.object_kind, r.object_id) for r in rows] == [
        ("editor", "created", "policy_notice", str(notice.id)),
        ("editor", "submitted", "policy_notice", str(notice.id)),
        ("approver", "approved", "policy_notice", str(notice.id)),
        ("approver", "published", "policy_notice", str(notice.id)),
        ("editor", "archived", "policy_notice", str(notice.id)),
    ]
    assert {r.org_path for r in rows} == {tree.county.path}
    assert rows[3].summary == {"title": "就业困难人员认定办法", "from": "approved", "to": "published"}
    events = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)).all()
    assert [e.payload for e in events] == [
        {"kind": "policy_notice", "id": notice.id, "action": "published"},
        {"kind": "policy_notice", "id": notice.id, "action": "archived"},
    ]


@pytest.fixture
def screen(make: Factory, tree: OrgTree) -> Screen:
    """A wall in 城关区 whose default schedule plays the notice feed of everything above it."""
    wall = make.screen(make.hall(tree.county, name="城关区公共就业服务中心"))
    make.schedule(layer="default", playlists={"main": make.playlist([{"kind": "notice_feed"}])})
    return wall


def shown(session: Session, screen: Screen, at: datetime) -> set[str]:
    return set(resolve(session, screen, at).body["items"])


def test_a_notice_reaches_screens_only_once_published(
    session: Session, people: People, tree: OrgTree, screen: Screen
) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    key = f"notice:{notice.id}"
    session.flush()
    assert key not in shown(session, screen, later(1)), "a draft"
    approval.submit(session, notice, people.editor, now=later(1))
    session.flush()
    assert key not in shown(session, screen, later(2)), "in review"
    approval.approve(session, notice, people.approver, now=later(2))
    session.flush()
    assert key not in shown(session, screen, later(3)), "approved but not published"
    approval.publish(session, notice, people.approver, now=later(3))
    session.flush()
    manifest = resolve(session, screen, later(4))
    assert key in manifest.body["items"]
    assert manifest.body["items"][key]["html"] == notice.body_html


def test_editing_a_published_notice_takes_it_off_screens_until_approved_again(
    session: Session, people: People, tree: OrgTree, screen: Screen
) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.approve(session, notice, people.approver, now=NOW)
    approval.publish(session, notice, people.approver, now=NOW)
    changed = approval.edit(
        session, notice, people.other_editor, fields(tree.city, title="就业困难人员认定办法（修订）"), now=later(5)
    )
    session.flush()
    assert changed and (notice.status, notice.revision, notice.last_edited_by_id) == (
        "in_review",
        2,
        people.other_editor.id,
    )
    assert f"notice:{notice.id}" not in shown(session, screen, later(6))
    assert steps(session, notice)[-1] == ("editor2", "edited", "published", "in_review", "")
    outbox = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
    assert outbox.payload == {"kind": "policy_notice", "id": notice.id, "action": "edited"}
    approval.approve(session, notice, people.approver, now=later(7))
    approval.publish(session, notice, people.approver, now=later(8))
    session.flush()
    items = resolve(session, screen, later(9)).body["items"]
    assert items[f"notice:{notice.id}"]["title"] == "就业困难人员认定办法（修订）"


def test_editing_an_approved_notice_sends_it_back_to_review_and_tells_the_approvers(
    session: Session, people: People, tree: OrgTree
) -> None:
    notice = approval.create(session, people.editor, fields(tree.county), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.approve(session, notice, people.county_approver, now=NOW)
    notifications.mark_all_read(session, people.approver.id, NOW)
    approval.edit(session, notice, people.editor, fields(tree.county, body_markdown="改了一个字"), now=later(1))
    assert notice.status == "in_review"
    assert "改了一个字" in notice.body_html
    assert inbox(session, people.approver) == [
        ("notice_resubmitted", {"title": "就业困难人员认定办法", "by": "editor名"})
    ]
    assert approval.submitter_id(session, notice) == people.editor.id


def test_editing_a_draft_or_a_notice_in_review_keeps_its_state(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.edit(session, notice, people.other_editor, fields(tree.city, topic="失业保险"), now=NOW)
    assert (notice.status, notice.revision) == ("draft", 2)
    approval.submit(session, notice, people.other_editor, now=NOW)
    approval.edit(session, notice, people.editor, fields(tree.city, topic="养老保险"), now=NOW)
    assert (notice.status, notice.revision, notice.last_edited_by_id) == ("in_review", 3, people.editor.id)


def test_an_edit_that_changes_nothing_is_no_edit(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.approve(session, notice, people.approver, now=NOW)
    same = fields(tree.city, title="  就业困难人员认定办法  ")  # only blanks around it
    assert approval.edit(session, notice, people.other_editor, same, now=later(1)) is False
    assert (notice.status, notice.revision, len(steps(session, notice))) == ("approved", 1, 3)


def test_nobody_approves_a_notice_they_last_edited(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.edit(session, notice, people.admin, fields(tree.city, topic="社会保险"), now=NOW)
    assert Step.APPROVED not in approval.allowed_steps(session, notice, people.admin)
    assert approval.four_eyes_blocks(session, notice, people.admin)
    with pytest.raises(ReviewRefused, match="another approver must approve it") as refused:
        approval.approve(session, notice, people.admin, now=NOW)
    assert refused.value.reason == "four_eyes" and notice.status == "in_review"
    assert Step.APPROVED in approval.allowed_steps(session, notice, people.approver)
    approval.approve(session, notice, people.approver, now=NOW)
    assert notice.status == "approved"


def test_nobody_approves_a_notice_they_submitted(session: Session, people: People, tree: OrgTree) -> None:
    draft = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, draft, people.admin, now=NOW)  # written by the editor, vouched for by the admin
    with pytest.raises(ReviewRefused) as refused:
        approval.approve(session, draft, people.admin, now=NOW)
    assert refused.value.reason == "four_eyes"


def test_approvers_act_only_within_their_subtree(session: Session, people: People, tree: OrgTree) -> None:
    city_notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, city_notice, people.editor, now=NOW)
    for outsider in (people.tianshui_approver, people.county_approver):  # another city; below the notice's node
        assert approval.allowed_steps(session, city_notice, outsider) == frozenset()
        with pytest.raises(AccessDenied, match="outside your part of the org tree"):
            approval.approve(session, city_notice, outsider, now=NOW)
        with pytest.raises(AccessDenied):
            approval.reject(session, city_notice, outsider, "不予通过", now=NOW)
    assert city_notice.status == "in_review"
    street_notice = approval.create(session, people.editor, fields(tree.street), now=NOW)
    approval.submit(session, street_notice, people.editor, now=NOW)
    approval.approve(session, street_notice, people.county_approver, now=NOW)
    assert street_notice.status == "approved", "the county's approver covers the street below it"


def test_editors_write_only_at_nodes_in_their_subtree(session: Session, people: People, tree: OrgTree) -> None:
    with pytest.raises(ValidationError) as refused:
        approval.create(session, people.editor, fields(tree.other_city), now=NOW)
    assert set(refused.value.errors) == {"org_unit_id"}
    assert approval.problems(session, people.editor, fields(tree.province)) == {"org_unit_id": Problem.OUTSIDE_SCOPE}
    notice = approval.create(session, people.editor, fields(tree.county), now=NOW)
    with pytest.raises(ValidationError):
        approval.edit(session, notice, people.editor, fields(tree.other_city), now=NOW)
    assert notice.org_unit_id == tree.county.id


def test_each_field_is_checked(session: Session, people: People, tree: OrgTree) -> None:
    wrong = NoticeFields(
        org_unit_id=None,
        title="  ",
        body_markdown="",
        topic="主" * 41,
        valid_from=NOW,
        valid_until=NOW - timedelta(hours=1),
    )
    assert approval.problems(session, people.editor, wrong) == {
        "title": Problem.REQUIRED,
        "body_markdown": Problem.REQUIRED,
        "topic": Problem.TOO_LONG,
        "org_unit_id": Problem.REQUIRED,
        "valid_until": Problem.NOT_AFTER_START,
    }
    assert approval.problems(session, people.editor, fields(tree.city, org_unit_id=999_999)) == {
        "org_unit_id": Problem.NO_SUCH_NODE
    }
    assert session.scalars(select(PolicyNotice)).all() == []


def test_each_role_takes_only_its_own_steps(session: Session, people: People, tree: OrgTree) -> None:
    with pytest.raises(AccessDenied):
        approval.create(session, people.approver, fields(tree.city), now=NOW)
    notice = approval.create(session, people.editor, fields(tree.county), now=NOW)
    with pytest.raises(AccessDenied):
        approval.submit(session, notice, people.approver, now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    for step in (approval.approve, approval.publish):
        with pytest.raises(AccessDenied, match="may not take the step"):
            step(session, notice, people.editor, now=NOW)
    with pytest.raises(AccessDenied):
        approval.archive(session, notice, people.manager, now=NOW)
    with pytest.raises(AccessDenied):
        approval.approve(session, notice, people.retired_approver, now=NOW)
    assert approval.allowed_steps(session, notice, people.editor) == {Step.EDITED, Step.ARCHIVED}
    assert approval.allowed_steps(session, notice, people.approver) == {Step.APPROVED, Step.REJECTED, Step.ARCHIVED}


@pytest.mark.parametrize("wrong", ["publish a draft", "approve a draft", "submit twice", "approve twice"])
def test_steps_out_of_order_are_refused(session: Session, people: People, tree: OrgTree, wrong: str) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    if wrong in ("submit twice", "approve twice"):
        approval.submit(session, notice, people.editor, now=NOW)
    if wrong == "approve twice":
        approval.approve(session, notice, people.approver, now=NOW)
    act = {
        "publish a draft": lambda: approval.publish(session, notice, people.approver, now=NOW),
        "approve a draft": lambda: approval.approve(session, notice, people.approver, now=NOW),
        "submit twice": lambda: approval.submit(session, notice, people.editor, now=NOW),
        "approve twice": lambda: approval.approve(session, notice, people.approver, now=NOW),
    }[wrong]
    before = (notice.status, len(steps(session, notice)))
    with pytest.raises(ReviewRefused) as refused:
        act()
    assert refused.value.reason == "state"
    assert (notice.status, len(steps(session, notice))) == before


def test_rejecting_needs_a_reason_and_hands_the_notice_back_to_its_editor(
    session: Session, people: People, tree: OrgTree
) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    with pytest.raises(ValidationError) as refused:
        approval.reject(session, notice, people.approver, "   ", now=NOW)
    assert set(refused.value.errors) == {"reason"} and notice.status == "in_review"
    with pytest.raises(ValidationError):
        approval.reject(session, notice, people.approver, "长" * 501, now=NOW)
    approval.reject(session, notice, people.approver, "请注明政策文号", now=later(1))
    assert notice.status == "draft"
    assert steps(session, notice)[-1] == ("approver", "rejected", "in_review", "draft", "请注明政策文号")
    assert inbox(session, people.editor) == [
        ("notice_rejected", {"title": "就业困难人员认定办法", "by": "approver名", "reason": "请注明政策文号"})
    ]
    approval.edit(
        session, notice, people.editor, fields(tree.city, issuing_office="兰人社发〔2026〕12号"), now=later(2)
    )
    approval.submit(session, notice, people.editor, now=later(3))
    approval.approve(session, notice, people.approver, now=later(4))
    assert notice.status == "approved"


def test_an_approved_notice_may_still_be_sent_back_before_it_is_published(
    session: Session, people: People, tree: OrgTree
) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.approve(session, notice, people.approver, now=NOW)
    approval.reject(session, notice, people.admin, "发布前发现错别字", now=NOW)
    assert notice.status == "draft"


def test_submitting_tells_every_active_approver_whose_subtree_holds_the_node(
    session: Session, people: People, tree: OrgTree
) -> None:
    notice = approval.create(session, people.editor, fields(tree.county), now=NOW)
    approval.submit(session, notice, people.editor, now=later(1))
    session.flush()
    told = {n.recipient_id for n in session.scalars(select(Notification))}
    assert told == {people.approver.id, people.county_approver.id, people.admin.id}
    note = notifications.unread(session, people.approver.id)[0]
    assert (note.kind, note.params, note.subject_kind, note.subject_id, note.created_at) == (
        "notice_submitted",
        {"title": "就业困难人员认定办法", "by": "editor名"},
        "policy_notice",
        notice.id,
        later(1),
    )
    city_notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, city_notice, people.admin, now=NOW)
    assert notifications.unread_count(session, people.county_approver.id) == 1, (
        "the county's approver hears about the county's notice, not the city's"
    )
    assert notifications.unread_count(session, people.admin.id) == 1, "nobody is told about their own submission"


def test_approving_and_publishing_tell_whoever_submitted_it(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.other_editor, now=NOW)
    approval.approve(session, notice, people.approver, now=NOW)
    approval.publish(session, notice, people.admin, now=NOW)
    assert inbox(session, people.other_editor) == [
        ("notice_published", {"title": "就业困难人员认定办法", "by": "admin名"}),
        ("notice_approved", {"title": "就业困难人员认定办法", "by": "approver名"}),
    ]
    assert inbox(session, people.editor) == [], "the writer did not submit it"


def test_a_step_taken_on_an_older_revision_is_refused(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, revision=1, now=NOW)
    seen = notice.revision
    approval.edit(session, notice, people.other_editor, fields(tree.city, body_markdown="审核员没看过的字"), now=NOW)
    with pytest.raises(ReviewRefused, match="changed since you opened it") as refused:
        approval.approve(session, notice, people.approver, revision=seen, now=NOW)
    assert refused.value.reason == "stale" and notice.status == "in_review"
    with pytest.raises(ReviewRefused):
        approval.edit(session, notice, people.editor, fields(tree.city, topic="x"), revision=seen, now=NOW)
    approval.approve(session, notice, people.approver, revision=notice.revision, now=NOW)
    assert notice.status == "approved"


def test_an_archived_notice_leaves_screens_and_an_edit_makes_it_a_draft(
    session: Session, people: People, tree: OrgTree, screen: Screen
) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    approval.approve(session, notice, people.approver, now=NOW)
    approval.publish(session, notice, people.approver, now=NOW)
    approval.archive(session, notice, people.approver, now=later(1))
    session.flush()
    assert f"notice:{notice.id}" not in shown(session, screen, later(2))
    assert approval.allowed_steps(session, notice, people.editor) == {Step.EDITED}
    approval.edit(session, notice, people.editor, fields(tree.city, title="重新启用"), now=later(3))
    assert notice.status == "draft"


class _Markup(HTMLParser):
    """Every element and attribute of a piece of HTML, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def markup(html: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(html)
    return parsed


def test_hostile_markdown_is_stored_sanitized(session: Session, people: People, tree: OrgTree) -> None:
    body = (
        "<script>alert(1)</script>\n\n[点我](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n"
        "![](data:image/png;base64,AAAA) [链接](https://www.mohrss.gov.cn/)"
    )
    notice = approval.create(session, people.editor, fields(tree.city, body_markdown=body), now=NOW)
    found = markup(notice.body_html)
    assert "script" not in found.tags
    assert not [a for a in found.attributes if a[0].startswith("on") or "javascript" in a[1] or "data:" in a[1]]
    assert ("href", "https://www.mohrss.gov.cn/") in found.attributes
    assert "&lt;script&gt;" in notice.body_html, "raw HTML is shown as text, never passed through"


def test_notifications_are_read_by_their_recipient_only(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    session.flush()
    mine = notifications.unread(session, people.approver.id)[0]
    with pytest.raises(NotFound):
        notifications.mark_read(session, people.admin.id, mine.id, later(1))
    assert notifications.mark_read(session, people.approver.id, mine.id, later(1)).read_at == later(1)
    assert notifications.mark_read(session, people.approver.id, mine.id, later(2)).read_at == later(1)
    assert notifications.unread_count(session, people.approver.id) == 0
    assert [n.id for n in notifications.recent(session, people.approver.id)] == [mine.id]
    assert notifications.mark_all_read(session, people.admin.id, later(3)) == 1
    assert notifications.unread(session, people.admin.id) == []


def test_every_kind_of_notification_has_words_in_both_languages() -> None:
    from kiosk_server.console.words import catalogue

    assert {"notice_submitted", "notice_resubmitted", "notice_approved", "notice_rejected", "notice_published"} <= {
        k.value for k in NotificationKind
    }
    words = catalogue()
    missing = [k.value for k in NotificationKind if f"notices.notify.{k.value}" not in words]
    assert not missing, f"no console words for {missing}"
    assert all(all(words[f"notices.notify.{k.value}"]) for k in NotificationKind)


def test_the_integration_changes_are_noted_in_the_history(session: Session, people: People, tree: OrgTree) -> None:
    notice = approval.create(session, people.editor, fields(tree.city), now=NOW)
    approval.submit(session, notice, people.editor, now=NOW)
    before = NoticeFields.of(notice)
    notice.body_markdown, notice.status = "接口改写的正文", "published"
    approval.note_integration_change(
        session, notice, before_status=ItemStatus.IN_REVIEW, before_fields=before, now=later(1)
    )
    session.flush()
    assert (notice.revision, notice.last_edited_by_id) == (2, None)
    last = session.scalars(select(NoticeReviewEvent).order_by(NoticeReviewEvent.id.desc())).first()
    assert (last.actor, last.actor_id, last.step, last.from_status, last.to_status) == (
        "api-token",
        None,
        "published",
        "in_review",
        "published",
    )
