"""Fill an empty database with the demo world: the Gansu org tree, halls, screens and content.

``seed_demo`` only adds and flushes; the caller commits (and adds an outbox row if screens may
already be listening). Everything is deterministic given ``rng_seed`` and ``today``: the same
inputs give the same rows and the same texts, apart from the screen keys (credentials, always random)
and the bookkeeping stamps of rows that are not content (``created_at`` of org units, halls and screens).
Given ``records_key`` (derived from the server secret) it also stores the synthetic people of the
demo records backend, as keyed hashes of their numbers, with their insurance histories up to ``today``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Protocol
from zoneinfo import ZoneInfo

from faker import Faker
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from content.citizens.demo_backend import DemoPerson, add_demo_person
from content.citizens.demo_histories import (
    DemoAccount,
    DemoContribution,
    DemoEnrollment,
    DemoProfile,
    PersonFacts,
    generate_histories,
    store_histories,
)
from content.citizens.demo_job_seekers import DemoJobSeeker, store_job_seekers
from content.demo import places, programme
from content.demo.employers import EmployerSpec, make_employers
from content.demo.fairs import seed_fairs
from content.demo.guides import seed_guides
from content.demo.job_seekers import job_seeker_registrations
from content.demo.market import seed_market
from content.demo.notices import NOTICES, TICKER_LINES
from content.demo.people import demo_card_holders
from content.demo.queue import seed_queues
from content.demo.training import seed_training
from content.demo.vacancies import make_vacancies
from content.errors import ContentError
from content.library.items import ContentItem, Employer, ItemStatus, PolicyNotice, Ticker, Vacancy
from content.library.sanitize import render_markdown
from content.org.screens import Screen, ScreenGroup, ScreenKind, new_screen_key
from content.org.timezones import DEFAULT_TIMEZONE
from content.org.tree import Hall, OrgUnit, add_org_unit
from content.signage.layouts import Layout, LayoutRegion, check_region_geometry
from content.signage.playlists import EntryKind, Playlist, PlaylistEntry
from content.signage.schedules import Schedule, validate_schedule_row
from content.signage.targeting import Target, TargetKind, validate_targets

DEFAULT_RNG_SEED = 20261122


class DemoDatabaseNotEmpty(ContentError):
    """The demo is only seeded into an empty database, never mixed into real data."""


@dataclass(frozen=True)
class DemoScreen:
    id: int
    key: str
    name: str
    kind: str
    hall: str
    width_px: int
    height_px: int
    panel: str


@dataclass(frozen=True)
class DemoSummary:
    """What ``seed_demo`` created: counts, ids by name, and the screens with their keys."""

    province_id: int
    org_unit_ids: Mapping[str, int]
    hall_ids: Mapping[str, int]
    screens: tuple[DemoScreen, ...]
    wall_screen_keys: tuple[str, ...]
    kiosk_screen_keys: tuple[str, ...]
    counter_screen_keys: tuple[str, ...]
    led_wall_key: str
    wide_wall_key: str
    group_ids: Mapping[str, int]
    layout_ids: Mapping[str, int]
    playlist_ids: Mapping[str, int]
    schedule_ids: Mapping[str, int]
    holiday_exdate: date
    org_unit_count: int
    hall_count: int
    screen_count: int
    employer_count: int
    vacancy_count: int
    notice_count: int
    ticker_count: int
    people_count: int  # synthetic people of the demo records backend (0 when seeded without a key)


def seed_demo(
    session: Session, *, rng_seed: int = DEFAULT_RNG_SEED, today: date, records_key: bytes | None = None
) -> DemoSummary:
    """Create the demo world in an empty database; ``today`` is the hall-local date it is seeded on.

    ``records_key`` keys the hashes of the demo people's numbers; without it no people are stored.
    """
    if session.scalar(select(func.count()).select_from(OrgUnit)) or session.scalar(
        select(func.count()).select_from(ContentItem)
    ):
        raise DemoDatabaseNotEmpty("the database already holds org units or content; seed the demo into an empty one")
    rng = random.Random(rng_seed)
    fake = Faker("zh_CN")
    fake.seed_instance(rng_seed)
    tz = ZoneInfo(DEFAULT_TIMEZONE)

    orgs = _org_tree(session)
    province = orgs[places.PROVINCE]
    halls, screens = _halls_and_screens(session, rng, orgs)
    seed_queues(session, halls.values())
    groups = _groups(session, orgs, screens)
    employer_count, vacancy_count = _jobs(session, rng, fake, orgs, today, tz)
    seed_training(session, orgs, today, tz)  # 培训信息 (content.demo.training)
    seed_fairs(session, orgs, today, tz)  # 招聘会 (content.demo.fairs)
    seed_guides(session, orgs, today, tz)  # 办事指南 (content.demo.guides)
    notices = _notices(session, orgs, today, tz)
    tickers = _tickers(session, province, today, tz)
    playlists = _playlists(session, province, notices, tickers)
    layouts = _layouts(session, province, playlists)
    holiday = programme.next_weekday_holiday(today)
    schedules = _schedules(session, province, orgs, halls, layouts, playlists, holiday)
    people_count = seed_people(session, rng_seed, records_key, today=today) if records_key is not None else 0
    seed_market(session, _local_start(today, tz, time(12)), DEFAULT_TIMEZONE)  # 供求分析 (content.demo.market)
    session.flush()

    def keys(kind: ScreenKind) -> tuple[str, ...]:
        return tuple(s.key for s in screens.values() if s.kind == kind.value)

    return DemoSummary(
        province_id=province.id,
        org_unit_ids=_ids(orgs),
        hall_ids=_ids(halls),
        screens=tuple(
            DemoScreen(s.id, s.key, s.name, s.kind, hall_name, s.width_px, s.height_px, s.panel)
            for (hall_name, _), s in screens.items()
        ),
        wall_screen_keys=keys(ScreenKind.WALL),
        kiosk_screen_keys=keys(ScreenKind.KIOSK),
        counter_screen_keys=keys(ScreenKind.COUNTER),
        led_wall_key=screens[(places.HALLS[0].name, places.LED_WALL_NAME)].key,
        wide_wall_key=screens[(places.HALLS[0].name, places.WIDE_WALL_NAME)].key,
        group_ids=_ids(groups),
        layout_ids=_ids(layouts),
        playlist_ids=_ids(playlists),
        schedule_ids=_ids(schedules),
        holiday_exdate=holiday,
        org_unit_count=len(orgs),
        hall_count=len(halls),
        screen_count=len(screens),
        employer_count=employer_count,
        vacancy_count=vacancy_count,
        notice_count=len(notices),
        ticker_count=len(tickers),
        people_count=people_count,
    )


class _HasId(Protocol):
    id: int


def _ids(rows: Mapping[str, _HasId]) -> Mapping[str, int]:
    return MappingProxyType({name: row.id for name, row in rows.items()})


def _local_start(day: date, tz: ZoneInfo, at: time = time()) -> datetime:
    """The instant (UTC) of local time ``at`` on ``day``."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _local_end(day: date, tz: ZoneInfo) -> datetime:
    """The end of local ``day`` (the next local midnight), in UTC."""
    return _local_start(day + timedelta(days=1), tz)


