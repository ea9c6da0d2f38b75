"""The demo's training courses: realistic Gansu courses, subsidies per group, and a wall that shows them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from content.db import Base
from content.demo.seed import seed_demo
from content.demo.training import COURSES
from content.library.training.courses import SubsidyGroup, TrainingCourse
from content.signage.manifest import Resolver
from content.signage.playlists import Playlist

TODAY = date(2026, 11, 22)
NOON = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def test_demo_courses_are_seeded_and_on_the_main_wall() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        summary = seed_demo(session, today=TODAY)
        session.commit()
        courses = list(session.scalars(select(TrainingCourse).order_by(TrainingCourse.id)))
        assert [c.title for c in courses] == [c.title for c in COURSES]
        assert {"养老护理员（初级）", "中式面点师", "电工（低压）特种作业", "叉车司机", "挖掘机操作"} <= {
            c.title for c in courses
        }
        assert all(0 <= c.places_left <= c.places_total and c.starts_on <= c.ends_on for c in courses)
        assert {g for c in courses for g in c.subsidy_groups} >= {g.value for g in list(SubsidyGroup)[:5]}
        assert any(c.places_left == 0 for c in courses) and any(c.fee_yuan > 0 for c in courses)
        board = session.scalar(select(Playlist).where(Playlist.name == "岗位信息滚动"))
        assert board is not None and "training_board" in [e.kind for e in board.entries]

        resolver = Resolver.load(session, since=NOON - timedelta(days=3))
        manifests, groups = resolver.resolve_groups(resolver.contexts(session), NOON)
        wall = next(s for s in summary.screens if s.key in summary.wall_screen_keys and "城关" in s.hall)
        body = manifests[groups[wall.id]].body
        entries = [e for seg in body["segments"] for es in seg["regions"].values() for e in es]
        training = [e for e in entries if e["kind"] == "training_board"]
        assert training, "the demo's main wall plays the training board"
        shown = [body["items"][k]["title"] for k in training[0]["items"]]
        assert "养老护理员（初级）" in shown
