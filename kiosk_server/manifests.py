"""The manifest book: the current manifest of every group, recomputed when data or time moves on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy.orm import Session

from content import outbox
from content.signage.live_manifests import MAX_NAMED_CHANGES, Changes, LiveManifests
from kiosk_server.database import Database
from kiosk_server.off_loop import run_off_loop

if TYPE_CHECKING:
    from content.signage.manifest import Manifest

# How long a revision check is trusted: a burst of reconnects costs one query, not thousands.
REVISION_CHECK_SECONDS: Final = 0.5
# Everything is read again this often, so rows that ended long ago leave memory (a safety net too).
FULL_RELOAD_SECONDS: Final = 15 * 60


@dataclass(frozen=True)
class Snapshot:
    """Every group's manifest at one data revision and instant."""

    revision: int
    computed_at: datetime
    valid_until: datetime | None
    manifests: Mapping[str, Manifest]
    screen_groups: Mapping[int, str]
    # time.monotonic() when this process's book first held each group's current version
    first_held: Mapping[str, float] = field(default_factory=dict)

    def version_age(self, group: str) -> float:
        """Seconds since this process first held ``group``'s current version (infinite when unknown)."""
        since = self.first_held.get(group)
        return float("inf") if since is None else time.monotonic() - since

    def payload(self, group: str) -> dict[str, Any]:
        """The ``manifest`` event payload for a group (docs/protocol.md §3)."""
        manifest = self.manifests[group]
        return {
            "stream": "manifest",
            "seq": self.revision,
            "version": manifest.version,
            "group": group,
            "manifest": manifest.body,
        }

    def for_screen(self, screen_id: int) -> tuple[str, Manifest] | None:
        group = self.screen_groups.get(screen_id)
        return None if group is None else (group, self.manifests[group])


class ManifestBook:
    """Holds the latest snapshot and refreshes it when the outbox revision or the clock passes it by.

    Every check first numbers the outbox rows committed since the last one (``content/outbox.py``),
    so a change that committed late still gets a revision larger than any published before it.
    The rows in between say what changed, and only that is read and resolved again
    (``content/signage/live_manifests.py``); the resolution runs off the serving loop.

    A snapshot that only the clock made stale first commits a ``transition`` outbox row, so every
    distinct manifest content is published under a distinct, larger ``seq``.
    """

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        self._live = LiveManifests()
        self._loaded_at = float("-inf")
        self.last_resolved = 0  # groups resolved by the last refresh (for benchmarks)

    def current(self, *, force_check: bool = False) -> Snapshot:
        with self._lock:
            now = self._clock()
            snap = self._snapshot
            time_stale = snap is None or (snap.valid_until is not None and now >= snap.valid_until)
            if snap is not None and not time_stale and not force_check:
                if time.monotonic() - self._checked_at < REVISION_CHECK_SECONDS:
                    return snap
            with self._db.session() as session:
                revision = _numbered_revision(session)
                self._checked_at = time.monotonic()
                if snap is not None and not time_stale and revision == snap.revision:
                    return snap
                if snap is not None and time_stale and revision == snap.revision:
                    outbox.add_event(session, "transition", at=now.isoformat())
                    session.commit()
                    revision = _numbered_revision(session)
                # Read after the revision: the data holds every change numbered up to it, maybe more.
                reloaded = self._live.read(session, self._changes(session, snap, revision), now)
            self.last_resolved = 0
            run_off_loop(self._live.apply, reloaded, now)
            self.last_resolved = self._live.resolved
            if reloaded.full is not None:
                self._loaded_at = time.monotonic()
            live = self._live
            fresh = Snapshot(revision, now, live.valid_until, dict(live.manifests), dict(live.screen_groups))
            self._snapshot = _with_first_held(fresh, snap)
            return self._snapshot

    def _changes(self, session: Session, snap: Snapshot | None, revision: int) -> Changes:
        """What changed since ``snap``: named by the outbox rows in between, or everything."""
        if snap is None or not self._live.loaded or time.monotonic() - self._loaded_at > FULL_RELOAD_SECONDS:
            return Changes(everything=True)
        return Changes.of(outbox.changes_between(session, snap.revision, revision, MAX_NAMED_CHANGES + 1))


def _with_first_held(fresh: Snapshot, previous: Snapshot | None) -> Snapshot:
    """``fresh`` with each group's first-held time: kept from ``previous`` for an unchanged version, now otherwise."""
    now = time.monotonic()
    before = previous.manifests if previous is not None else {}
    held = previous.first_held if previous is not None else {}
    first_held = {
        group: held.get(group, now) if group in before and before[group].version == manifest.version else now
        for group, manifest in fresh.manifests.items()
    }
    return replace(fresh, first_held=first_held)


def _numbered_revision(session: Session) -> int:
    """The data revision, once the rows committed since the last numbering have theirs."""
    revision = outbox.number_committed(session)
    session.commit()  # at once: numbering holds the outbox head's lock until the transaction ends
    return revision