def _screen_key(rng: random.Random) -> str:
    # Screen keys are credentials: never derive them from the (public) seed, and keep the seeded
    # random stream unchanged so everything else stays reproducible.
    rng.randbytes(18)
    return new_screen_key()


def seed_people(session: Session, rng_seed: int, key: bytes, *, today: date) -> int:
    """Store the demo records backend's synthetic people (keyed hashes of their numbers) and their histories.

    Returns how many people; their histories run up to the month before ``today``'s.
    """
    holders = demo_card_holders(rng_seed)
    for p in holders:
        add_demo_person(
            session,
            key=key,
            id_number=p.id_number,
            name=p.name,
            sex_code=p.sex_code,
            birth_date=p.birth_date,
            region_code=p.region_code,
            nation_code=p.nation_code,
            ssc_card_number=p.ssc_card_number,
        )
    seed_histories(session, rng_seed, today=today)
    return len(holders)


def seed_histories(session: Session, rng_seed: int, *, today: date) -> int:
    """Give every demo person without a history a synthetic one up to ``today``, and a 求职登记 to some; returns how many.

    Deterministic given ``rng_seed``, ``today`` and the people (taken in the order they were stored).
    """
    people = session.scalars(
        select(DemoPerson).where(~exists().where(DemoProfile.person_id == DemoPerson.id)).order_by(DemoPerson.id)
    ).all()
    employers = make_employers(random.Random(f"demo-history-employers/{rng_seed}"))
    facts = [_person_facts(p, employers) for p in people]
    histories = generate_histories(facts, today, rng_seed)
    store_histories(session, histories, today)
    advertised = {e.name: e.occupations for e in employers}
    registrations = job_seeker_registrations(facts, histories, advertised, today, rng_seed)
    store_job_seekers(session, [f.person_id for f in facts], registrations)
    return len(facts)


