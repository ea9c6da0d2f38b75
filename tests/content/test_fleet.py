"""The fleet query: states from beats and versions, filters, scope, facet counts, paging and sorting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import ReaderStatus
from content.errors import ValidationError
from content.org.screens import Screen, ScreenStatus
from content.org.tree import Hall
from content.signage.fleet import ExpectedVersions, FleetFilter, FleetPage, FleetState, fleet_page, offline_after_for

DATABASES = ("sqlite", "postgres")

NOW = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
OFFLINE_AFTER = timedelta(minutes=2)
CURRENT = "v-current"
OLD = "v-old"


@dataclass(frozen=True)
class Beat:
    at: datetime
    version: str | None
    connected: bool = True


@dataclass
class Fleet:
    """Three halls: 城关区 (county), 七里河区 (its sibling county), 天水市 (another city)."""

    chengguan: Hall
    qilihe: Hall
    tianshui: Hall
    screens: dict[str, Screen]

    def ids(self, *names: str) -> list[int]:
        return [self.screens[n].id for n in names]


def heard(
    session: Session, screen: Screen, ago: timedelta | None, version: str | None = CURRENT, *, connected: bool = True
) -> None:
    session.add(
        ScreenStatus(
            screen_id=screen.id,
            last_seen_at=None if ago is None else NOW - ago,
            manifest_version=version,
            connected=connected,
        )
    )
    session.flush()


def page(
    session: Session,
    filt: FleetFilter | None = None,
    *,
    expected: ExpectedVersions | None = None,
    live: Mapping[int, Beat] | None = None,
    scope_path: str | None = None,
    scope_hall_id: int | None = None,
) -> FleetPage:
    return fleet_page(
        session,
        filt or FleetFilter(),
        now=NOW,
        offline_after=OFFLINE_AFTER,
        expected_versions=expected if expected is not None else (lambda _id: CURRENT),
        live=live,
        scope_path=scope_path,
        scope_hall_id=scope_hall_id,
    )


def names(result: FleetPage) -> list[str]:
    return [row.name for row in result.rows]


def states(result: FleetPage) -> dict[str, FleetState]:
    return {row.name: row.state for row in result.rows}


@pytest.fixture
def fleet(make: Factory, session: Session) -> Fleet:
    tree = make.org_tree()
    chengguan = make.hall(tree.county, name="城关区人力资源市场")
    qilihe = make.hall(tree.sibling_county, name="七里河区社保服务中心")
    tianshui = make.hall(tree.other_city, name="天水市人力资源市场")
    s = {
        "城关主屏": make.screen(chengguan, name="城关主屏", kind="wall"),
        "城关LED": make.screen(chengguan, name="城关LED", kind="wall", panel="led"),
        "城关自助1": make.screen(chengguan, name="城关自助1", kind="kiosk"),
        "七里河主屏": make.screen(qilihe, name="七里河主屏", kind="wall"),
        "七里河窗口": make.screen(qilihe, name="七里河窗口", kind="counter"),
        "天水主屏": make.screen(tianshui, name="天水主屏", kind="wall"),
    }
    heard(session, s["城关主屏"], timedelta(seconds=10))  # current
    heard(session, s["城关LED"], timedelta(seconds=20), OLD)  # behind
    heard(session, s["城关自助1"], timedelta(minutes=30))  # offline: silent too long
    heard(session, s["七里河主屏"], timedelta(seconds=5), connected=False)  # offline: disconnected
    # 七里河窗口: never seen
    heard(session, s["天水主屏"], timedelta(seconds=30))  # current
    return Fleet(chengguan, qilihe, tianshui, s)


def test_each_screen_gets_its_state_from_beat_age_connection_and_version(session: Session, fleet: Fleet) -> None:
    result = page(session)
    assert states(result) == {
        "城关主屏": FleetState.CURRENT,
        "城关LED": FleetState.BEHIND,
        "城关自助1": FleetState.OFFLINE,
        "七里河主屏": FleetState.OFFLINE,
        "七里河窗口": FleetState.NEVER,
        "天水主屏": FleetState.CURRENT,
    }
    row = next(r for r in result.rows if r.name == "城关LED")
    assert (row.shown_version, row.expected_version, row.state.colour) == (OLD, CURRENT, "amber")
    assert row.last_seen_at == NOW - timedelta(seconds=20)
    assert (row.hall_name, row.org_unit_name) == ("城关区人力资源市场", "城关区")


def test_silence_of_exactly_offline_after_is_still_online_and_a_moment_longer_is_not(
    session: Session, make: Factory
) -> None:
    edge, past = make.screen(name="刚好"), make.screen(name="超时")
    heard(session, edge, OFFLINE_AFTER)
    heard(session, past, OFFLINE_AFTER + timedelta(microseconds=1))
    assert states(page(session)) == {"刚好": FleetState.CURRENT, "超时": FleetState.OFFLINE}


def test_online_without_a_reported_version_or_an_unknown_group_is_behind(session: Session, make: Factory) -> None:
    silent, unknown = make.screen(name="未报版本"), make.screen(name="新屏")
    heard(session, silent, timedelta(seconds=1), None)
    heard(session, unknown, timedelta(seconds=1), CURRENT)
    result = page(session, expected={silent.id: CURRENT})
    assert states(result) == {"未报版本": FleetState.BEHIND, "新屏": FleetState.BEHIND}


def test_expected_versions_may_be_a_mapping_or_a_function(session: Session, fleet: Fleet) -> None:
    mapping = {screen.id: CURRENT for screen in fleet.screens.values()} | {fleet.screens["天水主屏"].id: OLD}
    by_map = page(session, expected=mapping)
    by_call = page(session, expected=mapping.get)
    assert states(by_map) == states(by_call)
    assert states(by_map)["天水主屏"] is FleetState.BEHIND


def test_org_filter_takes_the_whole_subtree(session: Session, make: Factory, fleet: Fleet) -> None:
    tree = make.org_tree()
    city = page(session, FleetFilter(org_unit_id=tree.city.id))
    assert sorted(names(city)) == sorted(["城关主屏", "城关LED", "城关自助1", "七里河主屏", "七里河窗口"])
    county = page(session, FleetFilter(org_unit_id=tree.county.id))
    assert sorted(names(county)) == sorted(["城关主屏", "城关LED", "城关自助1"])
    assert page(session, FleetFilter(org_unit_id=tree.street.id)).total == 0
    assert page(session, FleetFilter(org_unit_id=999_999)).total == 0


def test_hall_kind_and_search_filters_combine(session: Session, fleet: Fleet) -> None:
    assert sorted(names(page(session, FleetFilter(hall_id=fleet.qilihe.id)))) == ["七里河主屏", "七里河窗口"]
    assert sorted(names(page(session, FleetFilter(kind="wall")))) == sorted(
        ["城关主屏", "城关LED", "七里河主屏", "天水主屏"]
    )
    assert names(page(session, FleetFilter(kind="wall", hall_id=fleet.qilihe.id))) == ["七里河主屏"]
    # by the hall's name, by the screen's name, ASCII case-insensitively on both databases
    assert sorted(names(page(session, FleetFilter(search="天水")))) == ["天水主屏"]
    assert names(page(session, FleetFilter(search="led"))) == ["城关LED"]
    assert sorted(names(page(session, FleetFilter(search="社保")))) == ["七里河主屏", "七里河窗口"]


def test_search_text_is_matched_literally_not_as_a_like_pattern(session: Session, fleet: Fleet) -> None:
    assert page(session, FleetFilter(search="%")).total == 0
    assert page(session, FleetFilter(search="城关_屏")).total == 0
    assert page(session, FleetFilter(search="  ")).total == 6, "blank search means no search"


def test_status_filter_picks_states_and_online_means_current_or_behind(session: Session, fleet: Fleet) -> None:
    assert sorted(names(page(session, FleetFilter(status="online")))) == sorted(["城关主屏", "城关LED", "天水主屏"])
    assert sorted(names(page(session, FleetFilter(status="current")))) == sorted(["城关主屏", "天水主屏"])
    assert names(page(session, FleetFilter(status="behind"))) == ["城关LED"]
    assert sorted(names(page(session, FleetFilter(status="offline")))) == sorted(["城关自助1", "七里河主屏"])
    assert names(page(session, FleetFilter(status="never"))) == ["七里河窗口"]


def test_summary_counts_the_whole_filtered_set_not_the_page(session: Session, make: Factory, fleet: Fleet) -> None:
    result = page(session, FleetFilter(org_unit_id=make.org_tree().city.id, page_size=1))
    assert len(result.rows) == 1 and result.total == 5 and result.pages == 5
    assert result.summary.by_state == {
        FleetState.CURRENT: 1,
        FleetState.BEHIND: 1,
        FleetState.OFFLINE: 2,
        FleetState.NEVER: 1,
    }
    assert result.summary.online == 2
    assert result.summary.by_kind == {"wall": 3, "kiosk": 1, "counter": 1, "evaluator": 0}


def test_summary_facets_ignore_their_own_filter_only(session: Session, fleet: Fleet) -> None:
    result = page(session, FleetFilter(kind="wall", status="offline"))
    assert names(result) == ["七里河主屏"] and result.total == 1
    # states of the walls (status filter ignored), kinds of the offline screens (kind filter ignored)
    assert result.summary.by_state == {
        FleetState.CURRENT: 2,
        FleetState.BEHIND: 1,
        FleetState.OFFLINE: 1,
        FleetState.NEVER: 0,
    }
    assert result.summary.by_kind == {"wall": 1, "kiosk": 1, "counter": 0, "evaluator": 0}


def test_paging_empty_last_and_beyond_the_end(session: Session, fleet: Fleet) -> None:
    empty = page(session, FleetFilter(search="没有这个屏", page=3))
    assert (empty.rows, empty.total, empty.page, empty.pages) == ([], 0, 1, 1)
    everything = names(page(session, FleetFilter(page_size=200)))
    first, last = page(session, FleetFilter(page_size=4)), page(session, FleetFilter(page_size=4, page=2))
    assert (first.pages, last.page) == (2, 2)
    assert names(first) + names(last) == everything and len(names(last)) == 2
    beyond = page(session, FleetFilter(page_size=4, page=99))
    assert beyond.page == 2 and names(beyond) == names(last)


def test_default_order_puts_offline_then_behind_then_never_then_current_by_hall_and_name(
    session: Session, fleet: Fleet
) -> None:
    assert names(page(session)) == ["七里河主屏", "城关自助1", "城关LED", "七里河窗口", "城关主屏", "天水主屏"]


def test_sort_by_last_seen_both_ways(session: Session, fleet: Fleet) -> None:
    assert names(page(session, FleetFilter(sort="stalest"))) == [
        "七里河窗口",
        "城关自助1",
        "天水主屏",
        "城关LED",
        "城关主屏",
        "七里河主屏",
    ]
    assert names(page(session, FleetFilter(sort="recent"))) == [
        "七里河主屏",
        "城关主屏",
        "城关LED",
        "天水主屏",
        "城关自助1",
        "七里河窗口",
    ]


def test_scope_hides_screens_outside_the_subtree_even_when_asked_by_hall_or_node(
    session: Session, make: Factory, fleet: Fleet
) -> None:
    tree = make.org_tree()
    scope = tree.city.path
    scoped = page(session, scope_path=scope)
    assert "天水主屏" not in names(scoped) and scoped.total == 5
    assert sum(scoped.summary.by_state.values()) == 5 and scoped.summary.by_kind["wall"] == 3
    assert page(session, FleetFilter(hall_id=fleet.tianshui.id), scope_path=scope).total == 0
    assert page(session, FleetFilter(org_unit_id=tree.other_city.id), scope_path=scope).total == 0
    assert page(session, FleetFilter(org_unit_id=tree.province.id), scope_path=scope).total == 5
    assert page(session, FleetFilter(search="天水"), scope_path=scope).total == 0


def test_a_hall_bound_scope_sees_its_hall_only(session: Session, make: Factory, fleet: Fleet) -> None:
    tree = make.org_tree()
    scoped = page(
        session, FleetFilter(org_unit_id=tree.city.id), scope_path=tree.county.path, scope_hall_id=fleet.chengguan.id
    )
    assert sorted(names(scoped)) == sorted(["城关主屏", "城关LED", "城关自助1"])
    assert sum(scoped.summary.by_state.values()) == 3
    assert page(session, FleetFilter(hall_id=fleet.qilihe.id), scope_hall_id=fleet.chengguan.id).total == 0


@pytest.mark.parametrize("scope_path", ["/nowhere/", "/%/", "/_/"])
def test_a_scope_path_naming_no_node_matches_nothing(session: Session, fleet: Fleet, scope_path: str) -> None:
    result = page(session, scope_path=scope_path)
    assert (result.total, sum(result.summary.by_state.values())) == (0, 0)


def test_a_newer_live_beat_overrides_the_flushed_row_and_an_older_one_does_not(session: Session, fleet: Fleet) -> None:
    kiosk, wall = fleet.screens["城关自助1"], fleet.screens["城关主屏"]
    live = {
        kiosk.id: Beat(NOW - timedelta(seconds=3), CURRENT),  # the row says 30 min ago
        wall.id: Beat(NOW - timedelta(minutes=10), OLD, connected=False),
    }  # the row (10 s ago) is newer
    result = page(session, live=live)
    by_name = {row.name: row for row in result.rows}
    assert by_name["城关自助1"].state is FleetState.CURRENT
    assert by_name["城关自助1"].last_seen_at == NOW - timedelta(seconds=3)
    assert by_name["城关主屏"].state is FleetState.CURRENT
    assert by_name["城关主屏"].last_seen_at == NOW - timedelta(seconds=10)


def test_a_live_beat_counts_for_a_screen_the_database_never_saw(session: Session, fleet: Fleet) -> None:
    counter = fleet.screens["七里河窗口"]
    result = page(session, FleetFilter(status="never"), live={counter.id: Beat(NOW, OLD)})
    assert result.total == 0
    assert result.summary.by_state[FleetState.BEHIND] == 2


def test_kiosks_carry_their_reader_summary_and_other_screens_none(
    session: Session, make: Factory, fleet: Fleet
) -> None:
    kiosk = fleet.screens["城关自助1"]
    bare = make.screen(fleet.chengguan, name="城关自助2", kind="kiosk")
    session.add_all(
        [
            ReaderStatus(
                screen_id=kiosk.id,
                reader_id="idcard",
                kind="idcard_serial",
                state="attached",
                message="",
                changed_at=NOW,
            ),
            ReaderStatus(
                screen_id=kiosk.id,
                reader_id="ssc",
                kind="ssc_pcsc",
                state="fault",
                message="卡片无应答",
                changed_at=NOW,
            ),
        ]
    )
    session.flush()
    rows = {row.name: row for row in page(session, FleetFilter(page_size=200)).rows}
    summary = rows["城关自助1"].readers
    assert summary is not None
    assert summary.worst == "fault" and summary.counts == {"attached": 1, "fault": 1}
    assert [r.message for r in summary.readers] == ["", "卡片无应答"]
    assert not summary.all_attached
    assert rows["城关自助2"].readers is not None and rows["城关自助2"].readers.worst is None
    assert rows["城关主屏"].readers is None and bare.id in {r.screen_id for r in rows.values()}


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "tv"), ("status", "green"), ("sort", "size"), ("page", 0), ("page_size", 201), ("page_size", 0)],
)
def test_a_bad_filter_names_its_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as err:
        FleetFilter(**{field: value})  # type: ignore[arg-type]
    assert field in err.value.errors


def test_offline_after_is_two_and_a_half_beats_but_never_shorter_than_a_beat_and_a_flush() -> None:
    assert offline_after_for(45, 15) == timedelta(seconds=112.5)
    assert offline_after_for(5, 15) == timedelta(seconds=21)
