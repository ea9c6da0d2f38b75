"""What the demo screens play: layouts, playlists and schedules (dayparts), as plain data.

Geometry is in fractions of the screen; every layout's regions tile the unit square without
gaps or overlaps (the clock sits in the right-hand corner of the header strip).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Final

from content.demo.places import (
    COMMUNITY_HALL,
    PROVINCE,
    TAG_COUNTER,
    TAG_INDEPENDENT,
    TAG_KIOSK,
    TAG_LED,
    TAG_QUEUE,
    TAG_WIDE,
)
from content.signage.layouts import Widget
from content.signage.playlists import EntryKind
from content.signage.schedules import Layer
from content.signage.targeting import TargetKind, TargetMode

# Playlist keys (also their names).
VACANCY_BOARD: Final = "岗位信息滚动"
LED_VACANCIES: Final = "LED岗位滚动"
NOTICE_FEED: Final = "政策公告轮播"
TICKERS: Final = "滚动字幕"
POLICY_FOCUS: Final = "政策宣传"

# Layout keys (also their names).
HALL_LANDSCAPE: Final = "大厅横屏"
JOBS_LANDSCAPE: Final = "岗位专场横屏"
QUIET_LANDSCAPE: Final = "夜间简洁横屏"
WIDE: Final = "超宽横屏"
LED_STRIP: Final = "LED条屏"
KIOSK_PORTRAIT: Final = "触摸屏待机竖屏"
COUNTER_STRIP: Final = "窗口条屏"
QUEUE_LANDSCAPE: Final = "叫号大屏"

# Notice topics the 政策宣传 playlist shows one by one.
POLICY_FOCUS_TOPICS: Final = ("创业担保贷款", "就业见习", "技能培训", "社会保险补贴", "稳岗返还", "电子社保卡")


@dataclass(frozen=True)
class RegionSpec:
    name: str
    widget: Widget
    x: float
    y: float
    w: float
    h: float
    playlist: str | None = None


@dataclass(frozen=True)
class LayoutSpec:
    name: str
    regions: tuple[RegionSpec, ...]
    background: str = "#0b1f3a"


def _header(height: float, clock_from: float) -> tuple[RegionSpec, RegionSpec]:
    return (
        RegionSpec("header", Widget.HEADER, 0.0, 0.0, clock_from, height),
        RegionSpec("clock", Widget.CLOCK, clock_from, 0.0, round(1.0 - clock_from, 6), height),
    )


def _ticker(top: float) -> RegionSpec:
    return RegionSpec("ticker", Widget.TICKER, 0.0, top, 1.0, round(1.0 - top, 6), TICKERS)


LAYOUTS: Final = (
    LayoutSpec(
        HALL_LANDSCAPE,
        (
            *_header(0.1, 0.72),
            RegionSpec("main", Widget.PLAYLIST, 0.0, 0.1, 0.68, 0.82, VACANCY_BOARD),
            RegionSpec("side", Widget.PLAYLIST, 0.68, 0.1, 0.32, 0.82, NOTICE_FEED),
            _ticker(0.92),
        ),
    ),
    LayoutSpec(
        JOBS_LANDSCAPE,
        (
            *_header(0.1, 0.72),
            RegionSpec("main", Widget.PLAYLIST, 0.0, 0.1, 1.0, 0.82, VACANCY_BOARD),
            _ticker(0.92),
        ),
    ),
    LayoutSpec(
        QUIET_LANDSCAPE,
        (
            *_header(0.12, 0.72),
            RegionSpec("main", Widget.PLAYLIST, 0.0, 0.12, 1.0, 0.8, NOTICE_FEED),
            _ticker(0.92),
        ),
        background="#050d1a",
    ),
    LayoutSpec(
        WIDE,
        (
            *_header(0.12, 0.85),
            RegionSpec("left", Widget.PLAYLIST, 0.0, 0.12, 0.34, 0.78, VACANCY_BOARD),
            RegionSpec("center", Widget.PLAYLIST, 0.34, 0.12, 0.33, 0.78, POLICY_FOCUS),
            RegionSpec("right", Widget.PLAYLIST, 0.67, 0.12, 0.33, 0.78, NOTICE_FEED),
            _ticker(0.9),
        ),
    ),
    LayoutSpec(
        LED_STRIP,
        (
            RegionSpec("main", Widget.PLAYLIST, 0.0, 0.0, 1.0, 0.75, LED_VACANCIES),
            _ticker(0.75),
        ),
        background="#000000",
    ),
    LayoutSpec(
        KIOSK_PORTRAIT,
        (
            *_header(0.08, 0.7),
            RegionSpec("main", Widget.PLAYLIST, 0.0, 0.08, 1.0, 0.5, VACANCY_BOARD),
            RegionSpec("side", Widget.PLAYLIST, 0.0, 0.58, 1.0, 0.36, NOTICE_FEED),
            _ticker(0.94),
        ),
    ),
    LayoutSpec(
        QUEUE_LANDSCAPE,
        (
            *_header(0.1, 0.72),
            # The queue gets most of the wall: its type is sized to be read from the door (docs/queue.md).
            RegionSpec("main", Widget.PLAYLIST, 0.0, 0.1, 0.36, 0.82, VACANCY_BOARD),
            RegionSpec("queue", Widget.QUEUE, 0.36, 0.1, 0.64, 0.82),
            _ticker(0.92),
        ),
    ),
    LayoutSpec(
        COUNTER_STRIP,
        (
            RegionSpec("ticker", Widget.TICKER, 0.0, 0.0, 0.8, 1.0, TICKERS),
            RegionSpec("clock", Widget.CLOCK, 0.8, 0.0, 0.2, 1.0),
        ),
        background="#000000",
    ),
)


@dataclass(frozen=True)
class EntrySpec:
    kind: EntryKind
    duration_seconds: int
    params: dict[str, object] = field(default_factory=dict)
    notice_topic: str | None = None  # item entry: the notice with this topic
    ticker: int | None = None  # item entry: index into TICKER_LINES


@dataclass(frozen=True)
class PlaylistSpec:
    name: str
    entries: tuple[EntrySpec, ...]


def playlists(ticker_count: int) -> tuple[PlaylistSpec, ...]:
    return (
        PlaylistSpec(
            VACANCY_BOARD,
            (
                EntrySpec(EntryKind.VACANCY_BOARD, 12, {"page_size": 8}),
                EntrySpec(EntryKind.TRAINING_BOARD, 15, {"page_size": 7}),  # 培训信息 (content.demo.training)
                EntrySpec(EntryKind.FAIR_BOARD, 12, {"page_size": 7}),  # 招聘会 (content.demo.fairs)
                EntrySpec(EntryKind.GUIDE_FEED, 20, {"limit": 4}),  # 办事指南 (content.demo.guides)
                EntrySpec(EntryKind.MARKET_BOARD, 15, {"area": "city"}),  # 供求分析 (content.demo.market)
            ),
        ),
        PlaylistSpec(LED_VACANCIES, (EntrySpec(EntryKind.VACANCY_BOARD, 10, {"page_size": 4}),)),
        PlaylistSpec(NOTICE_FEED, (EntrySpec(EntryKind.NOTICE_FEED, 20),)),
        PlaylistSpec(TICKERS, tuple(EntrySpec(EntryKind.ITEM, 20, ticker=i) for i in range(ticker_count))),
        PlaylistSpec(POLICY_FOCUS, tuple(EntrySpec(EntryKind.ITEM, 25, notice_topic=t) for t in POLICY_FOCUS_TOPICS)),
    )


@dataclass(frozen=True)
class TargetSpec:
    mode: TargetMode
    kind: TargetKind
    ref: str  # a tag, or the name of an org node / hall resolved to its id when seeding


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    layer: Layer
    layout: str
    targets: tuple[TargetSpec, ...]
    priority: int = 0
    region_playlists: dict[str, str] = field(default_factory=dict)  # region -> playlist key
    daypart: tuple[time, time] | None = None
    rrule: str | None = None
    skip_holiday: bool = False  # add the next weekday public holiday as an EXDATE


WEEKDAYS: Final = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"

_ALL_GANSU: Final = TargetSpec(TargetMode.INCLUDE, TargetKind.ORG, PROVINCE)
_NOT_INDEPENDENT: Final = TargetSpec(TargetMode.EXCLUDE, TargetKind.TAG, TAG_INDEPENDENT)


def _tagged(tag: str) -> tuple[TargetSpec, ...]:
    return (TargetSpec(TargetMode.INCLUDE, TargetKind.TAG, tag),)


SCHEDULES: Final = (
    # Default layer: always on underneath; screens with a dedicated programme get a higher priority.
    ScheduleSpec("全省默认节目", Layer.DEFAULT, HALL_LANDSCAPE, (_ALL_GANSU,)),
    ScheduleSpec("超宽屏默认节目", Layer.DEFAULT, WIDE, _tagged(TAG_WIDE), priority=10),
    ScheduleSpec("LED条屏默认节目", Layer.DEFAULT, LED_STRIP, _tagged(TAG_LED), priority=10),
    ScheduleSpec("触摸屏待机节目", Layer.DEFAULT, KIOSK_PORTRAIT, _tagged(TAG_KIOSK), priority=10),
    ScheduleSpec("窗口条屏节目", Layer.DEFAULT, COUNTER_STRIP, _tagged(TAG_COUNTER), priority=10),
    ScheduleSpec("叫号大屏节目", Layer.DEFAULT, QUEUE_LANDSCAPE, _tagged(TAG_QUEUE), priority=10),
    # Scheduled layer: weekday dayparts on the 16:9 walls of every hall in the province.
    ScheduleSpec(
        "上午岗位专场",
        Layer.SCHEDULED,
        JOBS_LANDSCAPE,
        (_ALL_GANSU, _NOT_INDEPENDENT),
        daypart=(time(8, 30), time(12, 0)),
        rrule=WEEKDAYS,
        skip_holiday=True,
    ),
    ScheduleSpec(
        "午间政策聚焦",
        Layer.SCHEDULED,
        HALL_LANDSCAPE,
        (_ALL_GANSU, _NOT_INDEPENDENT, TargetSpec(TargetMode.EXCLUDE, TargetKind.HALL, COMMUNITY_HALL)),
        region_playlists={"main": POLICY_FOCUS},
        daypart=(time(12, 0), time(13, 30)),
        rrule=WEEKDAYS,
    ),
    # Every evening until the next morning (crosses midnight): a quieter screen of notices.
    ScheduleSpec(
        "夜间简洁模式",
        Layer.SCHEDULED,
        QUIET_LANDSCAPE,
        (_ALL_GANSU, _NOT_INDEPENDENT),
        daypart=(time(18, 0), time(8, 30)),
    ),
)

# Fixed-date public holidays (元旦, 劳动节, 国庆节); the lunar ones move every year.
FIXED_HOLIDAYS: Final = ((1, 1), (5, 1), (10, 1))


def next_weekday_holiday(today: date) -> date:
    """The first fixed-date public holiday after ``today`` that falls on a weekday."""
    year = today.year
    while True:
        for month, day in FIXED_HOLIDAYS:
            holiday = date(year, month, day)
            if holiday > today and holiday.weekday() < 5:
                return holiday
        year += 1
