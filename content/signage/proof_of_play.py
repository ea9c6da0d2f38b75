"""Proof of play: what each screen showed, tallied per item per UTC hour, and reports over the tallies.

A tally holds snapshots, not foreign keys: the item's kind and title and the screen's name and hall as
they were when last recorded, so a report still names an item or a screen after it was deleted.
Recording adds to the tally of (screen, item, hour) with one ``INSERT … ON CONFLICT DO UPDATE``, which
SQLite and PostgreSQL both run atomically, so two batches of one screen never lose an increment.

A batch may carry the client's id for it. Ids are kept per screen for as long as its plays would be
accepted (``MAX_AGE`` plus the clock skew allowed), so a batch sent again because its acknowledgement
was lost is booked once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, Final, TypeGuard

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    String,
    UniqueConstraint,
    and_,
    case,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.csv_export import Cell, csv_text
from content.db import Base
from content.errors import ContentError, ValidationError
from content.library.items import ContentItem, ItemKind
from content.org.screens import Screen
from content.org.timezones import DEFAULT_TIMEZONE, zone

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_BigId = BigInteger().with_variant(Integer(), "sqlite")

MAX_BATCH: Final = 500  # entries in one batch; a bigger one is refused whole
MAX_BATCH_ID: Final = 64  # characters of a client's batch id
MAX_AGE: Final = timedelta(days=7)  # older plays are refused: a screen offline longer has lost them
MAX_SKEW: Final = timedelta(minutes=5)  # a play may start this far after the server's clock
MAX_SECONDS: Final = 86_400.0  # shown seconds in one entry above this are absurd
MAX_COUNT: Final = 100_000  # plays in one entry above this are absurd
KINDS: Final = frozenset(kind.value for kind in ItemKind)
GROUPS: Final = ("item", "screen", "hour", "day")
UNIQUE_KEY: Final = ("screen_id", "item_id", "hour_start")

CSV_HEADERS: Final = {
    "item": ["内容ID", "类型", "标题", "播放次数", "展示时长（秒）"],
    "screen": ["屏幕ID", "屏幕名称", "播放次数", "展示时长（秒）"],
    "hour": ["时段开始", "播放次数", "展示时长（秒）"],
    "day": ["日期", "播放次数", "展示时长（秒）"],
}
KIND_LABELS: Final = {
    "vacancy": "岗位",
    "notice": "政策公告",
    "media": "图片/视频",
    "ticker": "滚动字幕",
    "training": "培训课程",
    "fair": "招聘会",
    "guide": "办事指南",
    "webpage": "网页",
    "feed": "信息源",
    "document": "文档",
}


class PlayTally(Base):
    """Plays of one item on one screen in one UTC hour; no foreign keys, so deleting either keeps it."""

    __tablename__ = "play_tallies"
    __table_args__ = (UniqueConstraint(*UNIQUE_KEY),)

    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    screen_id: Mapped[int] = mapped_column(Integer)  # the unique key's first column indexes it
    screen_name: Mapped[str] = mapped_column(String(120), default="")
    hall_id: Mapped[int | None] = mapped_column(Integer, index=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    item_kind: Mapped[str] = mapped_column(String(16))
    item_title: Mapped[str] = mapped_column(String(200), default="")
    hour_start: Mapped[datetime] = mapped_column(index=True)
    plays: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class PlayBatch(Base):
    """A batch already booked for a screen, so the same batch sent again is not counted twice."""

    __tablename__ = "play_batches"

    screen_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(MAX_BATCH_ID), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class InvalidPlay(ContentError):
    """One element of a batch is not a play we can book; the message says why."""


@dataclass(frozen=True)
class Play:
    """``count`` showings of one item starting in the hour of ``start``, ``seconds`` on screen in all."""

    item_id: int
    kind: str
    start: datetime
    seconds: float
    count: int = 1


@dataclass(frozen=True)
class RecordResult:
    """How many elements were booked, why the others were not, and whether the batch was a repeat."""

    accepted: int
    rejected: list[str]
    duplicate: bool = False


@dataclass(frozen=True)
class ReportRow:
    """One line of a report; the fields of the other groupings are None."""

    group_by: str
    plays: int
    seconds: float
    item_id: int | None = None
    item_kind: str | None = None
    item_title: str | None = None
    screen_id: int | None = None
    screen_name: str | None = None
    period_start: datetime | None = None  # hour or local midnight, in the report's time zone


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def hour_of(at: datetime) -> datetime:
    """The start of the UTC hour holding ``at``."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_play(element: object) -> Play:
    """A Play from its wire form ``{"id", "kind", "start", "seconds", "count"?}`` (docs/protocol.md §9)."""
    if not isinstance(element, Mapping):
        raise InvalidPlay(f"expected an object with id, kind, start and seconds, got {_shown(element)}")
    item_id = element.get("id")
    if not _whole(item_id) or item_id <= 0:
        raise InvalidPlay(f"id must be a positive integer, got {_shown(item_id)}")
    kind = element.get("kind")
    if kind not in KINDS:
        raise InvalidPlay(f"kind must be one of {', '.join(sorted(KINDS))}, got {_shown(kind)}")
    raw_start = element.get("start")
    try:
        start = datetime.fromisoformat(raw_start) if isinstance(raw_start, str) else None
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        raise InvalidPlay(f"start must be an ISO 8601 time with an offset, got {_shown(raw_start)}")
    seconds = element.get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise InvalidPlay(f"seconds must be a number, got {_shown(seconds)}")
    count = element.get("count", 1)
    if not _whole(count):
        raise InvalidPlay(f"count must be a whole number, got {_shown(count)}")
    return Play(item_id=item_id, kind=kind, start=start, seconds=float(seconds), count=count)


