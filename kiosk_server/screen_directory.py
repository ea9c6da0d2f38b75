"""The screen directory: who a connecting screen key belongs to, answered from memory and dropped on change.

A connect storm (a restart, a network coming back to a province) used to cost one query per
connection. The directory reads every screen in one query when it holds none, then answers known
keys from memory. It stays true by the outbox (``content/outbox.py``), which every change commits
with, in whatever process it was made: at most every ``REVISION_CHECK_SECONDS`` (one check shared by
a burst of connects, as the manifest book does) it numbers the committed rows and, when the revision
moved, reads the rows in between and drops what they may have changed: the screen of a ``screen``
row, the screens of a ``hall`` row's hall, everything for any other kind that is not plain content
(org units, screen groups, imports, anything unknown). So a key changed, or a screen deleted or moved,
more than about ``REVISION_CHECK_SECONDS`` after its change committed is never accepted from memory.
That holds for changes that commit an outbox row, as the API and the console do: whoever changes a
screen or a hall some other way (SQL by hand) must add one (``kind`` ``screen``, ``hall``) or restart.

A key the directory does not hold is looked up in the database, as before. An unknown key is not
remembered: keys are random, so a negative cache would only fill memory for whoever sends new ones,
and a screen created a moment ago must connect at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from content import outbox
from content.org.screens import Screen
from content.org.tree import Hall
from kiosk_server.database import Database

log = logging.getLogger(__name__)

# How long a revision check is trusted, and so how long a changed key may still be accepted.
REVISION_CHECK_SECONDS: Final = 0.5
# More rows than this since the last check (an import, a restored database): forget everything instead.
MAX_CHANGES_READ: Final = 500
# Outbox kinds that cannot change a screen's key, its facts or its hall: they leave the directory alone.
CONTENT_KINDS: Final = frozenset(
    {"vacancy", "employer", "policy_notice", "media", "ticker", "layout", "playlist", "schedule", "emergency"}
    | {"training"}  # training courses (content.library.training.courses)
    | {"fair"}  # job fairs (content.library.fairs.job_fairs)
    | {"webpage", "feed"}  # web page and data feed items (content.library.widgets.web_pages, data_feeds)
)


@dataclass(frozen=True, slots=True)
class HallFacts:
    id: int
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ScreenFacts:
    """What ``welcome`` says about a screen (docs/protocol.md §3), as of the last check."""

    id: int
    name: str
    kind: str
    panel: str
    width: int
    height: int
    orientation: str
    low_resolution: bool
    hall: HallFacts

    def welcome(self) -> dict[str, Any]:
        """The ``screen`` object of the ``welcome`` event (a new dict: the caller may keep it)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "panel": self.panel,
            "width": self.width,
            "height": self.height,
            "orientation": self.orientation,
            "low_resolution": self.low_resolution,
            "hall": {"id": self.hall.id, "name": self.hall.name, "timezone": self.hall.timezone},
        }


_COLUMNS: Final = (
    Screen.key,
    Screen.id,
    Screen.name,
    Screen.kind,
    Screen.panel,
    Screen.width_px,
    Screen.height_px,
    Screen.orientation,
    Hall.id.label("hall_id"),
    Hall.name.label("hall_name"),
    Hall.timezone.label("hall_timezone"),
)


# The low-resolution rule's one home is the model's property; it reads only panel, width_px and height_px.
_LOW_RESOLUTION: Final[Callable[[Any], bool]] = vars(Screen)["low_resolution"].fget


def _facts(row: Any, halls: dict[int, HallFacts]) -> ScreenFacts:
    hall = halls.get(row.hall_id)
    if hall is None:  # one shared object per hall: a province's screens name a few hundred halls
        hall = halls[row.hall_id] = HallFacts(row.hall_id, row.hall_name, row.hall_timezone)
    low_resolution = bool(_LOW_RESOLUTION(row))
    return ScreenFacts(
        row.id, row.name, row.kind, row.panel, row.width_px, row.height_px, row.orientation, low_resolution, hall
    )