def drop_stale_histories(session: Session, *, today: date) -> int:
    """Forget histories generated before ``today``'s month (their last months would read as unpaid); returns how many.

    ``seed_histories`` then writes fresh ones, so a demo database reused weeks later still looks current.
    """
    month_start = today.replace(day=1)
    return _drop_histories(
        session, list(session.scalars(select(DemoProfile.person_id).where(DemoProfile.generated_on < month_start)))
    )


def drop_histories_without_registrations(session: Session) -> int:
    """Forget every history of a demo database from before job seekers' registrations (none stored at all).

    The demo world always has some registered job seekers, so a database holding histories but no
    registration predates them; ``seed_histories`` then writes histories and registrations afresh.
    """
    if session.scalar(select(DemoJobSeeker.person_id).limit(1)) is not None:
        return 0
    return _drop_histories(session, list(session.scalars(select(DemoProfile.person_id))))


def _drop_histories(session: Session, person_ids: list[int]) -> int:
    for model in (DemoJobSeeker, DemoContribution, DemoEnrollment, DemoAccount, DemoProfile):
        session.execute(delete(model).where(model.person_id.in_(person_ids)))
    return len(person_ids)


def _person_facts(person: DemoPerson, employers: list[EmployerSpec]) -> PersonFacts:
    """Where ``person`` is insured (their ID number's county) and the employers of that city."""
    county = next(
        (
            node.name
            for node, _ in places.walk()
            if node.division_code == person.region_code and node.name in places.DISTRICTS
        ),
        None,
    )
    city = places.DISTRICTS[county][0] if county is not None else None
    names = tuple(e.name for e in employers if city is None or e.city == city)
    if county is None:  # a person from outside the demo counties is insured at the province
        return PersonFacts(
            person.id, person.sex_code, person.birth_date, places.PROVINCE, f"{places.PROVINCE}人力资源市场", names
        )
    return PersonFacts(
        person.id, person.sex_code, person.birth_date, f"{city}{county}", f"{county}公共就业服务中心", names
    )


def _org_tree(session: Session) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for spec, parent in places.walk():
        units[spec.name] = add_org_unit(
            session,
            name=spec.name,
            level=spec.level.value,
            division_code=spec.division_code,
            parent=units[parent.name] if parent else None,
        )
    return units


def _halls_and_screens(
    session: Session, rng: random.Random, orgs: Mapping[str, OrgUnit]
) -> tuple[dict[str, Hall], dict[tuple[str, str], Screen]]:
    halls: dict[str, Hall] = {}
    screens: dict[tuple[str, str], Screen] = {}
    for spec in places.HALLS:
        latitude, longitude = spec.position if spec.position is not None else (None, None)
        hall = Hall(
            org_unit=orgs[spec.place],
            name=spec.name,
            address=spec.address,
            timezone=DEFAULT_TIMEZONE,
            latitude=latitude,
            longitude=longitude,
        )
        session.add(hall)
        halls[spec.name] = hall
        for s in spec.screens:
            screen = Screen(
                hall=hall,
                name=s.name,
                kind=s.kind.value,
                key=_screen_key(rng),
                width_px=s.width_px,
                height_px=s.height_px,
                orientation=s.orientation.value,
                panel=s.panel.value,
            )
            screen.set_tags(list(s.tags))
            session.add(screen)
            screens[(spec.name, s.name)] = screen
    session.flush()
    return halls, screens


