"""The worlds of the fan-out benchmark: N screens in 200 hall groups, with small or province-sized manifests.

Both worlds have 200 halls (the resolver benchmark's province: every street and community has one),
so N screens are N / 200 per hall and form 200 manifest groups, and one ticker text shown on every
screen: changing it changes every group's manifest.

- ``small``: one province-wide default schedule (a 15-vacancy board, a notice, the ticker): about
  6-7 KB of manifest JSON, the size the measurements in issue 18 used.
- ``province``: ``bench_resolver.build`` (231 schedules, 3,530 items, emergencies, campaigns),
  about 132 KiB per manifest. Its fixed instants are shifted so the world's "now" is the real now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import bench_resolver
from content import outbox
from content.library.items import Employer, PolicyNotice, Ticker, Vacancy
from content.org.screens import Screen
from content.org.tree import Hall, add_org_unit
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout, LayoutRegion
from content.signage.playlists import Playlist, PlaylistEntry
from content.signage.schedules import Schedule
from content.signage.targeting import Target

HALLS = 200
WORLDS = ("small", "province")


@dataclass(frozen=True)
class Built:
    keys: list[str]  # every screen's key, in id order
    ticker_id: int  # the ticker every manifest shows: the benchmark changes its text


def build(session: Session, world: str, screens: int, now: datetime) -> Built:
    """Write ``world`` with ``screens`` screens (a multiple of 200) into ``session`` and commit."""
    if screens % HALLS:
        raise ValueError(f"--screens must be a multiple of {HALLS} (one group per hall), not {screens}")
    per_hall = screens // HALLS
    if world == "province":
        bench_resolver.build(session, per_hall, random.Random(20261122))
        _shift_to(session, now - bench_resolver.AT)
        ticker = session.scalars(select(Ticker).order_by(Ticker.id)).first()
    else:
        ticker = _build_small(session, per_hall)
    assert ticker is not None
    outbox.add_event(session, "content", kind="world", action="created")
    session.commit()
    keys = list(session.scalars(select(Screen.key).order_by(Screen.id)))
    return Built(keys=keys, ticker_id=ticker.id)


def _shift_to(session: Session, offset: timedelta) -> None:
    """Move the resolver world's absolute instants by ``offset`` (its dayparts are local times and stay)."""
    for vacancy in session.scalars(select(Vacancy)):
        if vacancy.valid_until is not None:
            vacancy.valid_until += offset
    for schedule in session.scalars(select(Schedule)):
        if schedule.starts_at is not None and schedule.ends_at is not None:
            schedule.starts_at += offset
            schedule.ends_at += offset
    for emergency in session.scalars(select(Emergency)):
        emergency.starts_at += offset
        emergency.expires_at += offset
        if emergency.ended_at is not None:
            emergency.ended_at += offset


def _build_small(session: Session, per_hall: int) -> Ticker:
    """The same 200-hall tree as the province, with one small default schedule for all of it."""
    province = add_org_unit(session, name="甘肃省", level="province")
    cities = [add_org_unit(session, name=f"市{c}", level="city", parent=province) for c in range(5)]
    counties = [
        add_org_unit(session, name=f"区{c}-{k}", level="county", parent=cities[c]) for c in range(5) for k in range(4)
    ]
    streets = [add_org_unit(session, name=f"街道{s}", level="street", parent=counties[s // 5]) for s in range(100)]
    communities = [add_org_unit(session, name=f"社区{s}", level="community", parent=streets[s]) for s in range(100)]
    halls = [Hall(org_unit_id=node.id, name=f"{node.name}服务大厅") for node in streets + communities]
    session.add_all(halls)
    session.flush()
    session.add_all(
        Screen(hall_id=hall.id, name=f"屏{h}-{n}", key=f"s{h}-{n}")
        for h, hall in enumerate(halls)
        for n in range(per_hall)
    )
    employer = Employer(name="兰州新区物流有限公司", industry="交通运输、仓储和邮政业")
    session.add(employer)
    session.flush()
    for n in range(15):
        session.add(
            Vacancy(
                org_unit_id=province.id,
                title=f"仓储管理员{n + 1}",
                employer_id=employer.id,
                occupation_code="4-02-06-03",
                headcount=2 + n % 5,
                salary_min=4000,
                salary_max=6000,
                education="高中/中专",
                district="城关区",
                requirements="吃苦耐劳，能适应倒班",
                contact="0931-8123456",
            )
        )
    notice = PolicyNotice(
        org_unit_id=province.id,
        title="失业保险金申领指南",
        topic="失业保险",
        body_html="<h2>申领条件</h2><p>非因本人意愿中断就业，已办理失业登记并有求职要求。</p>",
        issuing_office="甘肃省人力资源和社会保障厅",
    )
    ticker = Ticker(org_unit_id=province.id, title="本中心工作时间：周一至周五 9:00-17:00")
    session.add_all([notice, ticker])
    session.flush()
    board = Playlist(org_unit_id=province.id, name="岗位与政策")
    board.entries = [
        PlaylistEntry(position=0, kind="vacancy_board", duration_seconds=10, params={"page_size": 8}),
        PlaylistEntry(position=1, kind="notice_feed", duration_seconds=15, params={}),
    ]
    scroll = Playlist(org_unit_id=province.id, name="滚动字幕")
    scroll.entries = [PlaylistEntry(position=0, kind="item", item_id=ticker.id, duration_seconds=30)]
    session.add_all([board, scroll])
    session.flush()
    layout = Layout(org_unit_id=province.id, name="大厅横屏")
    layout.regions = [
        LayoutRegion(name="main", widget="playlist", x=0, y=0, w=1, h=0.9, playlist_id=board.id),
        LayoutRegion(name="ticker", widget="ticker", x=0, y=0.9, w=1, h=0.1, playlist_id=scroll.id),
    ]
    session.add(layout)
    session.flush()
    default = Schedule(
        org_unit_id=province.id, name="全省默认", layer="default", layout_id=layout.id, region_playlists={}
    )
    default.targets = [Target(mode="include", kind="org", ref=str(province.id))]
    session.add(default)
    return ticker