class ScreenDirectory:
    """Screen key → ``ScreenFacts``, from memory for known keys; safe to share between greenlets and threads."""

    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._db = db
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._by_key: dict[str, ScreenFacts] = {}
        self._key_of: dict[int, str] = {}  # screen id → key, to drop a changed screen whose key is unknown
        self._complete = False  # every screen was read since the last time everything was dropped
        self._revision: int | None = None  # what the entries reflect: every change numbered up to it
        self._checked_at = float("-inf")
        self._failed_at = float("-inf")

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_key)

    def find(self, key: str) -> ScreenFacts | None:
        """The screen with this key, or None when no screen has it (as of at most REVISION_CHECK_SECONDS ago)."""
        with self._lock:
            if self._checked():
                found = self._by_key.get(key)
                if found is not None:
                    return found
                if not self._complete:
                    self._load_all()
                    return self._by_key.get(key)
            revision = self._revision
        # A key not held (a screen created since the last check, or no screen at all), or no check to
        # trust: ask the database, outside the lock, so a stream of unknown keys does not hold up the rest.
        with self._db.session() as session:
            rows = session.execute(
                select(*_COLUMNS)
                .join(Hall, Screen.hall_id == Hall.id)
                .where(Screen.key == key, Screen.retired_at.is_(None))
            )
            row = rows.first()
        if row is None:
            return None
        facts = _facts(row, {})
        with self._lock:
            # Only if no check moved the revision meanwhile: one that did may have dropped this screen
            # before it was added, and the row read may be older than that change.
            if self._revision == revision:
                self._add(key, facts)
        return facts

    def _checked(self) -> bool:
        """Whether what is held is as of a check at most REVISION_CHECK_SECONDS old, checking now if needed (lock held).

        A check that fails (the outbox locked past the lock timeout while a restarted server's screens
        all reconnect, as in tests/kiosk_server/test_hello_retry.py) is not tried again for as long:
        meanwhile every key is read from the screens table, as before the directory, which that lock
        does not hold up. A database that is down fails that read too, and the connect is refused.
        """
        began = self._monotonic()
        if began - self._checked_at < REVISION_CHECK_SECONDS:
            return True
        if began - self._failed_at < REVISION_CHECK_SECONDS:
            return False
        try:
            self._check(began)
        except SQLAlchemyError as err:
            self._failed_at = began
            log.debug("screen directory: revision check failed (%s); reading keys from the database", err)
            return False
        return True

    def _check(self, began: float) -> None:
        """Drop what changed since the last check (lock held)."""
        changes: Sequence[Any] = ()
        with self._db.session() as session:
            revision = outbox.number_committed(session)
            session.commit()  # at once: numbering holds the outbox head's lock until the transaction ends
            previous = self._revision
            if previous is not None and revision > previous:
                changes = session.execute(
                    select(outbox.OutboxEvent.topic, outbox.OutboxEvent.payload)
                    .where(outbox.OutboxEvent.seq > previous, outbox.OutboxEvent.seq <= revision)
                    .limit(MAX_CHANGES_READ + 1)
                ).all()
        # Only now that all is read: a check that failed half-way leaves the revision where it was.
        if previous is None or revision < previous or len(changes) > MAX_CHANGES_READ:
            # The first check (keys read while none had worked cover no known revision), a database
            # restored from a backup, or too much to go through.
            self._drop_all()
        else:
            self._drop(changes)
        self._revision = revision
        self._checked_at = began

    def _drop(self, changes: Sequence[Any]) -> None:
        screens: set[int] = set()
        halls: set[int] = set()
        for topic, payload in changes:
            kind = payload.get("kind") if isinstance(payload, dict) else None
            ident = payload.get("id") if isinstance(payload, dict) else None
            if topic == "transition" or (topic == "content" and kind in CONTENT_KINDS):
                continue
            if topic == "content" and kind == "screen" and isinstance(ident, int):
                screens.add(ident)
            elif topic == "content" and kind == "hall" and isinstance(ident, int):
                halls.add(ident)
            else:  # anything else, or a row without an id: in doubt, drop everything
                self._drop_all()
                return
        if halls:
            screens |= {facts.id for facts in self._by_key.values() if facts.hall.id in halls}
        self._drop_screens(screens)

    def _drop_screens(self, screen_ids: Iterable[int]) -> None:
        for screen_id in screen_ids:
            key = self._key_of.pop(screen_id, None)
            if key is not None:
                self._by_key.pop(key, None)

    def _drop_all(self) -> None:
        self._by_key.clear()
        self._key_of.clear()
        self._complete = False

    def _load_all(self) -> None:
        """Read every screen in one query (lock held: a burst of connects waits for this one read)."""
        with self._db.session() as session:
            rows = session.execute(
                select(*_COLUMNS).join(Hall, Screen.hall_id == Hall.id).where(Screen.retired_at.is_(None))
            ).all()
        halls: dict[int, HallFacts] = {}
        for row in rows:
            self._add(row.key, _facts(row, halls))
        self._complete = True

    def _add(self, key: str, facts: ScreenFacts) -> None:
        stale = self._key_of.get(facts.id)
        if stale is not None and stale != key:
            self._by_key.pop(stale, None)
        self._by_key[key] = facts
        self._key_of[facts.id] = key