def check_play(play: Play, now: datetime) -> None:
    """Raise InvalidPlay when ``play`` cannot have happened as told, judged by the server clock ``now``."""
    if play.kind not in KINDS:
        raise InvalidPlay(f"kind must be one of {', '.join(sorted(KINDS))}, got {_shown(play.kind)}")
    if not math.isfinite(play.seconds) or not 0 <= play.seconds <= MAX_SECONDS:
        raise InvalidPlay(f"seconds must be between 0 and {MAX_SECONDS:.0f}, got {play.seconds}")
    if not 1 <= play.count <= MAX_COUNT:
        raise InvalidPlay(f"count must be between 1 and {MAX_COUNT}, got {play.count}")
    if play.start.tzinfo is None:
        raise InvalidPlay(f"start {play.start.isoformat()} has no time zone offset")
    if play.start > now + MAX_SKEW:
        raise InvalidPlay(f"start {play.start.isoformat()} is in the future (server time {now.isoformat()})")
    if play.start < now - MAX_AGE:
        raise InvalidPlay(f"start {play.start.isoformat()} is more than {MAX_AGE.days} days old")


def _latest(session: Session, key: Any, value: Any, ids: Collection[int]) -> dict[int, Any]:
    """``value`` of each id's most recent tally (by hour), for ids keyed by the tally column ``key``."""
    if not ids:
        return {}
    last = (
        select(key.label("k"), func.max(PlayTally.hour_start).label("hour"))
        .where(key.in_(ids))
        .group_by(key)
        .subquery()
    )
    rows = session.execute(
        select(key, value)
        .join(last, and_(key == last.c.k, PlayTally.hour_start == last.c.hour))
        .order_by(key, PlayTally.id)
    )
    return {k: v for k, v in rows}  # the newest row of a tie wins


def _screen_snapshot(session: Session, screen_id: int) -> tuple[str, int | None]:
    screen = session.get(Screen, screen_id)
    if screen is not None:
        return screen.name, screen.hall_id
    # A screen deleted while still connected: keep what earlier tallies knew of it.
    names = _latest(session, PlayTally.screen_id, PlayTally.screen_name, [screen_id])
    halls = _latest(session, PlayTally.screen_id, PlayTally.hall_id, [screen_id])
    return names.get(screen_id, ""), halls.get(screen_id)


def _upsert(session: Session) -> Callable[..., Any]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    # The app supports these two only.
    raise ContentError(f"proof of play needs SQLite or PostgreSQL, not {dialect}")  # pragma: no cover


