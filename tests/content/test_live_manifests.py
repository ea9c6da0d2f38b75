"""Incremental publishing: applying changes gives exactly what a full resolve gives, touching only what it must."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from content_factories import Factory, OrgTree, new_session
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from content.library.fairs.job_fairs import JobFair
from content.library.fairs.rules import save_fair
from content.library.items import ContentItem, Vacancy
from content.org.screens import Screen, ScreenGroup
from content.org.tree import Hall
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout
from content.signage.live_manifests import HISTORY, MAX_NAMED_CHANGES, Changes, LiveManifests
from content.signage.manifest import Resolver, canonical_json
from content.signage.playlists import Playlist, PlaylistEntry
from content.signage.schedules import Schedule
from content.signage.targeting import Target

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)  # Monday 09:30 in Shanghai
Row = tuple[str, dict[str, Any]]


@dataclass
class World:
    tree: OrgTree
    halls: list[Hall]
    screens: list[Screen]
    group: ScreenGroup
    layouts: list[Layout]
    playlists: list[Playlist]
    schedules: list[Schedule]
    vacancies: list[Vacancy]
    items: list[ContentItem]
    fairs: list[JobFair] = field(default_factory=list)


def build_world(make: Factory) -> World:
    """Two cities, four halls, screens with tags and a group, boards, dayparts, a campaign and an emergency."""
    tree = make.org_tree()
    halls = [
        make.hall(tree.street, name="东岗街道"),
        make.hall(tree.community, name="雁南社区"),
        make.hall(tree.sibling_county, name="七里河区"),
        make.hall(tree.other_city, name="天水市"),
    ]
    group = make.screen_group(name="入口屏")
    screens = []
    for n, hall in enumerate(halls):
        screens.append(make.screen(hall, name=f"主屏{n}", key=f"key-main-{n}"))
        screens.append(make.screen(hall, name=f"入口{n}", key=f"key-door-{n}", tags=["入口"], groups=[group]))
    vacancies = [
        make.vacancy(
            org,
            title=f"岗位{n}",
            created_at=datetime(2026, 1, 1 + n, tzinfo=UTC),
            valid_until=START + timedelta(hours=5 + 7 * n),
        )
        for n, org in enumerate([tree.city, tree.street, tree.other_city, tree.province])
    ]
    notice = make.notice(tree.county)
    ticker = make.ticker(tree.province)
    board = make.playlist([{"kind": "vacancy_board", "duration_seconds": 12}, {"kind": "notice_feed"}])
    spot = make.playlist([{"kind": "item", "item": notice, "duration_seconds": 20}, {"kind": "item", "item": ticker}])
    city_board = make.playlist([{"kind": "vacancy_board", "params": {"order": "salary", "limit": 2}}])
    layouts = [make.layout(), make.layout(name="竖屏")]
    schedules = [
        make.schedule(layouts[0], layer="default", playlists={"main": board}),
        make.schedule(
            layouts[0],
            name="上午专场",
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            daypart_start=time(9),
            daypart_end=time(12),
            playlists={"main": spot},
            targets=[("include", "org", tree.city.id), ("exclude", "tag", "入口")],
        ),
        make.schedule(
            layouts[1],
            name="招聘月",
            layer="campaign",
            playlists={"main": city_board},
            starts_at=START + timedelta(hours=20),
            ends_at=START + timedelta(hours=30),
            targets=[("include", "group", group.id)],
        ),
    ]
    make.emergency(starts_at=START + timedelta(hours=2), expires_at=START + timedelta(hours=3))
    make.session.commit()
    return World(
        tree, halls, screens, group, layouts, [board, spot, city_board], schedules, vacancies, [notice, ticker]
    )


def full_resolve(session: Session, at: datetime) -> tuple[dict[str, tuple[str, Any]], dict[int, str]]:
    resolver = Resolver.load(session, since=at - HISTORY)
    manifests, groups = resolver.resolve_groups(resolver.contexts(session), at)
    return {key: (m.version, m.body) for key, m in manifests.items()}, groups


def held(live: LiveManifests) -> tuple[dict[str, tuple[str, Any]], dict[int, str]]:
    for m in live.manifests.values():  # the text kept for the wire is the body's, patched or resolved
        assert m.text is None or m.text == canonical_json(m.body), f"the text kept for {m.group} is not its body's"
    return {key: (m.version, m.body) for key, m in live.manifests.items()}, dict(live.screen_groups)


def apply(session: Session, live: LiveManifests, rows: list[Row], at: datetime) -> set[str]:
    session.commit()
    return live.apply(live.read(session, Changes.of(rows), at), at)


# -- the changes the property test draws from: each edits the database and names what it touched ------------


def _vacancy_title(w: World, s: Session, n: int) -> list[Row]:
    v = w.vacancies[n % len(w.vacancies)]
    v.title = f"{v.title}+"
    return [("content", {"kind": "vacancy", "id": v.id, "action": "updated"})]


def _vacancy_moves(w: World, s: Session, n: int) -> list[Row]:
    v = w.vacancies[n % len(w.vacancies)]
    nodes = [w.tree.province, w.tree.city, w.tree.street, w.tree.other_city, w.tree.community]
    v.org_unit_id = nodes[n % len(nodes)].id
    return [("content", {"kind": "vacancy", "id": v.id, "action": "updated"})]


def _vacancy_window(w: World, s: Session, n: int) -> list[Row]:
    v = w.vacancies[n % len(w.vacancies)]
    v.valid_from = START + timedelta(hours=n % 40) if n % 3 else None
    v.valid_until = START + timedelta(hours=4 + n % 60)
    return [("content", {"kind": "vacancy", "id": v.id, "action": "updated"})]


def _vacancy_unpublished(w: World, s: Session, n: int) -> list[Row]:
    v = w.vacancies[n % len(w.vacancies)]
    v.status = "draft" if v.status == "published" else "published"
    return [("content", {"kind": "vacancy", "id": v.id, "action": "updated"})]


def _vacancy_created(w: World, s: Session, n: int, make: Factory) -> list[Row]:
    org = [w.tree.street, w.tree.sibling_county, w.tree.other_city][n % 3]
    v = make.vacancy(org, title=f"新岗位{n}", created_at=START - timedelta(days=n % 5), salary_max=3000 + 500 * n)
    w.vacancies.append(v)
    return [("content", {"kind": "vacancy", "id": v.id, "action": "created"})]


def _item_deleted(w: World, s: Session, n: int) -> list[Row]:
    pool = [*w.vacancies, *w.items]
    if len(pool) <= 1:
        return []
    item = pool[n % len(pool)]
    (w.vacancies if item in w.vacancies else w.items).remove(item)
    kind, ident = item.kind, item.id
    s.delete(item)
    return [("content", {"kind": kind, "id": ident, "action": "deleted"})]


def _schedule_priority(w: World, s: Session, n: int) -> list[Row]:
    sched = w.schedules[n % len(w.schedules)]
    sched.priority = n % 4
    sched.name = f"排期{n % 3}"
    return [("content", {"kind": "schedule", "id": sched.id, "action": "updated"})]


def _schedule_targets(w: World, s: Session, n: int) -> list[Row]:
    sched = w.schedules[n % len(w.schedules)]
    choices = [
        ("include", "org", str(w.tree.province.id)),
        ("include", "org", str(w.tree.other_city.id)),
        ("include", "hall", str(w.halls[n % len(w.halls)].id)),
        ("include", "tag", "入口"),
        ("include", "group", str(w.group.id)),
        ("include", "screen", str(w.screens[n % len(w.screens)].id)),
    ]
    rules = [choices[n % len(choices)]]
    if n % 2:
        rules.append(("exclude", "hall", str(w.halls[(n // 2) % len(w.halls)].id)))
    sched.targets = [Target(mode=m, kind=k, ref=r) for m, k, r in rules]
    return [("content", {"kind": "schedule", "id": sched.id, "action": "updated"})]


def _schedule_enabled(w: World, s: Session, n: int) -> list[Row]:
    if len(w.schedules) < 2:
        return []
    sched = w.schedules[1 + n % (len(w.schedules) - 1)]
    sched.enabled = not sched.enabled
    return [("content", {"kind": "schedule", "id": sched.id, "action": "updated"})]


def _schedule_daypart(w: World, s: Session, n: int) -> list[Row]:
    if len(w.schedules) < 2:
        return []
    sched = w.schedules[1]
    sched.daypart_start, sched.daypart_end = time(n % 24), time((n + 3 + n % 5) % 24)
    sched.exdates = ["2026-11-24"] if n % 2 else []
    return [("content", {"kind": "schedule", "id": sched.id, "action": "updated"})]


def _schedule_playlists(w: World, s: Session, n: int) -> list[Row]:
    sched = w.schedules[n % len(w.schedules)]
    if not w.playlists:
        return []
    sched.region_playlists = {"main": w.playlists[n % len(w.playlists)].id, "ticker": w.playlists[-1].id}
    return [("content", {"kind": "schedule", "id": sched.id, "action": "updated"})]


def _schedule_created(w: World, s: Session, n: int, make: Factory) -> list[Row]:
    sched = make.schedule(
        w.layouts[n % 2],
        name=f"新排期{n}",
        layer="campaign" if n % 2 else "scheduled",
        priority=n % 3,
        playlists={"main": w.playlists[n % len(w.playlists)]},
        starts_at=START + timedelta(hours=n % 30) if n % 2 else None,
        ends_at=START + timedelta(hours=n % 30 + 6) if n % 2 else None,
        targets=[("include", "hall", w.halls[n % len(w.halls)].id)],
    )
    w.schedules.append(sched)
    return [("content", {"kind": "schedule", "id": sched.id, "action": "created"})]


def _schedule_deleted(w: World, s: Session, n: int) -> list[Row]:
    if len(w.schedules) <= 1:
        return []
    sched = w.schedules.pop(1 + n % (len(w.schedules) - 1))
    ident = sched.id
    s.delete(sched)
    return [("content", {"kind": "schedule", "id": ident, "action": "deleted"})]


def _emergency(w: World, s: Session, n: int, make: Factory) -> list[Row]:
    e = make.emergency(
        starts_at=START + timedelta(hours=n % 48),
        expires_at=START + timedelta(hours=n % 48 + 1 + n % 5),
        severity=["critical", "warning", "info"][n % 3],
        targets=[("include", "hall", w.halls[n % len(w.halls)].id)],
    )
    return [("content", {"kind": "emergency", "id": e.id, "action": "created"})]


def _emergency_ended(w: World, s: Session, n: int) -> list[Row]:
    rows = []
    for e in s.query(Emergency).filter(Emergency.ended_at.is_(None)).limit(1):
        e.ended_at = e.starts_at + timedelta(minutes=10 + n)
        rows.append(("content", {"kind": "emergency", "id": e.id, "action": "ended"}))
    return rows


def _playlist_entries(w: World, s: Session, n: int) -> list[Row]:
    playlist = w.playlists[n % len(w.playlists)]
    pool = [*w.vacancies, *w.items]
    if n % 3 == 0 and pool:
        playlist.entries.append(
            PlaylistEntry(position=len(playlist.entries), kind="item", item_id=pool[n % len(pool)].id)
        )
    elif n % 3 == 1:
        params = {"district": "城关区"} if n % 2 else {"occupation_prefix": "4-02", "order": "oldest"}
        playlist.entries.append(PlaylistEntry(position=len(playlist.entries), kind="vacancy_board", params=params))
    elif playlist.entries:
        playlist.entries.pop(0)
    return [("content", {"kind": "playlist", "id": playlist.id, "action": "updated"})]


def _playlist_deleted(w: World, s: Session, n: int) -> list[Row]:
    if len(w.playlists) <= 1:
        return []
    playlist = w.playlists.pop(n % len(w.playlists))
    ident = playlist.id
    s.delete(playlist)
    return [("content", {"kind": "playlist", "id": ident, "action": "deleted"})]


def _layout_region(w: World, s: Session, n: int) -> list[Row]:
    layout = w.layouts[n % 2]
    region = layout.regions[n % len(layout.regions)]
    region.playlist_id = w.playlists[n % len(w.playlists)].id if w.playlists and n % 2 else None
    region.w = 0.5 + (n % 5) / 10
    return [("content", {"kind": "layout", "id": layout.id, "action": "updated"})]


def _screen_moved(w: World, s: Session, n: int) -> list[Row]:
    screen = w.screens[n % len(w.screens)]
    screen.hall_id = w.halls[(n // 3) % len(w.halls)].id
    screen.set_tags(["入口"] if n % 2 else [])
    return [("content", {"kind": "screen", "id": screen.id, "action": "updated"})]


def _screen_created(w: World, s: Session, n: int, make: Factory) -> list[Row]:
    screen = make.screen(w.halls[n % len(w.halls)], name=f"新屏{n}", key=f"key-new-{n}-{len(w.screens)}")
    w.screens.append(screen)
    return [("content", {"kind": "screen", "id": screen.id, "action": "created"})]


def _screen_deleted(w: World, s: Session, n: int) -> list[Row]:
    if len(w.screens) <= 1:
        return []
    screen = w.screens.pop(n % len(w.screens))
    ident = screen.id
    s.delete(screen)
    return [("content", {"kind": "screen", "id": ident, "action": "deleted"})]


def _group_members(w: World, s: Session, n: int) -> list[Row]:
    w.group.screens = [sc for i, sc in enumerate(w.screens) if (i + n) % 3 == 0]
    return [("content", {"kind": "screen_group", "id": w.group.id, "action": "updated"})]


def _hall_timezone(w: World, s: Session, n: int) -> list[Row]:
    hall = w.halls[n % len(w.halls)]
    hall.timezone = "Asia/Urumqi" if hall.timezone == "Asia/Shanghai" else "Asia/Shanghai"
    return [("content", {"kind": "hall", "id": hall.id, "action": "updated"})]


def _employer_renamed(w: World, s: Session, n: int) -> list[Row]:
    if not w.vacancies:
        return []
    w.vacancies[n % len(w.vacancies)].employer.name = f"单位{n}"
    return [("content", {"kind": "employer", "id": w.vacancies[n % len(w.vacancies)].employer_id})]


def _fair_booths(w: World, vacancies: list[Vacancy], n: int) -> list[dict[str, Any]]:
    """Booths for some of ``vacancies`` (one per employer), numbered by ``n``."""
    booths: dict[int, dict[str, Any]] = {}
    for k, v in enumerate(vacancies):
        if (n + k) % 3 != 2:
            spec = booths.setdefault(v.employer_id, {"employer_id": v.employer_id, "booth": f"A{k}", "vacancy_ids": []})
            spec["vacancy_ids"].append(v.id)
    return list(booths.values())


def _fair_created(w: World, s: Session, n: int, make: Factory) -> list[Row]:
    """A fair (招聘会) offering some vacancies: their badges change, and fair boards may show it."""
    org = [w.tree.city, w.tree.street, w.tree.other_city, w.tree.province][n % 4]
    starts = START + timedelta(hours=n % 50)
    fair = save_fair(
        s,
        None,
        {
            "org_unit_id": org.id,
            "title": f"招聘会{n}",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3 + n % 30),
            "venue_name": "人力资源市场",
            "status": "published",
            "booths": _fair_booths(w, w.vacancies, n),
        },
    )
    s.flush()
    fair.created_at = START - timedelta(days=1)
    w.fairs.append(fair)
    if n % 2 and w.playlists:
        playlist = w.playlists[n % len(w.playlists)]
        playlist.entries.append(
            PlaylistEntry(position=len(playlist.entries), kind="fair_board", params={"page_size": 4})
        )
        return [
            ("content", {"kind": "fair", "id": fair.id, "action": "created"}),
            ("content", {"kind": "playlist", "id": playlist.id}),
        ]
    return [("content", {"kind": "fair", "id": fair.id, "action": "created"})]


def _fair_changed(w: World, s: Session, n: int) -> list[Row]:
    """A fair's booths, hours, status or window change, or it is deleted."""
    if not w.fairs:
        return []
    fair = w.fairs[n % len(w.fairs)]
    ident = fair.id
    if n % 5 == 0:
        w.fairs.remove(fair)
        s.delete(fair)
        return [("content", {"kind": "fair", "id": ident, "action": "deleted"})]
    if n % 5 == 1:
        save_fair(s, fair, {"booths": _fair_booths(w, w.vacancies[n % 3 :], n)})
    elif n % 5 == 2:
        fair.status = "draft" if fair.status == "published" else "published"
    elif n % 5 == 3:
        save_fair(s, fair, {"title": f"{fair.title}+", "ends_at": fair.starts_at + timedelta(hours=1 + n % 40)})
    else:
        fair.valid_from = START + timedelta(hours=n % 20)
    return [("content", {"kind": "fair", "id": ident, "action": "updated"})]


