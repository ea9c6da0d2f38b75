"""The fleet view's data: every screen's delivery state, filtered, summarised and paged.

A screen is in one of four states (docs/protocol.md §5):

* ``current`` (green): online and showing the version its manifest group has now;
* ``behind`` (amber): online but showing another version, or none yet, or its group is not known;
* ``offline`` (red): not connected, or nothing heard for ``offline_after``;
* ``never`` (grey): no heartbeat was ever recorded for it.

What a screen last said comes from two places: the ``screen_status`` rows (flushed every 15 s, and
the only source for screens connected to another server process) and, optionally, the live beats
this process holds in memory. The newer of the two wins.

Cost: one column-only query, ordered by hall and screen name, returns a light tuple for every
screen that passes the SQL filters (scope, org subtree, hall, search); states, facet counts, the
status and kind filters, sorting and paging happen on those tuples in Python, because the expected
version depends on the manifest group and on live beats the database does not hold. Two small
queries then fetch the names and the kiosks' reader rows of the page's screens only. No ORM
objects are loaded.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from operator import itemgetter
from typing import Final, Protocol, TypeVarTuple

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import GOOD_STATES, ReaderState, ReaderStatus
from content.citizens.kiosk_printers import PrinterStatus
from content.errors import ValidationError
from content.org.screens import Screen, ScreenKind, ScreenStatus
from content.org.tree import Hall, OrgUnit

MAX_PAGE_SIZE: Final = 200
DEFAULT_PAGE_SIZE: Final = 50
MAX_SEARCH: Final = 100

_Row = TypeVarTuple("_Row")  # the column types of a query that ``_filtered`` narrows


class FleetState(StrEnum):
    CURRENT = "current"
    BEHIND = "behind"
    OFFLINE = "offline"
    NEVER = "never"

    @property
    def colour(self) -> str:
        return _COLOURS[self]


_COLOURS: Final = {
    FleetState.CURRENT: "green",
    FleetState.BEHIND: "amber",
    FleetState.OFFLINE: "red",
    FleetState.NEVER: "grey",
}


class StatusFilter(StrEnum):
    """What the status filter may ask for: one state, or ``online`` (current and behind together)."""

    ONLINE = "online"
    CURRENT = "current"
    BEHIND = "behind"
    OFFLINE = "offline"
    NEVER = "never"


_STATUS_STATES: Final[dict[StatusFilter, frozenset[FleetState]]] = {
    StatusFilter.ONLINE: frozenset({FleetState.CURRENT, FleetState.BEHIND}),
    StatusFilter.CURRENT: frozenset({FleetState.CURRENT}),
    StatusFilter.BEHIND: frozenset({FleetState.BEHIND}),
    StatusFilter.OFFLINE: frozenset({FleetState.OFFLINE}),
    StatusFilter.NEVER: frozenset({FleetState.NEVER}),
}


class FleetSort(StrEnum):
    ATTENTION = "attention"  # offline, behind, never seen (usually not installed yet), current; then hall, name
    STALEST = "stalest"  # never seen first, then the longest silent; then hall, name
    RECENT = "recent"  # the most recently heard first, never seen last
    HALL = "hall"  # hall, name


class Heard(Protocol):
    """A live heartbeat as the server holds it in memory (``kiosk_server.heartbeats.Beat`` fits)."""

    @property
    def at(self) -> datetime: ...

    @property
    def version(self) -> str | None: ...

    @property
    def connected(self) -> bool: ...


class LiveBeats(Protocol):
    """Latest live beat by screen id; a ``Mapping[int, Heard]`` fits."""

    def get(self, screen_id: int, /) -> Heard | None: ...


ExpectedVersions = Mapping[int, str] | Callable[[int], str | None]


@dataclass(frozen=True)
class FleetFilter:
    """What the manager asked to see; every field is optional and they combine with AND."""

    org_unit_id: int | None = None  # that node and everything below it
    hall_id: int | None = None
    kind: str | None = None  # a ScreenKind value
    status: str | None = None  # a StatusFilter value
    search: str | None = None  # part of the screen's or the hall's name
    sort: str = FleetSort.ATTENTION.value
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        if self.kind is not None and self.kind not in ScreenKind.__members__.values():
            errors["kind"] = f"unknown screen kind {self.kind!r}; use one of {', '.join(ScreenKind)}"
        if self.status is not None and self.status not in StatusFilter.__members__.values():
            errors["status"] = f"unknown status {self.status!r}; use one of {', '.join(StatusFilter)}"
        if self.sort not in FleetSort.__members__.values():
            errors["sort"] = f"unknown sort {self.sort!r}; use one of {', '.join(FleetSort)}"
        if self.page < 1:
            errors["page"] = f"page {self.page} is below 1"
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            errors["page_size"] = f"page_size {self.page_size} is outside 1..{MAX_PAGE_SIZE}"
        if self.search is not None and len(self.search) > MAX_SEARCH:
            errors["search"] = f"search text is {len(self.search)} characters long; at most {MAX_SEARCH}"
        if errors:
            raise ValidationError(errors)
        if self.search is not None:
            object.__setattr__(self, "search", self.search.strip() or None)


@dataclass(frozen=True)
class ReaderLine:
    reader_id: str
    kind: str
    state: str
    message: str
    reason: str = ""  # a fault's code
    repeated: int = 1  # how often the agent saw the fault in its last interval
    last_good_read_at: datetime | None = None


# Worst first: what a kiosk's reader summary shows when its readers disagree.
_READER_SEVERITY: Final = (
    ReaderState.FAULT.value,
    ReaderState.DETACHED.value,
    ReaderState.UNKNOWN.value,
    ReaderState.READING.value,
    ReaderState.IDLE.value,
    ReaderState.ATTACHED.value,
)


@dataclass(frozen=True)
class ReaderSummary:
    """A kiosk's readers as its agent last reported them (empty: the agent never reported any)."""

    readers: tuple[ReaderLine, ...]

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(line.state for line in self.readers))

    @property
    def worst(self) -> str | None:
        """The most severe reader state (fault > detached > unknown > the good ones), or None without readers."""
        states = {line.state for line in self.readers}
        return next((s for s in _READER_SEVERITY if s in states), None)

    @property
    def all_attached(self) -> bool:
        """Every reader reported and working (attached, idle or reading)."""
        good = {state.value for state in GOOD_STATES}
        return bool(self.readers) and all(line.state in good for line in self.readers)


