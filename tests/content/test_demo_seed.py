"""The zh-CN demo world (content.demo) and the ID-number check (content.citizens.idnumbers)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from content.accounts.staff import StaffAccount
from content.citizens.demo_backend import DemoPerson, DemoRecords
from content.citizens.idnumbers import check_character, compose_id_number, id_number_problem, is_valid_id_number
from content.citizens.keyed_hash import derive_key
from content.citizens.records import CardIdentity, CardSource
from content.demo import (
    DEFAULT_RNG_SEED,
    DEMO_PEOPLE_COUNT,
    OCCUPATIONS,
    OCCUPATIONS_BY_CODE,
    DemoDatabaseNotEmpty,
    DemoSummary,
    card_holder_json,
    demo_card_holders,
    seed_demo,
)
from content.demo.employers import credit_code_check
from content.demo.notices import TICKER_LINES
from content.demo.people import Person, id_number_is_valid, synthetic_people
from content.demo.places import DISTRICTS
from content.demo.queue import seed_morning
from content.errors import ValidationError
from content.library.items import Education, Employer, PolicyNotice, Ticker, Vacancy
from content.models import Base
from content.org.screens import Screen, ScreenGroup
from content.org.tree import Hall, OrgUnit
from content.queue.board import board_state
from content.queue.models import Counter, ServiceType
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout, check_region_geometry
from content.signage.playlists import Playlist
from content.signage.schedules import Schedule, occurrences
from content.signage.targeting import ScreenContext, TargetIndex

TODAY = date(2026, 11, 22)  # a Sunday
SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"^\d-\d{2}-\d{2}-\d{2}$")
RECORDS_KEY = derive_key("demo-seed-test", "records")


def _new_session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Session, DemoSummary]]:
    session = _new_session()
    summary = seed_demo(session, today=TODAY, records_key=RECORDS_KEY)
    session.commit()
    yield session, summary
    session.close()
    session.get_bind().dispose()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def db(world: tuple[Session, DemoSummary]) -> Session:
    return world[0]


@pytest.fixture(scope="module")
def summary(world: tuple[Session, DemoSummary]) -> DemoSummary:
    return world[1]


def _vacancies(db: Session) -> list[Vacancy]:
    return list(db.scalars(select(Vacancy).order_by(Vacancy.id)))


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _schedule(db: Session, name: str) -> Schedule:
    return db.scalars(select(Schedule).where(Schedule.name == name)).one()


# -- the world -----------------------------------------------------------------------------------


def test_halls_exist_at_all_five_levels(db: Session) -> None:
    levels = {hall.name: hall.org_unit.level for hall in db.scalars(select(Hall))}
    assert len(levels) >= 5
    assert levels["甘肃省人力资源市场"] == "province"
    assert levels["兰州市人力资源和社会保障服务中心"] == "city"
    assert levels["城关区公共就业服务中心"] == "county"
    assert levels["张掖路街道便民服务站"] == "street"
    assert levels["武都路社区就业服务站"] == "community"


def test_org_tree_uses_division_codes_and_paths(db: Session, summary: DemoSummary) -> None:
    units = {unit.name: unit for unit in db.scalars(select(OrgUnit))}
    assert units["甘肃省"].id == summary.province_id and units["甘肃省"].division_code == "620000"
    assert (units["兰州市"].division_code, units["天水市"].division_code) == ("620100", "620500")
    assert units["城关区"].division_code == "620102" and units["麦积区"].division_code == "620503"
    community = units["武都路社区"]
    assert community.ancestor_ids() == [units[n].id for n in ("甘肃省", "兰州市", "城关区", "张掖路街道", "武都路社区")]


def test_summary_counts_match_the_database(db: Session, summary: DemoSummary) -> None:
    assert summary.vacancy_count == _count(db, Vacancy) >= 320
    assert summary.notice_count == _count(db, PolicyNotice) == 12
    assert summary.employer_count == _count(db, Employer) >= 55
    assert summary.ticker_count == _count(db, Ticker) == len(TICKER_LINES)
    assert summary.hall_count == _count(db, Hall) and summary.screen_count == _count(db, Screen)
    assert summary.org_unit_count == _count(db, OrgUnit)
    assert summary.people_count == _count(db, DemoPerson) == DEMO_PEOPLE_COUNT == 60


def test_every_hall_has_a_full_hd_wall_and_the_special_walls_exist(db: Session, summary: DemoSummary) -> None:
    screens = list(db.scalars(select(Screen)))
    for hall in db.scalars(select(Hall)):
        assert any(
            s.hall_id == hall.id and s.kind == "wall" and (s.width_px, s.height_px) == (1920, 1080) for s in screens
        ), hall.name
    by_key = {s.key: s for s in screens}
    led, wide = by_key[summary.led_wall_key], by_key[summary.wide_wall_key]
    assert (led.kind, led.panel, led.width_px, led.height_px) == ("wall", "led", 768, 384) and led.low_resolution
    assert (wide.kind, wide.width_px, wide.height_px) == ("wall", 3840, 1080)


def test_kiosks_are_portrait_and_counters_are_strips(db: Session, summary: DemoSummary) -> None:
    by_key = {s.key: s for s in db.scalars(select(Screen))}
    assert summary.kiosk_screen_keys and summary.counter_screen_keys and summary.wall_screen_keys
    for key in summary.kiosk_screen_keys:
        screen = by_key[key]
        assert (screen.kind, screen.width_px, screen.height_px, screen.orientation) == ("kiosk", 1080, 1920, "portrait")
    for key in summary.counter_screen_keys:
        screen = by_key[key]
        assert screen.kind == "counter" and screen.width_px >= 8 * screen.height_px
    assert set(summary.wall_screen_keys) == {s.key for s in by_key.values() if s.kind == "wall"}
    assert len(by_key) == len(summary.screens)


def test_screens_have_groups_and_tags(db: Session) -> None:
    groups = {g.name: g for g in db.scalars(select(ScreenGroup))}
    assert "全省大厅入口屏" in groups and all(len(g.screens) > 0 for g in groups.values())
    assert all("入口" in s.tags for s in groups["全省大厅入口屏"].screens)
    tags = {tag for s in db.scalars(select(Screen)) for tag in s.tags}
    assert {"入口", "二楼", "触摸屏", "窗口屏", "LED", "超宽屏"} <= tags


# -- vacancies -----------------------------------------------------------------------------------


def test_occupation_codes_are_well_formed_and_in_the_table(db: Session) -> None:
    for vacancy in _vacancies(db):
        assert CODE.match(vacancy.occupation_code), vacancy.occupation_code
        assert vacancy.occupation_code in OCCUPATIONS_BY_CODE


def test_titles_match_their_occupation(db: Session) -> None:
    for vacancy in _vacancies(db):
        assert vacancy.title in OCCUPATIONS_BY_CODE[vacancy.occupation_code].titles


def test_salaries_are_ordered_realistic_and_sometimes_negotiable(db: Session) -> None:
    vacancies = _vacancies(db)
    negotiable = [v for v in vacancies if v.salary_min is None and v.salary_max is None]
    assert 0.08 <= len(negotiable) / len(vacancies) <= 0.22
    for v in vacancies:
        if v.salary_min is not None:
            assert 2500 <= v.salary_min <= 12000
        if v.salary_max is not None:
            assert v.salary_min is not None and v.salary_min <= v.salary_max <= 12000
    assert {v.salary_text for v in negotiable} == {"面议"}


def test_vacancy_fields_are_plausible(db: Session) -> None:
    counties = set(DISTRICTS)
    educations = {e.value for e in Education}
    contact = re.compile(r"^\S{1,2}(先生|女士) 09(31|38)-8\d{6}$")
    for v in _vacancies(db):
        assert 1 <= v.headcount <= 30
        assert v.education in educations
        assert v.district in counties
        assert contact.match(v.contact), v.contact
        assert "周岁" in v.requirements and v.status == "published"


def test_vacancies_close_at_the_end_of_a_local_day_two_to_eight_weeks_out(db: Session) -> None:
    for v in _vacancies(db):
        assert v.valid_until is not None and v.valid_until.tzinfo is not None
        local = v.valid_until.astimezone(SHANGHAI)
        assert (local.hour, local.minute) == (0, 0)  # the midnight that ends the last day
        assert 14 <= (local.date() - timedelta(days=1) - TODAY).days <= 56
        assert v.valid_from is not None and v.valid_from < datetime.combine(TODAY, datetime.min.time(), SHANGHAI)


def test_vacancies_are_published_at_province_city_and_county_nodes(db: Session) -> None:
    levels = {v.org_unit.level for v in _vacancies(db)}
    assert levels == {"province", "city", "county"}


def test_employers_have_chinese_names_and_valid_credit_codes(db: Session) -> None:
    employers = list(db.scalars(select(Employer)))
    assert len({e.name for e in employers}) == len(employers)
    for e in employers:
        assert CJK.search(e.name) and e.name.endswith("公司") and e.address.startswith("甘肃省")
        assert e.credit_code is not None and len(e.credit_code) == 18 and e.credit_code.startswith("91620")
        assert credit_code_check(e.credit_code[:17]) == e.credit_code[17]


def test_credit_code_check_matches_the_standard_example() -> None:
    assert credit_code_check("91350100M000100Y4") == "3"  # GB 32100-2015's example 91350100M000100Y43


def test_all_display_texts_are_chinese(db: Session) -> None:
    texts = [v.title for v in _vacancies(db)] + [v.requirements for v in _vacancies(db)]
    texts += [n.title for n in db.scalars(select(PolicyNotice))] + [t.title for t in db.scalars(select(Ticker))]
    texts += [h.name for h in db.scalars(select(Hall))] + [s.name for s in db.scalars(select(Screen))]
    texts += [p.name for p in db.scalars(select(Playlist))] + [layout.name for layout in db.scalars(select(Layout))]
    for text in texts:
        assert CJK.search(text), text


# -- notices and tickers --------------------------------------------------------------------------


def test_notices_cover_the_policy_topics_with_markdown_and_safe_html(db: Session) -> None:
    notices = list(db.scalars(select(PolicyNotice)))
    assert len({n.topic for n in notices}) == 12
    for n in notices:
        assert n.body_markdown.startswith("# ") and "\n## " in n.body_markdown
        assert "<h1>" in n.body_html and "<li>" in n.body_html and "<script" not in n.body_html
        assert 200 <= len(CJK.findall(n.body_markdown)) <= 800
        assert n.issuing_office.endswith(("人力资源和社会保障厅", "人力资源和社会保障局"))
        assert n.effective_date is not None and n.effective_date <= TODAY
        assert n.is_live(datetime.combine(TODAY, time(12, 0), SHANGHAI))


def test_ticker_texts_include_the_opening_hours(db: Session) -> None:
    lines = [t.title for t in db.scalars(select(Ticker))]
    assert 5 <= len(lines) <= 8
    assert any(line.startswith("本中心工作时间") for line in lines)


# -- layouts, playlists, schedules ----------------------------------------------------------------


def test_layout_regions_lie_inside_the_unit_square_and_tile_it(db: Session) -> None:
    layouts = list(db.scalars(select(Layout)))
    assert {"大厅横屏", "超宽横屏", "LED条屏"} <= {layout.name for layout in layouts}
    for layout in layouts:
        for r in layout.regions:
            check_region_geometry(r.name, r.x, r.y, r.w, r.h)
        assert sum(r.w * r.h for r in layout.regions) == pytest.approx(1.0), layout.name
        for a, b in combinations(layout.regions, 2):
            overlap_w = min(a.x + a.w, b.x + b.w) - max(a.x, b.x)
            overlap_h = min(a.y + a.h, b.y + b.h) - max(a.y, b.y)
            assert overlap_w <= 1e-9 or overlap_h <= 1e-9, (layout.name, a.name, b.name)


def test_hall_landscape_layout_has_header_clock_main_side_and_ticker(db: Session) -> None:
    layout = db.scalars(select(Layout).where(Layout.name == "大厅横屏")).one()
    regions = {r.name: r for r in layout.regions}
    assert {r.name: r.widget for r in layout.regions} == {
        "header": "header",
        "clock": "clock",
        "main": "playlist",
        "side": "playlist",
        "ticker": "ticker",
    }
    assert regions["main"].w == pytest.approx(0.68) and regions["clock"].x + regions["clock"].w == pytest.approx(1.0)


def test_playlists_have_the_feeds_and_tickers(db: Session) -> None:
    playlists = {p.name: p for p in db.scalars(select(Playlist))}
    board = playlists["岗位信息滚动"].entries[0]
    assert (board.kind, board.params["page_size"], board.duration_seconds) == ("vacancy_board", 8, 12)
    feed = playlists["政策公告轮播"].entries[0]
    assert (feed.kind, feed.duration_seconds) == ("notice_feed", 20)
    tickers = playlists["滚动字幕"].entries
    assert len(tickers) == len(TICKER_LINES) and all(e.kind == "item" and e.item is not None for e in tickers)
    assert all(e.item is not None and e.item.kind == "notice" for e in playlists["政策宣传"].entries)


def test_default_schedule_targets_the_province(db: Session, summary: DemoSummary) -> None:
    default = _schedule(db, "全省默认节目")
    assert default.layer == "default"
    assert [(t.mode, t.kind, t.ref) for t in default.targets] == [("include", "org", str(summary.province_id))]


def test_morning_daypart_runs_on_weekdays_and_skips_the_holiday(db: Session, summary: DemoSummary) -> None:
    morning = _schedule(db, "上午岗位专场")
    holiday = summary.holiday_exdate
    assert morning.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" and morning.exdates == [holiday.isoformat()]
    assert holiday > TODAY and holiday.weekday() < 5
    days_on = {
        start.astimezone(SHANGHAI).date()
        for start, _ in occurrences(
            morning,
            SHANGHAI,
            datetime.combine(holiday - timedelta(days=7), datetime.min.time(), SHANGHAI),
            datetime.combine(holiday + timedelta(days=7), datetime.min.time(), SHANGHAI),
        )
    }
    assert holiday not in days_on and all(day.weekday() < 5 for day in days_on) and len(days_on) == 9


def test_evening_daypart_crosses_midnight(db: Session) -> None:
    evening = _schedule(db, "夜间简洁模式")
    assert evening.daypart_start is not None and evening.daypart_end is not None
    assert evening.daypart_end <= evening.daypart_start
    start = datetime.combine(TODAY, datetime.min.time(), SHANGHAI)
    spans = occurrences(evening, SHANGHAI, start + timedelta(hours=12), start + timedelta(hours=36))
    assert [(a.astimezone(SHANGHAI).hour, b.astimezone(SHANGHAI).strftime("%d %H:%M")) for a, b in spans] == [
        (18, "23 08:30")
    ]


def _contexts(db: Session) -> dict[tuple[str, str], ScreenContext]:
    return {
        (s.hall.name, s.name): ScreenContext(
            screen_id=s.id,
            hall_id=s.hall_id,
            org_unit_id=s.hall.org_unit_id,
            org_path=tuple(s.hall.org_unit.ancestor_ids()),
            group_ids=frozenset(g.id for g in s.groups),
            tags=frozenset(s.tags),
            timezone=s.hall.timezone,
        )
        for s in db.scalars(select(Screen))
    }


def test_targeting_sends_dayparts_to_walls_and_excludes_the_community_from_lunch(db: Session) -> None:
    schedules = {s.name: s for s in db.scalars(select(Schedule))}
    index = TargetIndex({s.id: s.targets for s in schedules.values()})
    contexts = _contexts(db)

    def matched(hall: str, screen: str) -> set[str]:
        ids = index.match(contexts[(hall, screen)])
        return {name for name, s in schedules.items() if s.id in ids}

    assert matched("甘肃省人力资源市场", "一楼大厅主屏") >= {
        "全省默认节目",
        "上午岗位专场",
        "午间政策聚焦",
        "夜间简洁模式",
    }
    community = matched("武都路社区就业服务站", "社区信息屏")
    assert "上午岗位专场" in community and "午间政策聚焦" not in community
    assert "超宽屏默认节目" in matched("甘肃省人力资源市场", "一楼招聘信息超宽屏")
    kiosk = matched("城关区公共就业服务中心", "求职自助终端1")
    assert "触摸屏待机节目" in kiosk and not kiosk & {"上午岗位专场", "午间政策聚焦", "夜间简洁模式"}


def test_halls_use_shanghai_time_and_no_emergency_is_active(db: Session) -> None:
    assert {h.timezone for h in db.scalars(select(Hall))} == {"Asia/Shanghai"}
    assert _count(db, Emergency) == 0


# -- determinism and safety -----------------------------------------------------------------------


def _fingerprint(summary: DemoSummary, session: Session) -> tuple[object, ...]:
    vacancies = _vacancies(session)
    return (
        [v.title for v in vacancies],
        [(v.salary_min, v.salary_max, v.contact, v.org_unit_id) for v in vacancies],
        [e.name for e in session.scalars(select(Employer).order_by(Employer.id))],
        [(s.name, s.kind) for s in summary.screens],
    )


def test_same_seed_gives_the_same_world() -> None:
    first, second, other = _new_session(), _new_session(), _new_session()
    try:
        a = _fingerprint(seed_demo(first, rng_seed=7, today=TODAY), first)
        b = _fingerprint(seed_demo(second, rng_seed=7, today=TODAY), second)
        c = _fingerprint(seed_demo(other, rng_seed=8, today=TODAY), other)
    finally:
        for s in (first, second, other):
            s.close()
    assert a == b
    assert a[0] != c[0]


def test_screen_keys_are_never_derived_from_the_seed() -> None:
    first, second = _new_session(), _new_session()
    try:
        a = seed_demo(first, rng_seed=7, today=TODAY).wall_screen_keys
        b = seed_demo(second, rng_seed=7, today=TODAY).wall_screen_keys
    finally:
        first.close()
        second.close()
    assert not set(a) & set(b), "screen keys are credentials: the public seed must not predict them"


def test_refuses_to_seed_a_database_that_is_not_empty(db: Session) -> None:
    with pytest.raises(DemoDatabaseNotEmpty):
        seed_demo(db, today=TODAY)


# -- occupations ----------------------------------------------------------------------------------


def test_occupation_table_covers_the_common_hall_jobs() -> None:
    assert 55 <= len(OCCUPATIONS) == len(OCCUPATIONS_BY_CODE)
    assert {o.major for o in OCCUPATIONS} >= {"2", "3", "4", "5", "6"}
    names = {o.name for o in OCCUPATIONS}
    assert {
        "保安员",
        "保洁员",
        "餐厅服务员",
        "中式烹调师",
        "快递员",
        "仓储管理员",
        "网约配送员",
        "电工",
        "焊工",
        "车工",
        "育婴员",
        "养老护理员",
        "收银员",
        "商品营业员",
        "电子商务师",
        "会计专业人员",
        "客户服务管理员",
        "汽车维修工",
        "家政服务员",
        "计算机软件工程技术人员",
    } <= names
    assert "叉车司机" in {title for o in OCCUPATIONS for title in o.titles}
    for o in OCCUPATIONS:
        assert CODE.match(o.code) and 2500 <= o.salary[0] < o.salary[1] <= 12000 and 1 <= o.max_headcount <= 30


# -- synthetic people -----------------------------------------------------------------------------


def test_synthetic_people_have_valid_unique_id_numbers_from_the_demo_counties() -> None:
    people = synthetic_people(300, rng_seed=11)
    assert len({p.id_number for p in people}) == 300
    counties = {"620102", "620103", "620104", "620105", "620502", "620503"}
    for p in people:
        assert id_number_is_valid(p.id_number)
        assert p.id_number[:6] == p.region_code in counties
        assert p.id_number[6:14] == p.birth_date.strftime("%Y%m%d")
        assert int(p.id_number[16]) % 2 == (1 if p.sex == "男" else 0)
        assert CJK.search(p.name)


def test_synthetic_people_are_deterministic_and_keep_the_number_out_of_repr() -> None:
    assert synthetic_people(20, rng_seed=3) == synthetic_people(20, rng_seed=3)
    person: Person = synthetic_people(1, rng_seed=3)[0]
    assert person.id_number not in repr(person)
    assert person.masked_id_number == f"{person.id_number[:6]}********{person.id_number[-4:]}"


def test_card_holders_have_unique_nine_character_card_numbers() -> None:
    holders = demo_card_holders(DEFAULT_RNG_SEED)
    numbers = [p.ssc_card_number for p in holders]
    assert len(holders) == DEMO_PEOPLE_COUNT and len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[A-HJ-NP-Z]\d{8}", n) for n in numbers)
    assert holders == demo_card_holders(DEFAULT_RNG_SEED), "deterministic for the demo card simulator"
    assert all(n not in repr(p) for n, p in zip(numbers, holders, strict=True))
    record = card_holder_json(holders[0])
    assert set(record) == {
        "name",
        "id_number",
        "sex_code",
        "nation_code",
        "birth_date",
        "region_code",
        "ssc_card_number",
    }
    assert record["birth_date"] == holders[0].birth_date.strftime("%Y%m%d")


def test_the_seeded_people_are_the_card_holders_and_found_by_either_card(db: Session) -> None:
    backend = DemoRecords(db, RECORDS_KEY, lambda: datetime(2026, 11, 22, tzinfo=SHANGHAI))
    for holder in demo_card_holders(DEFAULT_RNG_SEED):
        by_id = backend.identify(
            CardIdentity(source=CardSource.IDCARD, reader_id="r", id_number=holder.id_number, name=holder.name)
        )
        by_card = backend.identify(
            CardIdentity(
                source=CardSource.SSC,
                reader_id="r",
                card_number=holder.ssc_card_number,
                personal_fields_available=False,
            )
        )
        assert by_id.ref == by_card.ref
        assert (by_id.name, by_id.birth_date, by_id.masked_id) == (
            holder.name,
            holder.birth_date,
            holder.masked_id_number,
        )


def test_the_database_holds_no_raw_id_or_card_number(db: Session) -> None:
    stored = " ".join(" ".join(str(v) for v in row) for row in db.execute(select(DemoPerson.__table__)))
    for holder in demo_card_holders(DEFAULT_RNG_SEED):
        assert holder.id_number not in stored and holder.ssc_card_number not in stored


def test_the_seeded_people_have_histories_up_to_the_seed_day(db: Session) -> None:
    from content.citizens.demo_histories import DemoContribution, DemoProfile

    assert _count(db, DemoProfile) == DEMO_PEOPLE_COUNT
    assert _count(db, DemoContribution) == DEMO_PEOPLE_COUNT * 36
    assert set(db.scalars(select(DemoProfile.generated_on))) == {TODAY}
    backend = DemoRecords(db, RECORDS_KEY, lambda: datetime(2026, 11, 22, tzinfo=SHANGHAI))
    holder = demo_card_holders(DEFAULT_RNG_SEED)[0]
    person = backend.identify(
        CardIdentity(source=CardSource.IDCARD, reader_id="r", id_number=holder.id_number, name=holder.name)
    )
    records = backend.records(person.ref, TODAY)
    assert records.contributions[-1].month == "2026-10" and len(records.contributions) == 36


def test_without_a_records_key_no_people_are_seeded() -> None:
    session = _new_session()
    try:
        assert seed_demo(session, rng_seed=7, today=TODAY).people_count == 0
        assert _count(session, DemoPerson) == 0
    finally:
        session.close()


def test_changing_the_check_character_invalidates_a_generated_number() -> None:
    for p in synthetic_people(50, rng_seed=5):
        for wrong in "0123456789X":
            if wrong != p.id_number[17]:
                assert not id_number_is_valid(p.id_number[:17] + wrong)


# -- content.citizens.idnumbers ----------------------------------------------------------------------------


def test_known_valid_number_passes() -> None:
    assert check_character("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X")
    assert is_valid_id_number("11010519491231002x")  # typed in lowercase


def test_wrong_check_character_fails() -> None:
    assert not is_valid_id_number("110105194912310021")
    assert id_number_problem("110105194912310021") == "the check character does not match (GB 11643)"


def test_impossible_birth_date_fails_even_with_a_matching_check_character() -> None:
    first17 = "62010219990230123"  # 1999-02-30
    assert not is_valid_id_number(first17 + check_character(first17))
    assert "calendar date" in (id_number_problem(first17 + check_character(first17)) or "")


def test_wrong_length_non_digits_and_unknown_provinces_fail() -> None:
    assert not is_valid_id_number("11010519491231002")
    assert not is_valid_id_number("11010519491231002X0")
    assert not is_valid_id_number("")
    assert not is_valid_id_number("1101051949123100AX")
    assert not is_valid_id_number("１１０１０５１９４９１２３１００２Ｘ")  # fullwidth digits
    first17 = "00010519491231002"
    assert not is_valid_id_number(first17 + check_character(first17))


def test_future_birth_dates_fail_when_today_is_given() -> None:
    number = compose_id_number("620102", date(2030, 1, 1), 11)
    assert is_valid_id_number(number)
    assert not is_valid_id_number(number, today=TODAY)


def test_check_character_and_compose_refuse_bad_input() -> None:
    with pytest.raises(ValidationError):
        check_character("1101051949123100")
    with pytest.raises(ValidationError):
        compose_id_number("6201", date(1990, 1, 1), 1)
    with pytest.raises(ValidationError):
        compose_id_number("620102", date(1990, 1, 1), 1000)


def test_every_hall_has_lines_counters_under_their_strips_and_counter_staff(db: Session) -> None:
    for hall in db.scalars(select(Hall)):
        prefixes = db.scalars(
            select(ServiceType.prefix).where(ServiceType.hall_id == hall.id).order_by(ServiceType.position)
        ).all()
        assert prefixes == ["A", "B", "C"]
        counters = db.scalars(select(Counter).where(Counter.hall_id == hall.id).order_by(Counter.number)).all()
        strips = db.scalars(select(Screen).where(Screen.hall_id == hall.id, Screen.kind == "counter")).all()
        assert len(counters) == max(2, len(strips))
        for counter in counters:
            assert counter.services, f"{hall.name} {counter.name} calls nothing"
            if counter.screen_id is not None:
                strip = db.get(Screen, counter.screen_id)
                assert strip is not None and strip.name == f"{counter.number}号窗口条屏"
        assert db.scalar(select(StaffAccount.role).where(StaffAccount.hall_id == hall.id)) == "counter_staff"


def test_the_demo_morning_fills_an_empty_day_once() -> None:
    session = _new_session()
    try:
        seed_demo(session, today=date(2026, 12, 2))
        hall = session.scalars(select(Hall).order_by(Hall.id)).first()
        now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 10:00 in Lanzhou
        assert seed_morning(session, hall, now) is True
        assert seed_morning(session, hall, now) is False
        board = board_state(session, hall.id, now)
        assert sum(line["waiting"] for line in board["services"]) == 9
        assert [call["counter"] for call in board["calls"]] == [2, 1]
    finally:
        session.close()


@pytest.mark.parametrize("local", ["00:00:00", "00:02:30", "00:39:59"])
def test_the_demo_morning_started_just_after_midnight_stays_on_today(local: str) -> None:
    session = _new_session()
    try:
        seed_demo(session, today=date(2026, 12, 2))
        hall = session.scalars(select(Hall).order_by(Hall.id)).first()
        assert hall is not None
        now = datetime.fromisoformat(f"2026-12-03T{local}+08:00").astimezone(UTC)  # just after midnight in Lanzhou
        assert seed_morning(session, hall, now) is True
        board = board_state(session, hall.id, now)
        assert sum(line["waiting"] for line in board["services"]) == 9
        assert [call["counter"] for call in board["calls"]] == [2, 1]
    finally:
        session.close()