def _clock_only(w: World, s: Session, n: int) -> list[Row]:
    return [("transition", {"at": "later"})]


PLAIN: list[Callable[[World, Session, int], list[Row]]] = [
    _vacancy_title,
    _vacancy_moves,
    _vacancy_window,
    _vacancy_unpublished,
    _item_deleted,
    _schedule_priority,
    _schedule_targets,
    _schedule_enabled,
    _schedule_daypart,
    _schedule_playlists,
    _schedule_deleted,
    _emergency_ended,
    _playlist_entries,
    _playlist_deleted,
    _layout_region,
    _screen_moved,
    _screen_deleted,
    _group_members,
    _hall_timezone,
    _employer_renamed,
    _fair_changed,
    _clock_only,
]
MAKING: list[Callable[[World, Session, int, Factory], list[Row]]] = [
    _vacancy_created,
    _schedule_created,
    _emergency,
    _screen_created,
    _fair_created,
]
STEP = st.tuples(
    st.integers(min_value=0, max_value=len(PLAIN) + len(MAKING) - 1),
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=9 * 60),  # minutes the clock moves on before the change is applied
    st.booleans(),  # applied alone, or together with the next one
)


# 40 in the suite; KIOSK_PROPERTY_EXAMPLES=2000 for a long run (docs/benchmarks.md).
@settings(max_examples=int(os.environ.get("KIOSK_PROPERTY_EXAMPLES", "40")), deadline=None)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_applying_changes_gives_what_a_full_resolve_gives(steps: list[Any]) -> None:
    session = new_session()  # a fresh world per example: the steps edit it
    try:
        _run_steps(session, Factory(session), steps)
    finally:
        session.close()