@dataclass(frozen=True)
class PrinterLine:
    """A kiosk's printer of one role as its agent last reported it (states: content/citizens/kiosk_printers.py)."""

    role: str
    kind: str
    state: str
    message: str
    paper_mm: int | None = None


@dataclass(frozen=True)
class FleetRow:
    screen_id: int
    name: str
    kind: str
    hall_id: int
    hall_name: str
    org_unit_id: int
    org_unit_name: str
    state: FleetState
    last_seen_at: datetime | None
    connected: bool
    shown_version: str | None
    expected_version: str | None
    readers: ReaderSummary | None  # kiosks only
    printers: tuple[PrinterLine, ...] | None = None  # kiosks only: slip first; empty when none is reported


@dataclass(frozen=True)
class FleetSummary:
    """Facet counts: ``by_state`` ignores the status filter, ``by_kind`` ignores the kind filter.

    So each count says how many screens that choice would show, all other filters applied; with
    neither filter set both add up to the whole filtered set.
    """

    by_state: Mapping[FleetState, int]
    by_kind: Mapping[str, int]

    @property
    def online(self) -> int:
        return self.by_state[FleetState.CURRENT] + self.by_state[FleetState.BEHIND]


@dataclass(frozen=True)
class FleetPage:
    rows: list[FleetRow]
    total: int  # screens matching every filter
    page: int  # the page shown: the one asked for, or the last one when that was beyond the end
    page_size: int
    pages: int  # at least 1, even when nothing matches
    summary: FleetSummary
    filters: FleetFilter = field(repr=False)


# A screen that passed every filter: id, kind, state code, and the merged last seen, connected, shown version.
_Matched = tuple[int, str, int, datetime | None, bool, str | None]
_CODE, _SEEN = 2, 3
# States as small ints in the per-screen loop (list-indexed counters, no enum hashing per screen);
# the code is also the rank under the ``attention`` sort.
_STATES: Final = (FleetState.OFFLINE, FleetState.BEHIND, FleetState.NEVER, FleetState.CURRENT)
_OFFLINE, _BEHIND, _NEVER, _CURRENT = range(4)
_NO_TIME: Final = datetime.min.replace(tzinfo=UTC)