def _groups(
    session: Session, orgs: Mapping[str, OrgUnit], screens: Mapping[tuple[str, str], Screen]
) -> dict[str, ScreenGroup]:
    hall_place = {spec.name: spec.place for spec in places.HALLS}
    lanzhou_halls = {h for h, p in hall_place.items() if orgs[p].path.startswith(orgs[places.LANZHOU].path)}
    tianshui_halls = {h for h, p in hall_place.items() if orgs[p].path.startswith(orgs[places.TIANSHUI].path)}
    chengguan_halls = {h for h, p in hall_place.items() if orgs[p].path.startswith(orgs[places.CHENGGUAN].path)}
    members = {
        (places.GROUP_ENTRANCES, places.PROVINCE): [s for s in screens.values() if places.TAG_ENTRANCE in s.tags],
        (places.GROUP_LANZHOU_KIOSKS, places.LANZHOU): [
            s for (hall, _), s in screens.items() if hall in lanzhou_halls and s.kind == ScreenKind.KIOSK.value
        ],
        (places.GROUP_CHENGGUAN_COUNTERS, places.CHENGGUAN): [
            s for (hall, _), s in screens.items() if hall in chengguan_halls and s.kind == ScreenKind.COUNTER.value
        ],
        (places.GROUP_TIANSHUI_WALLS, places.TIANSHUI): [
            s for (hall, _), s in screens.items() if hall in tianshui_halls and s.kind == ScreenKind.WALL.value
        ],
    }
    groups: dict[str, ScreenGroup] = {}
    for (name, owner), screen_list in members.items():
        group = ScreenGroup(org_unit=orgs[owner], name=name, screens=screen_list)
        session.add(group)
        groups[name] = group
    return groups


def _jobs(
    session: Session, rng: random.Random, fake: Faker, orgs: Mapping[str, OrgUnit], today: date, tz: ZoneInfo
) -> tuple[int, int]:
    employer_specs = make_employers(rng)
    employers = [
        Employer(
            name=e.name,
            credit_code=e.credit_code,
            industry=e.industry,
            address=e.address,
            latitude=e.latitude,
            longitude=e.longitude,
        )
        for e in employer_specs
    ]
    session.add_all(employers)
    vacancy_specs = make_vacancies(rng, fake, employer_specs, today)
    for v in vacancy_specs:
        posted = _local_start(v.posted_on, tz, v.posted_at)
        session.add(
            Vacancy(
                org_unit=orgs[v.publisher],
                employer=employers[v.employer],
                title=v.title,
                status=ItemStatus.PUBLISHED.value,
                valid_from=_local_start(v.posted_on, tz),
                valid_until=_local_end(v.closes_on, tz),
                created_at=posted,
                updated_at=posted,
                occupation_code=v.occupation_code,
                headcount=v.headcount,
                salary_min=v.salary_min,
                salary_max=v.salary_max,
                education=v.education,
                district=v.district,
                requirements=v.requirements,
                contact=v.contact,
            )
        )
    return len(employers), len(vacancy_specs)


def _notices(session: Session, orgs: Mapping[str, OrgUnit], today: date, tz: ZoneInfo) -> dict[str, PolicyNotice]:
    notices: dict[str, PolicyNotice] = {}
    for spec in NOTICES:
        effective = today - timedelta(days=spec.days_ago)
        issued = _local_start(effective, tz, time(9, 0))
        notice = PolicyNotice(
            org_unit=orgs[spec.publisher],
            title=spec.title,
            status=ItemStatus.PUBLISHED.value,
            valid_from=_local_start(effective, tz),
            valid_until=_local_end(today + timedelta(days=spec.open_days), tz) if spec.open_days else None,
            created_at=issued,
            updated_at=issued,
            topic=spec.topic,
            body_markdown=spec.body_markdown,
            body_html=render_markdown(spec.body_markdown),
            issuing_office=spec.issuing_office,
            effective_date=effective,
        )
        session.add(notice)
        notices[spec.topic] = notice
    return notices


