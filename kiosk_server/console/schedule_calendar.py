"""The schedules' week calendar: each schedule's occurrences in one local week, as blocks a page positions by CSS.

A block is one schedule on one local day, in minutes from that day's midnight; an occurrence that
crosses midnight becomes two blocks. Default-layer schedules are always on: they are the columns'
background. The other blocks of a day share its width in lanes, so overlapping dayparts and
campaigns stand side by side (the one on air is the highest layer, then the highest priority).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from content.signage.schedules import Layer, Schedule, occurrences

DAY_MINUTES: Final = 24 * 60
# The shortest a block is drawn, in minutes of the day column (672 px a day: 45 minutes are 21 px, one
# line of its name). A shorter block keeps its real times in its tooltip and accessible name, and the
# lanes leave it this much room, so a 15-minute block is never a sliver nor covered by the next one.
SHORTEST_DRAWN: Final = 45


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Block:
    schedule: Schedule
    day: int  # 0 = Monday
    start: int  # minutes after local midnight
    end: int
    lane: int = 0
    lanes: int = 1

    @property
    def top(self) -> float:
        return round(100 * self.start / DAY_MINUTES, 3)

    @property
    def drawn_end(self) -> int:
        """Where the block is drawn to: at least SHORTEST_DRAWN after its start, within the day."""
        return min(DAY_MINUTES, max(self.end, self.start + SHORTEST_DRAWN))

    @property
    def short(self) -> bool:
        return self.end - self.start < SHORTEST_DRAWN

    @property
    def height(self) -> float:
        return round(100 * (self.drawn_end - self.start) / DAY_MINUTES, 3)

    @property
    def left(self) -> float:
        return round(100 * self.lane / self.lanes, 3)

    @property
    def width(self) -> float:
        return round(100 / self.lanes, 3)

    @property
    def rank(self) -> Layer:
        return Layer.parse(self.schedule.layer)

    def clock(self, minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    @property
    def span(self) -> str:
        return f"{self.clock(self.start)}–{self.clock(self.end)}"


@dataclass(frozen=True)
class Week:
    monday: date
    tz: ZoneInfo
    blocks: tuple[Block, ...]  # scheduled and campaign layers, in lanes
    backgrounds: tuple[Block, ...]  # the default layer, whole days
    now: tuple[int, float] | None  # (day, top %) of the current instant when it falls in this week

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    def on(self, day: int) -> list[Block]:
        return [b for b in self.blocks if b.day == day]

    def behind(self, day: int) -> list[Block]:
        return [b for b in self.backgrounds if b.day == day]


def _split(schedule: Schedule, start: datetime, end: datetime, monday: date, tz: ZoneInfo) -> list[Block]:
    """The local-day pieces of one UTC interval, within the week starting ``monday``."""
    pieces = []
    for n in range(7):
        day = monday + timedelta(days=n)
        lo, hi = max(start, _midnight(day, tz)), min(end, _midnight(day + timedelta(days=1), tz))
        if lo < hi:
            base = _midnight(day, tz)
            pieces.append(
                Block(
                    schedule,
                    n,
                    int((lo - base).total_seconds() // 60),
                    min(DAY_MINUTES, int(-(-(hi - base).total_seconds() // 60))),
                )
            )
    return pieces


def _lanes(blocks: list[Block]) -> list[Block]:
    """Greedy lanes per day: a block takes the first lane free at its start; a day's blocks share its width."""
    placed: list[Block] = []
    for n in range(7):
        day = sorted((b for b in blocks if b.day == n), key=lambda b: (b.start, -b.rank, b.schedule.id))
        ends: list[int] = []
        lanes: list[int] = []
        for block in day:
            lane = next((i for i, end in enumerate(ends) if end <= block.start), len(ends))
            if lane == len(ends):
                ends.append(block.drawn_end)
            else:
                ends[lane] = block.drawn_end
            lanes.append(lane)
        count = max(1, len(ends))
        placed.extend(Block(b.schedule, b.day, b.start, b.end, lane, count) for b, lane in zip(day, lanes, strict=True))
    return placed


def build_week(schedules: Sequence[Schedule], tz: ZoneInfo, monday: date, now: datetime) -> Week:
    """The blocks of ``schedules`` in the local week (in ``tz``) that starts on ``monday``."""
    lo, hi = _midnight(monday, tz), _midnight(monday + timedelta(days=7), tz)
    blocks: list[Block] = []
    backgrounds: list[Block] = []
    for schedule in schedules:
        default = Layer.parse(schedule.layer) is Layer.DEFAULT
        for start, end in occurrences(schedule, tz, lo, hi):
            (backgrounds if default else blocks).extend(_split(schedule, start, end, monday, tz))
    marker = None
    if lo <= now < hi:
        local = now.astimezone(tz)
        day = (local.date() - monday).days
        marker = (day, round(100 * (local.hour * 60 + local.minute) / DAY_MINUTES, 3))
    return Week(monday, tz, tuple(_lanes(blocks)), tuple(backgrounds), marker)