def _run_steps(session: Session, make: Factory, steps: list[Any]) -> None:
    world = build_world(make)
    at = START
    live = LiveManifests.load(session, at)
    assert held(live) == full_resolve(session, at)
    pending: list[Row] = []
    for choice, n, minutes, batched in steps:
        if choice < len(PLAIN):
            pending += PLAIN[choice](world, session, n)
        else:
            pending += MAKING[choice - len(PLAIN)](world, session, n, make)
        session.flush()
        # Deletions cascade in the database (an item's playlist entries): reload what the session holds.
        session.expire_all()
        if batched:
            continue
        at += timedelta(minutes=minutes)
        apply(session, live, pending, at)
        pending = []
        assert held(live) == full_resolve(session, at)
    at += timedelta(minutes=1)
    apply(session, live, pending, at)
    assert held(live) == full_resolve(session, at)


@pytest.fixture
def world(make: Factory) -> World:
    return build_world(make)


def test_a_vacancy_window_in_one_city_resolves_only_the_groups_that_can_show_it(world: World, session: Session) -> None:
    live = LiveManifests.load(session, START)
    other_city_groups = {live.screen_groups[s.id] for s in world.screens if s.hall_id == world.halls[3].id}
    vacancy = world.vacancies[2]  # 天水市
    vacancy.valid_until = START + timedelta(hours=30)  # its window: segments may change
    changed = apply(session, live, [("content", {"kind": "vacancy", "id": vacancy.id})], START + timedelta(minutes=1))
    assert changed <= other_city_groups
    assert live.resolved == len(other_city_groups) < len(live.manifests)
    assert held(live) == full_resolve(session, START + timedelta(minutes=1))


