"""The live match index: one ``MatchIndex`` per process, kept up to date from the outbox before each query.

Loaded on first use from every published vacancy not yet past its window (visibility from a hall and
the windows are checked per query, by the index). Before each query the outbox rows committed since
say what changed (docs/architecture.md, "Incremental publishing"), and only that is read again:

| rows | what the index does |
|---|---|
| ``content`` rows of kind ``vacancy`` with an id | re-reads those vacancies: upserts the published ones, removes the others |
| schedules, emergencies, layouts, playlists, screens, groups, notices, media, tickers, voice packs, ``transition`` | nothing: no vacancy changed |
| employers (a vacancy shows its name), org units, halls, imports (no id), more than 500 rows, anything else | a full reload |

Everything is also read again every 15 minutes, a safety net that also lets vacancies whose window
ended leave memory; that reading happens in the background while the old index keeps answering, and
the new one then catches up from the revision it was read at. A lock serialises refreshing and
querying (the server runs threads or gevent greenlets); building an index from rows, pure work, runs
off the serving loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from content import outbox
from content.library.items import ItemStatus, Vacancy
from content.matching.index import MatchIndex, MatchPage
from content.matching.postings import JobPosting, posting_from
from content.matching.seekers import Seeker
from content.matching.weights import Weights
from kiosk_server.database import Database
from kiosk_server.off_loop import run_off_loop
from kiosk_server.settings_access import runtime, settings

log = logging.getLogger(__name__)

FULL_RELOAD_SECONDS: Final = 15 * 60
MAX_NAMED_CHANGES: Final = 500
EXTENSION: Final = "kiosk_match_book"
# Kinds whose changes no vacancy shows (a vacancy's employer name does: ``employer`` reloads everything).
IGNORED_KINDS: Final = frozenset(
    {
        "schedule",
        "emergency",
        "layout",
        "playlist",
        "screen",
        "screen_group",
        "notice",
        "policy_notice",
        "media",
        "ticker",
        "training",  # training courses (content.library.training.courses): no vacancy shows them
        "fair",  # job fairs (content.library.fairs.job_fairs): they link vacancies, never change them
        "webpage",  # web pages and data feeds (issue 23): no vacancy in them
        "feed",
        "voice_pack",
    }
)


@dataclass(frozen=True)
class VacancyChanges:
    """The vacancies a batch of outbox rows names, or ``everything`` when that cannot be told."""

    ids: frozenset[int] = frozenset()
    everything: bool = False

    @classmethod
    def of(cls, rows: Iterable[tuple[str, Mapping[str, Any]]]) -> VacancyChanges:
        """Classify outbox rows (topic, payload) as the table in this module's docstring says."""
        named = outbox.named_changes(rows, MAX_NAMED_CHANGES)
        if named is None:
            return cls(everything=True)  # an import, the demo seed, a topic of the future, too many rows
        ids: set[int] = set()
        for kind, ident in named:
            if kind == "vacancy":
                ids.add(ident)
            elif kind not in IGNORED_KINDS:
                return cls(everything=True)  # employers, org units, halls, anything unknown
        return cls(frozenset(ids))


def _live_or_coming(at: datetime) -> list[Any]:
    return [Vacancy.status == ItemStatus.PUBLISHED.value, or_(Vacancy.valid_until.is_(None), Vacancy.valid_until > at)]


def _build(weights: Weights, postings: list[JobPosting]) -> MatchIndex:
    index = MatchIndex(weights)
    for posting in postings:
        index.upsert(posting)
    return index


