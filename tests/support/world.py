"""A small, complete world written straight into a database: org tree, hall, screens, content, schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from content import outbox
from content.library.items import Employer, PolicyNotice, Ticker, Vacancy
from content.org.screens import Screen
from content.org.tree import Hall, add_org_unit
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout, LayoutRegion
from content.signage.playlists import Playlist, PlaylistEntry
from content.signage.schedules import Schedule
from content.signage.targeting import Target


@dataclass
class World:
    province_id: int
    city_id: int
    county_id: int
    hall_id: int
    other_hall_id: int
    wall_keys: list[str] = field(default_factory=list)
    other_wall_key: str = ""
    led_key: str = ""
    employer_id: int = 0
    layout_id: int = 0


def build_world(session: Session, *, vacancies: int = 12) -> World:
    """Province → city → county, two halls, three walls (one LED), a vacancy board + notices + ticker."""
    province = add_org_unit(session, name="甘肃省", level="province", division_code="620000")
    city = add_org_unit(session, name="兰州市", level="city", parent=province, division_code="620100")
    county = add_org_unit(session, name="城关区", level="county", parent=city, division_code="620102")
    other_city = add_org_unit(session, name="天水市", level="city", parent=province, division_code="620500")
    hall = Hall(org_unit_id=county.id, name="城关区公共就业服务中心", timezone="Asia/Shanghai")
    other = Hall(org_unit_id=other_city.id, name="天水市人力资源市场", timezone="Asia/Shanghai")
    session.add_all([hall, other])
    session.flush()
    walls = [Screen(hall_id=hall.id, name=f"大厅{n}号屏", kind="wall") for n in (1, 2)]
    led = Screen(hall_id=hall.id, name="门口LED屏", kind="wall", panel="led", width_px=768, height_px=384)
    other_wall = Screen(hall_id=other.id, name="天水大厅屏", kind="wall")
    session.add_all([*walls, led, other_wall])
    employer = Employer(name="兰州新区物流有限公司", industry="交通运输、仓储和邮政业")
    session.add(employer)
    session.flush()
    in_a_month = datetime.now(UTC) + timedelta(days=30)
    for n in range(vacancies):
        session.add(
            Vacancy(
                org_unit_id=city.id,
                title=f"仓储管理员{n + 1}",
                employer_id=employer.id,
                occupation_code="4-02-06-03",
                headcount=2 + n % 5,
                salary_min=4000,
                salary_max=6000,
                education="高中/中专",
                district="城关区",
                contact="0931-8123456",
                valid_until=in_a_month,
            )
        )
    notice = PolicyNotice(
        org_unit_id=province.id,
        title="失业保险金申领指南",
        topic="失业保险",
        body_markdown="## 申领条件\n\n- 非因本人意愿中断就业",
        body_html="<h2>申领条件</h2>",
        issuing_office="甘肃省人力资源和社会保障厅",
    )
    ticker = Ticker(org_unit_id=province.id, title="本中心工作时间：周一至周五 9:00-17:00")
    session.add_all([notice, ticker])
    session.flush()
    main_list = Playlist(org_unit_id=province.id, name="岗位与政策")
    main_list.entries = [
        PlaylistEntry(position=0, kind="vacancy_board", duration_seconds=10, params={"page_size": 8}),
        PlaylistEntry(position=1, kind="notice_feed", duration_seconds=15, params={}),
    ]
    ticker_list = Playlist(org_unit_id=province.id, name="滚动字幕")
    ticker_list.entries = [PlaylistEntry(position=0, kind="item", item_id=ticker.id, duration_seconds=30)]
    session.add_all([main_list, ticker_list])
    session.flush()
    layout = Layout(org_unit_id=province.id, name="大厅横屏")
    layout.regions = [
        LayoutRegion(name="header", widget="header", x=0, y=0, w=0.75, h=0.1),
        LayoutRegion(name="clock", widget="clock", x=0.75, y=0, w=0.25, h=0.1),
        LayoutRegion(name="main", widget="playlist", x=0, y=0.1, w=1, h=0.82, playlist_id=main_list.id),
        LayoutRegion(name="ticker", widget="ticker", x=0, y=0.92, w=1, h=0.08, playlist_id=ticker_list.id),
    ]
    session.add(layout)
    session.flush()
    default = Schedule(
        org_unit_id=province.id, name="全省默认", layer="default", layout_id=layout.id, region_playlists={}
    )
    default.targets = [Target(mode="include", kind="org", ref=str(province.id))]
    session.add(default)
    outbox.add_event(session, "content", kind="world", action="created")
    session.commit()
    return World(
        province.id,
        city.id,
        county.id,
        hall.id,
        other.id,
        wall_keys=[w.key for w in walls],
        other_wall_key=other_wall.key,
        led_key=led.key,
        employer_id=employer.id,
        layout_id=layout.id,
    )


def add_vacancy(session: Session, world: World, title: str, **overrides: Any) -> int:
    """Commit a vacancy visible to the whole city, with its outbox row, as the API would."""
    fields: dict[str, Any] = dict(
        org_unit_id=world.city_id,
        title=title,
        employer_id=world.employer_id,
        occupation_code="4-01-02-01",
        headcount=3,
        salary_min=5000,
        salary_max=7000,
        education="大专",
        district="城关区",
        contact="0931-8000000",
        valid_until=datetime.now(UTC) + timedelta(days=30),
    )
    fields.update(overrides)
    vacancy = Vacancy(**fields)
    session.add(vacancy)
    session.flush()
    outbox.add_event(session, "content", kind="vacancy", id=vacancy.id, action="created")
    session.commit()
    return vacancy.id


def add_emergency(session: Session, world: World, title: str, *, seconds: float, org_id: int | None = None) -> int:
    now = datetime.now(UTC)
    emergency = Emergency(
        org_unit_id=world.province_id,
        title=title,
        body="请听从工作人员指引有序疏散。",
        severity="critical",
        starts_at=now,
        expires_at=now + timedelta(seconds=seconds),
        created_by="test",
    )
    emergency.targets = [Target(mode="include", kind="org", ref=str(org_id or world.province_id))]
    session.add(emergency)
    session.flush()
    outbox.add_event(session, "content", kind="emergency", id=emergency.id, action="created")
    session.commit()
    return emergency.id