def _already_booked(session: Session, screen_id: int, batch_id: str, now: datetime) -> bool:
    """True when this screen's batch was booked before; otherwise remember it (and forget stale ids)."""
    session.execute(
        delete(PlayBatch).where(PlayBatch.screen_id == screen_id, PlayBatch.received_at < now - MAX_AGE - MAX_SKEW)
    )
    if session.get(PlayBatch, (screen_id, batch_id)) is not None:
        return True
    session.add(PlayBatch(screen_id=screen_id, batch_id=batch_id, received_at=now))
    session.flush()
    return False


def record_plays(
    session: Session,
    screen_id: int,
    plays: Sequence[Play | Mapping[str, Any] | object],
    now: datetime,
    *,
    batch_id: str | None = None,
) -> RecordResult:
    """Add a batch of plays to the screen's tallies; bad elements are skipped with a reason, never raised.

    ``plays`` holds Play values or their wire form. Titles come from the items as they are now (looked
    up once per batch); an item deleted since keeps the title its tallies already had. The caller commits.
    """
    if batch_id is not None and _already_booked(session, screen_id, batch_id, now):
        return RecordResult(accepted=0, rejected=[], duplicate=True)
    rejected: list[tuple[int, str]] = []
    good: list[tuple[int, Play]] = []
    for index, element in enumerate(plays):
        try:
            play = element if isinstance(element, Play) else parse_play(element)
            check_play(play, now)
        except InvalidPlay as err:
            rejected.append((index, str(err)))
            continue
        good.append((index, play))
    if not good:
        return RecordResult(accepted=0, rejected=_reasons(rejected))

    ids = {play.item_id for _, play in good}
    items = {
        row.id: row
        for row in session.execute(
            select(ContentItem.id, ContentItem.kind, ContentItem.title).where(ContentItem.id.in_(ids))
        )
    }
    stored_titles = _latest(session, PlayTally.item_id, PlayTally.item_title, ids - items.keys())
    screen_name, hall_id = _screen_snapshot(session, screen_id)

    sums: dict[tuple[int, datetime], dict[str, Any]] = {}
    accepted = 0
    for index, play in good:
        item = items.get(play.item_id)
        if item is not None and item.kind != play.kind:
            rejected.append((index, f"item {play.item_id} is a {item.kind}, not a {play.kind}"))
            continue
        accepted += 1
        row = sums.setdefault(
            (play.item_id, hour_of(play.start)),
            {
                "screen_id": screen_id,
                "screen_name": screen_name,
                "hall_id": hall_id,
                "item_id": play.item_id,
                "item_kind": play.kind,
                "item_title": item.title if item is not None else stored_titles.get(play.item_id, ""),
                "hour_start": hour_of(play.start),
                "plays": 0,
                "seconds": 0.0,
            },
        )
        row["plays"] += play.count
        row["seconds"] += play.seconds
    if sums:
        table = PlayTally.__table__
        stmt = _upsert(session)(table)
        new = stmt.excluded
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=list(UNIQUE_KEY),
                set_={
                    "plays": table.c.plays + new.plays,
                    "seconds": table.c.seconds + new.seconds,
                    "item_kind": new.item_kind,
                    # An empty snapshot means "not known now": keep what the tally had.
                    "item_title": case((new.item_title == "", table.c.item_title), else_=new.item_title),
                    "screen_name": case((new.screen_name == "", table.c.screen_name), else_=new.screen_name),
                    "hall_id": func.coalesce(new.hall_id, table.c.hall_id),
                },
            ),
            list(sums.values()),
        )
    return RecordResult(accepted=accepted, rejected=_reasons(rejected))


def _reasons(rejected: list[tuple[int, str]]) -> list[str]:
    return [f"plays[{index}]: {message}" for index, message in sorted(rejected)]


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None:
        raise ValidationError.single(name, f"{value.isoformat()} has no time zone offset")