def test_a_retitled_vacancy_is_patched_into_the_manifests_that_show_it_without_resolving(
    world: World, session: Session
) -> None:
    live = LiveManifests.load(session, START)
    vacancy = world.vacancies[3]  # the province's: on every board
    showing = {key for key, m in live.manifests.items() if f"vacancy:{vacancy.id}" in m.body["items"]}
    assert showing
    vacancy.title = "叉车司机"
    changed = apply(session, live, [("content", {"kind": "vacancy", "id": vacancy.id})], START + timedelta(minutes=1))
    assert changed == showing
    assert live.resolved == 0
    assert held(live) == full_resolve(session, START + timedelta(minutes=1))


def test_a_reworded_ticker_in_a_playlist_is_patched_not_resolved_through_its_playlist(
    world: World, session: Session
) -> None:
    live = LiveManifests.load(session, START)
    ticker = world.items[1]  # in the 上午专场 playlist, which plays now in the city's halls
    showing = {key for key, m in live.manifests.items() if f"ticker:{ticker.id}" in m.body["items"]}
    assert showing
    ticker.title = "本中心周六上午照常办公"
    changed = apply(session, live, [("content", {"kind": "ticker", "id": ticker.id})], START + timedelta(minutes=1))
    assert changed == showing
    assert live.resolved == 0, "the playlist holding it came back as it was: no group is resolved again"
    assert held(live) == full_resolve(session, START + timedelta(minutes=1))


