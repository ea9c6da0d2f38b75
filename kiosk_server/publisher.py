"""The publisher: emits changed manifests to their group rooms after commit, and at every transition."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask_socketio import SocketIO
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from content import outbox
from content.backoff import SERVER_RETRY
from content.outbox import OutboxEvent
from kiosk_server.database import Database
from kiosk_server.db_outage import outage_of
from kiosk_server.events import MANIFEST, SCREEN_NAMESPACE, group_room, screen_room
from kiosk_server.leader import LeaderLock
from kiosk_server.manifest_wire import manifest_message
from kiosk_server.manifests import ManifestBook, Snapshot

log = logging.getLogger(__name__)


class Publisher:
    """Turns committed outbox rows (and the passing of transition instants) into emits, once per room."""

    def __init__(
        self,
        socketio: SocketIO,
        db: Database,
        book: ManifestBook,
        clock: Callable[[], datetime],
        poll_seconds: float,
    ) -> None:
        self._socketio = socketio
        self._db = db
        self._book = book
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._leader = LeaderLock(db.engine)
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._emitted: dict[str, str] = {}  # group -> version last emitted by this process
        self._screen_groups: dict[int, str] = {}
        self._last: Snapshot | None = None  # the snapshot the last round emitted
        self._marked_through: int | None = None  # the revision whose outbox rows this process marked
        self._started = False
        self.rounds = 0
        # Told of the rows about to be marked published, right after their emit (publish latency: kiosk_server/metrics.py).
        self.on_publish: Callable[[Session, int, datetime], None] | None = None

    def watch(self, session_factory: sessionmaker[Session]) -> None:
        """Wake the publisher after any commit that staged an outbox row."""

        @event.listens_for(session_factory, "before_flush")
        def _note_outbox(session: Session, _ctx: Any, _instances: Any) -> None:
            if any(isinstance(obj, OutboxEvent) for obj in session.new):
                session.info["outbox_dirty"] = True

        @event.listens_for(session_factory, "after_commit")
        def _wake_after_commit(session: Session) -> None:
            if session.info.pop("outbox_dirty", False):
                self.wake()

    @property
    def is_leader(self) -> bool:
        """Whether this process held the publisher lock at its last round."""
        return self._started and self._leader.held

    def wake(self) -> None:
        self._wake.set()

    def emit_all_again(self) -> None:
        """Emit every group's manifest at the next round, as if never sent (pushes were lost: Redis was away)."""
        self._emitted.clear()
        self._last = None
        self.wake()

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._socketio.start_background_task(self._run)

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        self._leader.release()

    def _run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            timeout = self._poll_seconds
            try:
                timeout = min(self.publish_once(), self._leader.renew_seconds)  # renew the lease in time
                failures = 0
            except Exception as err:  # noqa: BLE001 - the supervisor loop must survive anything and retry
                failures += 1
                # Never longer than a normal round: once the database is back, screens catch up within one.
                timeout = min(SERVER_RETRY.delay(failures - 1), self._poll_seconds)
                if not outage_of(self._db.engine).failed(err):  # an outage is logged once, not every round
                    log.exception("publish round failed (attempt %d); retrying in %.1fs", failures, timeout)
            self._wake.wait(timeout=max(0.05, timeout))
            self._wake.clear()

    def _tell_moved_screens(self, now_in: Mapping[int, str], payload: Callable[[str], dict[str, Any]]) -> None:
        """Send screens whose group changed their new manifest; they answer with hello and move rooms.

        A targeting change (a province-wide emergency) usually moves whole groups: then one emit to
        the old group's room reaches them all. Only a group that splits is told screen by screen.
        """
        members: dict[str, list[int]] = {}
        for screen_id, group in self._screen_groups.items():
            members.setdefault(group, []).append(screen_id)
        for old, screen_ids in members.items():
            new = {now_in[s] for s in screen_ids if s in now_in}
            if new == {old} or not new:
                continue
            if len(new) == 1 and all(s in now_in for s in screen_ids):
                self._socketio.emit(MANIFEST, payload(new.pop()), to=group_room(old), namespace=SCREEN_NAMESPACE)
                continue
            for screen_id in screen_ids:
                if screen_id in now_in and now_in[screen_id] != old:
                    self._socketio.emit(
                        MANIFEST, payload(now_in[screen_id]), to=screen_room(screen_id), namespace=SCREEN_NAMESPACE
                    )

    def publish_once(self) -> float:
        """Run one round; returns how long to sleep before the next one."""
        self.rounds += 1
        if not self._leader.acquire():
            return self._poll_seconds
        snap = self._book.current(force_check=True)
        if snap is self._last and snap.revision == self._marked_through:  # nothing moved: the round renewed the lease
            return self._sleep_after(snap)
        self._last = snap
        for group, manifest in snap.manifests.items():
            if self._emitted.get(group) != manifest.version:
                self._socketio.emit(
                    MANIFEST, manifest_message(snap, group), to=group_room(group), namespace=SCREEN_NAMESPACE
                )
                self._emitted[group] = manifest.version
        self._tell_moved_screens(snap.screen_groups, lambda group: manifest_message(snap, group))
        self._screen_groups = dict(snap.screen_groups)
        if snap.revision != self._marked_through:
            # Only the rows the emitted snapshot covers: one that commits later is numbered above it.
            with self._db.session() as session:
                if self.on_publish is not None:
                    self.on_publish(session, snap.revision, self._clock())
                outbox.mark_published(session, snap.revision, self._clock())
                if not self._leader.still_held(session):  # another process took over while this one stalled
                    return self._poll_seconds
                session.commit()
            self._marked_through = snap.revision
        return self._sleep_after(snap)

    def _sleep_after(self, snap: Snapshot) -> float:
        if snap.valid_until is None:
            return self._poll_seconds
        until_transition = (snap.valid_until - self._clock()).total_seconds()
        return min(self._poll_seconds, max(0.0, until_transition))