def _filtered(
    query: Select[*_Row], filt: FleetFilter, scope_path: str | None, scope_hall_id: int | None
) -> Select[*_Row]:
    """``query`` (over screens joined to their hall) narrowed to the scope and the filters SQL can apply."""
    query = query.where(Screen.retired_at.is_(None))  # retired screens are history, not fleet
    if scope_path is not None or filt.org_unit_id is not None:
        query = query.join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
    if scope_path is not None:
        # Matched literally (autoescape): a path that names no node, such as "/nowhere/", matches nothing.
        query = query.where(OrgUnit.path.startswith(scope_path, autoescape=True))
    if scope_hall_id is not None:
        query = query.where(Screen.hall_id == scope_hall_id)
    if filt.org_unit_id is not None:
        # The node's own path as a subquery: an unknown node, or one outside the scope, matches nothing.
        node_path = select(OrgUnit.path).where(OrgUnit.id == filt.org_unit_id).scalar_subquery()
        query = query.where(OrgUnit.path.startswith(node_path))
    if filt.hall_id is not None:
        query = query.where(Screen.hall_id == filt.hall_id)
    if filt.search:
        query = query.where(
            or_(Screen.name.icontains(filt.search, autoescape=True), Hall.name.icontains(filt.search, autoescape=True))
        )
    return query


def _expected_lookup(expected_versions: ExpectedVersions) -> Callable[[int], str | None]:
    if isinstance(expected_versions, Mapping):
        return expected_versions.get
    return expected_versions


def fleet_page(
    session: Session,
    filt: FleetFilter,
    *,
    now: datetime,
    expected_versions: ExpectedVersions,
    offline_after: timedelta,
    live: LiveBeats | None = None,
    scope_path: str | None = None,
    scope_hall_id: int | None = None,
) -> FleetPage:
    """One page of the fleet with facet counts over everything that matches ``filt`` within ``scope_path``.

    ``scope_path`` (an org path such as ``/1/4/``) is the signed-in manager's own node, and
    ``scope_hall_id`` the one hall of a hall-bound account (``content.accounts.access.Scope`` holds both):
    screens outside them never appear, whatever the filter says. ``offline_after`` is how long
    a connected screen may stay silent before it counts as offline (``kiosk_server.fleet_status``
    derives it from the heartbeat period). Hall and screen names sort in the database's collation.
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    expected = _expected_lookup(expected_versions)
    cutoff = now - offline_after
    wanted = {_STATES.index(s) for s in _STATUS_STATES[StatusFilter(filt.status)]} if filt.status is not None else None
    want_kind = filt.kind
    by_state = [0, 0, 0, 0]
    by_kind: dict[str, int] = {}
    matched: list[_Matched] = []

    query = _filtered(
        select(Screen.id, Screen.kind, ScreenStatus.last_seen_at, ScreenStatus.connected, ScreenStatus.manifest_version)
        .join(Hall, Hall.id == Screen.hall_id)
        .outerjoin(ScreenStatus, ScreenStatus.screen_id == Screen.id)
        .order_by(Hall.name, Screen.name, Screen.id),
        filt,
        scope_path,
        scope_hall_id,
    )
    # Through the session's connection: Core rows skip the ORM's result machinery, a sixth of the time
    # for 10,000 rows. The flip side: no autoflush, so flush first if this session holds pending changes.
    for screen_id, kind, seen, connected, shown in session.connection().execute(query):
        beat = live.get(screen_id) if live is not None else None
        if beat is not None and (seen is None or beat.at >= seen):
            seen, connected, shown = beat.at, beat.connected, beat.version
        if seen is None:
            code = _NEVER
        elif not connected or seen < cutoff:
            code = _OFFLINE
        elif shown is not None and shown == expected(screen_id):
            code = _CURRENT
        else:
            code = _BEHIND
        kind_ok = want_kind is None or kind == want_kind
        state_ok = wanted is None or code in wanted
        if kind_ok:
            by_state[code] += 1
        if state_ok:
            by_kind[kind] = by_kind.get(kind, 0) + 1
        if kind_ok and state_ok:
            matched.append((screen_id, kind, code, seen, bool(connected), shown))

    _sort(matched, FleetSort(filt.sort))  # stable: ties keep the hall, name order of the query
    total = len(matched)
    pages = max(1, math.ceil(total / filt.page_size))
    page = min(filt.page, pages)
    chosen = matched[(page - 1) * filt.page_size : page * filt.page_size]
    summary = FleetSummary(
        by_state={state: by_state[code] for code, state in enumerate(_STATES)},
        by_kind={k.value: 0 for k in ScreenKind} | by_kind,
    )
    return FleetPage(
        rows=_rows(session, chosen, expected),
        total=total,
        page=page,
        page_size=filt.page_size,
        pages=pages,
        summary=summary,
        filters=filt,
    )


def _sort(matched: list[_Matched], sort: FleetSort) -> None:
    if sort is FleetSort.ATTENTION:
        matched.sort(key=itemgetter(_CODE))
    elif sort is FleetSort.STALEST:
        matched.sort(key=lambda m: (m[_SEEN] is not None, m[_SEEN] or _NO_TIME))
    elif sort is FleetSort.RECENT:
        matched.sort(key=lambda m: (m[_SEEN] is not None, m[_SEEN] or _NO_TIME), reverse=True)


def _rows(session: Session, chosen: list[_Matched], expected: Callable[[int], str | None]) -> list[FleetRow]:
    """The page's rows, with names and reader summaries fetched for these screens only."""
    if not chosen:
        return []
    ids = [m[0] for m in chosen]
    names = {
        row[0]: row
        for row in session.execute(
            select(Screen.id, Screen.name, Hall.id, Hall.name, OrgUnit.id, OrgUnit.name)
            .join(Hall, Hall.id == Screen.hall_id)
            .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
            .where(Screen.id.in_(ids))
        )
    }
    kiosk_ids = [m[0] for m in chosen if m[1] == ScreenKind.KIOSK.value]
    readers = _reader_summaries(session, kiosk_ids)
    printers = _printer_lines(session, kiosk_ids)
    rows = []
    for screen_id, kind, code, seen, connected, shown in chosen:
        _, name, hall_id, hall_name, org_id, org_name = names[screen_id]
        rows.append(
            FleetRow(
                screen_id=screen_id,
                name=name,
                kind=kind,
                hall_id=hall_id,
                hall_name=hall_name,
                org_unit_id=org_id,
                org_unit_name=org_name,
                state=_STATES[code],
                last_seen_at=seen,
                connected=connected,
                shown_version=shown,
                expected_version=expected(screen_id),
                readers=readers.get(screen_id),
                printers=printers.get(screen_id),
            )
        )
    return rows