def _tickers(session: Session, province: OrgUnit, today: date, tz: ZoneInfo) -> list[Ticker]:
    start = _local_start(today - timedelta(days=30), tz, time(9, 0))
    tickers = [
        Ticker(org_unit=province, title=line, status=ItemStatus.PUBLISHED.value, created_at=start, updated_at=start)
        for line in TICKER_LINES
    ]
    session.add_all(tickers)
    return tickers


def _playlists(
    session: Session, province: OrgUnit, notices: Mapping[str, PolicyNotice], tickers: list[Ticker]
) -> dict[str, Playlist]:
    session.flush()  # item ids for the item entries
    out: dict[str, Playlist] = {}
    for spec in programme.playlists(len(tickers)):
        entries = []
        for position, e in enumerate(spec.entries):
            item: ContentItem | None = None
            if e.notice_topic is not None:
                item = notices[e.notice_topic]
            elif e.ticker is not None:
                item = tickers[e.ticker]
            if (item is None) != (e.kind is not EntryKind.ITEM):
                raise ContentError(f"playlist {spec.name}: entry {position} of kind {e.kind} has the wrong item")
            entries.append(
                PlaylistEntry(
                    position=position,
                    kind=e.kind.value,
                    item=item,
                    duration_seconds=e.duration_seconds,
                    params=dict(e.params),
                )
            )
        playlist = Playlist(org_unit_id=province.id, name=spec.name, entries=entries)
        session.add(playlist)
        out[spec.name] = playlist
    session.flush()
    return out


def _layouts(session: Session, province: OrgUnit, playlists: Mapping[str, Playlist]) -> dict[str, Layout]:
    out: dict[str, Layout] = {}
    for spec in programme.LAYOUTS:
        regions = []
        for r in spec.regions:
            check_region_geometry(r.name, r.x, r.y, r.w, r.h)
            regions.append(
                LayoutRegion(
                    name=r.name,
                    widget=r.widget.value,
                    x=r.x,
                    y=r.y,
                    w=r.w,
                    h=r.h,
                    z=0,
                    playlist_id=playlists[r.playlist].id if r.playlist else None,
                )
            )
        layout = Layout(org_unit_id=province.id, name=spec.name, background=spec.background, regions=regions)
        session.add(layout)
        out[spec.name] = layout
    session.flush()
    return out


def _schedules(
    session: Session,
    province: OrgUnit,
    orgs: Mapping[str, OrgUnit],
    halls: Mapping[str, Hall],
    layouts: Mapping[str, Layout],
    playlists: Mapping[str, Playlist],
    holiday: date,
) -> dict[str, Schedule]:
    def ref(kind: TargetKind, name: str) -> str:
        if kind is TargetKind.ORG:
            return str(orgs[name].id)
        if kind is TargetKind.HALL:
            return str(halls[name].id)
        return name  # tags are stored as text

    out: dict[str, Schedule] = {}
    for spec in programme.SCHEDULES:
        targets = [Target(mode=t.mode.value, kind=t.kind.value, ref=ref(t.kind, t.ref)) for t in spec.targets]
        validate_targets(targets)
        start, end = spec.daypart if spec.daypart else (None, None)
        schedule = Schedule(
            org_unit_id=province.id,
            name=spec.name,
            layer=spec.layer.label,
            priority=spec.priority,
            enabled=True,
            layout_id=layouts[spec.layout].id,
            region_playlists={region: playlists[key].id for region, key in spec.region_playlists.items()},
            daypart_start=start,
            daypart_end=end,
            rrule=spec.rrule,
            exdates=[holiday.isoformat()] if spec.skip_holiday else [],
            targets=targets,
        )
        validate_schedule_row(schedule)
        session.add(schedule)
        out[spec.name] = schedule
    return out
