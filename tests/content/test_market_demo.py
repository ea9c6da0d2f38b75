"""The demo's 供求分析: tallies counted from its registrations, figures for its counties, a board on its main wall."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from content.citizens.demo_job_seekers import DemoJobSeeker
from content.db import Base
from content.demo.seed import seed_demo
from content.library.market.figures import stored_figures
from content.library.market.seeker_tallies import SeekerTally
from content.org.tree import OrgUnit
from content.signage.manifest import Resolver

TODAY = date(2026, 11, 22)
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def test_demo_tallies_count_every_registration_and_the_main_wall_shows_the_board() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        summary = seed_demo(session, today=TODAY, records_key=b"k" * 32)
        session.commit()
        registered = session.scalar(select(func.count()).select_from(DemoJobSeeker)) or 0
        counted = session.scalar(select(func.sum(SeekerTally.seekers))) or 0
        assert registered > 0 and counted == registered  # every demo office is an org unit of the demo
        quarters = set(session.scalars(select(SeekerTally.quarter)))
        assert {"2026Q3", "2026Q4"} <= quarters
        city = session.scalars(select(OrgUnit).where(OrgUnit.name == "兰州市")).one()
        latest = [f for f in stored_figures(session, [city.id]) if f.quarter == "2026Q4"]
        assert sum(f.demand for f in latest) > 0 and sum(f.seekers for f in latest) > 0

        resolver = Resolver.load(session, since=NOON - timedelta(days=3))
        manifests, groups = resolver.resolve_groups(resolver.contexts(session), NOON)
        wall = next(s for s in summary.screens if s.key in summary.wall_screen_keys and "城关" in s.hall)
        body = manifests[groups[wall.id]].body
        entries = [e for seg in body["segments"] for es in seg["regions"].values() for e in es]
        market = [e for e in entries if e["kind"] == "market_board"]
        assert market, "the demo's main wall plays the market board"
        assert market[0]["area"] == {"name": "兰州市", "level": "city"}
        assert market[0]["quarters"][-1] == "2026Q4" and len(market[0]["quarters"]) == 4