def _reader_summaries(session: Session, kiosk_ids: Sequence[int]) -> dict[int, ReaderSummary]:
    if not kiosk_ids:
        return {}
    lines: dict[int, list[ReaderLine]] = {screen_id: [] for screen_id in kiosk_ids}
    found = session.execute(
        select(
            ReaderStatus.screen_id,
            ReaderStatus.reader_id,
            ReaderStatus.kind,
            ReaderStatus.state,
            ReaderStatus.message,
            ReaderStatus.reason,
            ReaderStatus.repeated,
            ReaderStatus.last_good_read_at,
        )
        .where(ReaderStatus.screen_id.in_(list(kiosk_ids)))
        .order_by(ReaderStatus.screen_id, ReaderStatus.reader_id)
    )
    for screen_id, reader_id, kind, state, message, reason, repeated, last_good in found:
        lines[screen_id].append(ReaderLine(reader_id, kind, state, message, reason, repeated, last_good))
    return {screen_id: ReaderSummary(tuple(found_lines)) for screen_id, found_lines in lines.items()}


def _printer_lines(session: Session, kiosk_ids: Sequence[int]) -> dict[int, tuple[PrinterLine, ...]]:
    if not kiosk_ids:
        return {}
    lines: dict[int, list[PrinterLine]] = {screen_id: [] for screen_id in kiosk_ids}
    found = session.execute(
        select(
            PrinterStatus.screen_id,
            PrinterStatus.role,
            PrinterStatus.kind,
            PrinterStatus.state,
            PrinterStatus.message,
            PrinterStatus.paper_mm,
        ).where(PrinterStatus.screen_id.in_(list(kiosk_ids)))
    )
    for screen_id, role, kind, state, message, paper_mm in found:
        lines[screen_id].append(PrinterLine(role, kind, state, message, paper_mm))
    return {
        screen_id: tuple(sorted(found_lines, key=lambda line: line.role != "slip"))
        for screen_id, found_lines in lines.items()
    }


def offline_after_for(heartbeat_seconds: float, flush_seconds: float) -> timedelta:
    """How long a screen may stay silent before it counts as offline.

    2.5 heartbeat periods: clients jitter their beats by ±20 %, so one lost beat plus jitter is
    2.4 periods (docs/protocol.md §5 says two periods, which a single late beat would already
    cross). Never less than one jittered period plus a flush interval, because a screen
    connected to another server process is only seen through ``screen_status``, which lags by up
    to ``flush_seconds`` (it matters only for very short heartbeat periods).
    """
    return timedelta(seconds=max(2.5 * heartbeat_seconds, 1.2 * heartbeat_seconds + flush_seconds))