class MatchBook:
    """The process's match index at the latest outbox revision it has seen."""

    def __init__(self, db: Database, weights: Weights, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._weights = weights
        self._clock = clock
        self._lock = threading.Lock()
        self._index: MatchIndex | None = None
        self._revision = 0
        self._loaded_at = float("-inf")
        self._rebuilding = False
        self.full_reloads = 0  # how often everything was read (tests and benchmarks watch it)
        self.reread = 0  # vacancies read again by name

    @property
    def weights(self) -> Weights:
        return self._weights

    def top(
        self, seeker: Seeker, *, visible_units: Collection[int], at: datetime, limit: int = 10, offset: int = 0
    ) -> MatchPage:
        """The best matches for ``seeker`` among the vacancies live at ``at`` in ``visible_units``, up to date."""
        self._rebuild_if_due()
        with self._lock:
            index = self._refresh()
            return index.top(seeker, visible_units=visible_units, at=at, limit=limit, offset=offset)

    def __len__(self) -> int:
        with self._lock:
            return len(self._index) if self._index is not None else 0

    def _refresh(self) -> MatchIndex:
        """The index at the current revision: read in full on first use, or when the changes say so."""
        with self._db.session() as session:
            revision = _numbered_revision(session)
            index = self._index
            if index is not None and revision == self._revision:
                return index
            changes = (
                VacancyChanges(everything=True)
                if index is None
                else VacancyChanges.of(outbox.changes_between(session, self._revision, revision, MAX_NAMED_CHANGES + 1))
            )
            # Read after the revision: the rows hold every change numbered up to it, maybe more.
            if changes.everything or index is None:
                return self._install(self._read_all(session), revision)
            self._apply(session, index, changes.ids)
            self._revision = revision
            return index

    def _read_all(self, session: Session) -> MatchIndex:
        rows = session.scalars(select(Vacancy).where(*_live_or_coming(self._clock())))
        postings = [posting_from(v) for v in rows]
        return run_off_loop(_build, self._weights, postings)

    def _install(self, index: MatchIndex, revision: int) -> MatchIndex:
        """Serve ``index``, read in full at ``revision`` (the caller holds the lock)."""
        self._index = index
        self._revision = revision
        self._loaded_at = time.monotonic()
        self.full_reloads += 1
        return index

    def _rebuild_if_due(self) -> None:
        """Every FULL_RELOAD_SECONDS, read everything again in the background; the old index serves meanwhile."""
        if self._index is None or self._rebuilding or time.monotonic() - self._loaded_at <= FULL_RELOAD_SECONDS:
            return
        with self._lock:
            if self._rebuilding:
                return
            self._rebuilding = True
        threading.Thread(target=self._rebuild, name="match-index-reload", daemon=True).start()

    def _rebuild(self) -> None:
        try:
            with self._db.session() as session:
                revision = _numbered_revision(session)
                fresh = self._read_all(session)
            with self._lock:
                # The next refresh applies the changes numbered after ``revision`` (read again: harmless twice).
                self._install(fresh, revision)
        except Exception:  # noqa: BLE001 - a background task: the old index keeps serving, the next query retries
            log.exception("reading the match index again failed; the current one keeps serving")
        finally:
            self._rebuilding = False

    def _apply(self, session: Session, index: MatchIndex, ids: frozenset[int]) -> None:
        if not ids:
            return
        found = {
            v.id: v
            for v in session.scalars(select(Vacancy).where(Vacancy.id.in_(ids), *_live_or_coming(self._clock())))
        }
        for ident in sorted(ids):
            vacancy = found.get(ident)
            if vacancy is None:
                index.remove(ident)  # deleted, unpublished or past its window
            else:
                index.upsert(posting_from(vacancy))
        self.reread += len(ids)


def _numbered_revision(session: Session) -> int:
    """The data revision, once the rows committed since the last numbering have theirs (content/outbox.py)."""
    revision = outbox.number_committed(session)
    session.commit()  # at once: numbering holds the outbox head's lock until the transaction ends
    return revision


def init_app(app: Flask) -> None:
    """Give the app its match book, with the weights of ``KIOSK_MATCHING_WEIGHTS``."""
    rt = runtime(app)
    app.extensions[EXTENSION] = MatchBook(rt.db, settings(app).matching_weights, lambda: rt.clock())


def match_book(app: Flask) -> MatchBook:
    """The app's match book (``init_app``)."""
    book: MatchBook = app.extensions[EXTENSION]
    return book