def play_report(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    group_by: str = "item",
    item_id: int | None = None,
    screen_ids: Collection[int] | None = None,
    hall_ids: Collection[int] | None = None,
    timezone: str | tzinfo = DEFAULT_TIMEZONE,
) -> list[ReportRow]:
    """Plays and shown seconds in ``[start, end)``, grouped by item, screen, hour or local day.

    An hour counts when its start lies in the period, so give whole hours (or whole local days).
    ``screen_ids``/``hall_ids`` limit the report to a manager's scope (a deleted screen's tallies keep
    their hall). Names and titles are the latest ones recorded. Groups without plays are left out.
    """
    _aware("start", start)
    _aware("end", end)
    if end <= start:
        raise ValidationError.single("end", f"{end.isoformat()} is not after start {start.isoformat()}")
    if group_by not in GROUPS:
        raise ValidationError.single("group_by", f"must be one of {', '.join(GROUPS)}, got {group_by!r}")
    tz = zone(timezone) if isinstance(timezone, str) else timezone
    filters = [PlayTally.hour_start >= start, PlayTally.hour_start < end]
    if item_id is not None:
        filters.append(PlayTally.item_id == item_id)
    if screen_ids is not None:
        filters.append(PlayTally.screen_id.in_(list(screen_ids)))
    if hall_ids is not None:
        filters.append(PlayTally.hall_id.in_(list(hall_ids)))
    plays = func.sum(PlayTally.plays)
    seconds = func.sum(PlayTally.seconds)

    if group_by == "item":
        rows = session.execute(
            select(PlayTally.item_id, plays, seconds)
            .where(*filters)
            .group_by(PlayTally.item_id)
            .order_by(plays.desc(), PlayTally.item_id)
        ).all()
        ids = [row[0] for row in rows]
        kinds = _latest(session, PlayTally.item_id, PlayTally.item_kind, ids)
        titles = _latest(session, PlayTally.item_id, PlayTally.item_title, ids)
        return [
            ReportRow("item", int(n), float(s), item_id=i, item_kind=kinds.get(i), item_title=titles.get(i))
            for i, n, s in rows
        ]
    if group_by == "screen":
        rows = session.execute(
            select(PlayTally.screen_id, plays, seconds)
            .where(*filters)
            .group_by(PlayTally.screen_id)
            .order_by(PlayTally.screen_id)
        ).all()
        names = _latest(session, PlayTally.screen_id, PlayTally.screen_name, [row[0] for row in rows])
        return [ReportRow("screen", int(n), float(s), screen_id=i, screen_name=names.get(i)) for i, n, s in rows]

    hours = session.execute(
        select(PlayTally.hour_start, plays, seconds)
        .where(*filters)
        .group_by(PlayTally.hour_start)
        .order_by(PlayTally.hour_start)
    ).all()
    if group_by == "hour":
        return [ReportRow("hour", int(n), float(s), period_start=h.astimezone(tz)) for h, n, s in hours]
    days: dict[datetime, list[float]] = {}
    for hour, n, s in hours:
        midnight = datetime.combine(hour.astimezone(tz).date(), time(0), tzinfo=tz)
        total = days.setdefault(midnight, [0, 0.0])
        total[0] += n
        total[1] += s
    return [ReportRow("day", int(n), float(s), period_start=day) for day, (n, s) in days.items()]


def _cells(row: ReportRow) -> list[Cell]:
    totals: list[Cell] = [row.plays, f"{row.seconds:.1f}"]
    if row.group_by == "item":
        kind = KIND_LABELS.get(row.item_kind or "", row.item_kind)
        return [row.item_id, kind, row.item_title, *totals]
    if row.group_by == "screen":
        return [row.screen_id, row.screen_name, *totals]
    if row.group_by == "hour":
        return [row.period_start.isoformat(timespec="minutes") if row.period_start else "", *totals]
    return [row.period_start.date().isoformat() if row.period_start else "", *totals]


def report_csv(rows: Iterable[ReportRow], *, group_by: str | None = None) -> str:
    """The report as CSV for Excel: UTF-8 with a BOM, Chinese headers, no cell a spreadsheet would run.

    ``group_by`` picks the header when ``rows`` is empty (else it is the rows' own).
    """
    rows = list(rows)
    group = group_by or (rows[0].group_by if rows else "item")
    if group not in CSV_HEADERS:
        raise ValidationError.single("group_by", f"must be one of {', '.join(GROUPS)}, got {group!r}")
    return csv_text(CSV_HEADERS[group], [_cells(row) for row in rows])