def test_patches_in_a_row_each_write_the_entries_they_change_into_the_text_kept(world: World, session: Session) -> None:
    # The second patch of a group starts from the texts the first one wrote: every entry it changes
    # must be written again (its version is a hash of that text).
    live = LiveManifests.load(session, START)
    ticker, vacancy = world.items[1], world.vacancies[3]
    at = START + timedelta(minutes=1)
    for n, (item, kind) in enumerate(
        [(ticker, "ticker"), (vacancy, "vacancy"), (ticker, "ticker"), (vacancy, "vacancy")]
    ):
        item.title = f"第{n}次修改"
        apply(session, live, [("content", {"kind": kind, "id": item.id})], at)
        assert live.resolved == 0
        assert held(live) == full_resolve(session, at), f"after patch {n}"


def test_a_schedule_resolves_only_the_groups_it_targeted_or_targets(world: World, session: Session) -> None:
    live = LiveManifests.load(session, START)
    campaign = world.schedules[2]  # the group's screens only
    campaign.priority = 5
    members = {live.screen_groups[s.id] for s in world.group.screens}
    apply(session, live, [("content", {"kind": "schedule", "id": campaign.id})], START)
    assert live.resolved == len(members) < len(live.manifests)


def test_nothing_changed_resolves_nothing_until_a_group_reaches_its_next_change(world: World, session: Session) -> None:
    live = LiveManifests.load(session, START)
    assert live.advance(START + timedelta(seconds=1)) == set()
    assert live.resolved == 0
    until = live.valid_until
    assert until is not None
    changed = live.advance(until)
    assert changed and 0 < live.resolved <= len(live.manifests)
    assert held(live) == full_resolve(session, until)


def test_a_change_rules_cannot_place_reloads_everything(world: World, session: Session) -> None:
    assert Changes.of([("content", {"kind": "org_unit", "id": 3})]).everything
    assert Changes.of([("content", {"kind": "vacancy", "action": "import", "count": 40})]).everything
    assert Changes.of([("content", {"kind": "vacancy", "id": True})]).everything
    assert Changes.of([("screens", {"kind": "vacancy", "id": 1})]).everything
    assert Changes.of([("transition", {})] * 3) == Changes()
    many = [("content", {"kind": "vacancy", "id": n}) for n in range(MAX_NAMED_CHANGES + 1)]
    assert Changes.of(many).everything
    named = Changes.of([("content", {"kind": "policy_notice", "id": 4}), ("content", {"kind": "screen", "id": 2})])
    assert named.items == {4} and named.screens == {2} and named.regroups
