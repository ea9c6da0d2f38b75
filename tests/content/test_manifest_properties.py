"""Properties of resolve: deterministic, versions track bodies exactly, stable inside a segment."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from content_factories import Factory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from content.org.screens import Screen
from content.signage.manifest import Resolver, resolve, version_of
from content.signage.schedules import Schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The world fixture is built once per test; examples only read it (or set every field they vary).
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
INSTANTS = st.datetimes(min_value=datetime(2026, 11, 20), max_value=datetime(2026, 11, 27), timezones=st.just(UTC))


World = tuple[Screen, Schedule, Schedule]


@pytest.fixture
def world(make: Factory) -> World:
    """Built once per test: hypothesis runs every example inside one function-scoped fixture."""
    return build_world(make)


def build_world(make: Factory) -> World:
    """A street hall with a default board, a weekday morning daypart, a campaign and an emergency."""
    tree = make.org_tree()
    screen = make.screen(make.hall(tree.street))
    for n in range(4):
        make.vacancy(
            tree.city,
            title=f"岗位{n}",
            created_at=datetime(2026, 1, 1 + n, tzinfo=UTC),
            valid_until=datetime(2026, 11, 23 + n, 7, tzinfo=UTC),
        )
    notice = make.notice(tree.province)
    board = make.playlist([{"kind": "vacancy_board", "duration_seconds": 12}, {"kind": "notice_feed"}])
    spot = make.playlist([{"kind": "item", "item": notice, "duration_seconds": 20}])
    layout = make.layout()
    make.schedule(layout, layer="default", playlists={"main": board})
    morning = make.schedule(
        layout,
        name="上午专场",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        exdates=["2026-11-25"],
        daypart_start=time(9),
        daypart_end=time(12),
        playlists={"main": spot},
    )
    campaign = make.schedule(
        layout,
        name="招聘月",
        layer="campaign",
        playlists={"main": board},
        starts_at=datetime(2026, 11, 24, 6, tzinfo=UTC),
        ends_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
    )
    make.emergency(starts_at=datetime(2026, 11, 23, 2, tzinfo=UTC), expires_at=datetime(2026, 11, 23, 3, tzinfo=UTC))
    make.session.commit()
    return screen, morning, campaign


@PROPERTY_SETTINGS
@given(at=INSTANTS)
def test_resolve_is_deterministic(world: World, session: Session, at: datetime) -> None:
    screen = world[0]
    first = resolve(session, screen, at)
    ctx = Resolver.contexts(session)[0]
    second = Resolver.load(session).resolve(ctx, at)  # another load, loading everything
    assert first == second
    assert first.version == version_of(second.body)


@PROPERTY_SETTINGS
@given(at=INSTANTS, fraction=st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
def test_two_instants_in_one_segment_and_day_share_a_version(
    world: World, session: Session, at: datetime, fraction: float
) -> None:
    resolver = Resolver.load(session)
    ctx = Resolver.contexts(session)[0]
    manifest = resolver.resolve(ctx, at)
    segment = manifest.body["segments"][0]
    start = datetime.fromisoformat(segment["start"])
    midnight = datetime.combine(at.astimezone(SHANGHAI).date() + timedelta(days=1), time(), tzinfo=SHANGHAI)
    end = min(datetime.fromisoformat(segment["end"]), midnight)
    assert start <= at < end
    micros = (end - start) // timedelta(microseconds=1)
    other = start + timedelta(microseconds=min(micros - 1, int(micros * fraction)))
    assert start <= other < end
    again = resolver.resolve(ctx, other)
    assert again.version == manifest.version and again.body == manifest.body
    change = resolver.next_change(ctx, at)
    assert change == end
    assert resolver.resolve(ctx, end).version != manifest.version


TITLES = st.sampled_from(["上午专场", "上午岗位专场"])
PRIORITIES = st.sampled_from([0, 0, 3])


@PROPERTY_SETTINGS
@given(a=st.tuples(TITLES, PRIORITIES, PRIORITIES), b=st.tuples(TITLES, PRIORITIES, PRIORITIES), at=INSTANTS)
def test_version_changes_exactly_when_the_body_changes(
    world: World, session: Session, a: tuple[str, int, int], b: tuple[str, int, int], at: datetime
) -> None:
    screen, morning, campaign = world

    def resolved(variant: tuple[str, int, int]) -> tuple[str, dict[str, Any]]:
        morning.name, morning.priority, campaign.priority = variant
        session.commit()
        manifest = resolve(session, screen, at)
        return manifest.version, manifest.body

    version_a, body_a = resolved(a)
    version_b, body_b = resolved(b)
    assert (version_a == version_b) == (body_a == body_b)
    if a == b:
        assert version_a == version_b
    shows_morning = any(s["source"] and s["source"]["id"] == morning.id for s in body_a["segments"])
    if shows_morning and a[:2] != b[:2]:
        assert version_a != version_b  # the morning schedule's name and priority are in its segments' source
