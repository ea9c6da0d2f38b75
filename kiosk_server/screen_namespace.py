"""The ``/screen`` Socket.IO namespace: identify the screen, answer hello with snapshots, record beats.

A kiosk with an open citizen session gets it back in answer to ``hello`` (before ``welcome``), with a
fresh token: only the token's hash is stored, so a reloaded page cannot be sent the old one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from flask import request
from flask_socketio import Namespace, join_room, leave_room
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from content.citizens.sessions import open_session_for, reissue_token
from content.org.screens import Screen, ScreenKind
from content.org.timezones import zone
from content.signage.proof_of_play import MAX_BATCH, MAX_BATCH_ID, record_plays
from kiosk_server.citizen_events import session_payload
from kiosk_server.database import Database
from kiosk_server.events import (
    CITIZEN_SESSION,
    MANIFEST,
    QUEUE_BOARD,
    WELCOME,
    group_room,
    hall_room,
    screen_room,
)
from kiosk_server.heartbeats import HeartbeatRecorder
from kiosk_server.manifests import ManifestBook
from kiosk_server.queue_publisher import QueuePublisher
from kiosk_server.socket_sid import current_sid

log = logging.getLogger(__name__)


@dataclass
class Connected:
    screen_id: int
    hall_id: int
    welcome: dict[str, Any]
    group: str | None = None


def _held(data: Any, stream: str) -> Any:
    """The version a hello says the screen holds of ``stream``, or None."""
    held = data.get("held") if isinstance(data, dict) else None
    entry = held.get(stream) if isinstance(held, dict) else None
    return entry.get("version") if isinstance(entry, dict) else None


class ScreenNamespace(Namespace):
    def __init__(
        self,
        namespace: str,
        db: Database,
        book: ManifestBook,
        queue: QueuePublisher,
        beats: HeartbeatRecorder,
        heartbeat_seconds: int,
        clock: Any,
    ) -> None:
        super().__init__(namespace)
        self._db = db
        self._book = book
        self._queue = queue
        self._beats = beats
        self._heartbeat_seconds = heartbeat_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._connected: dict[str, Connected] = {}

    def connected_screens(self) -> set[int]:
        with self._lock:
            return {c.screen_id for c in self._connected.values()}

    def on_connect(self, auth: Any = None) -> None:
        key = auth.get("key") if isinstance(auth, dict) else None
        if not isinstance(key, str) or not key:
            raise ConnectionRefusedError("unknown screen")
        with self._db.session() as session:
            screen = session.scalar(select(Screen).options(joinedload(Screen.hall)).where(Screen.key == key))
            if screen is None:
                raise ConnectionRefusedError("unknown screen")
            welcome = {
                "screen": {
                    "id": screen.id,
                    "name": screen.name,
                    "kind": screen.kind,
                    "panel": screen.panel,
                    "width": screen.width_px,
                    "height": screen.height_px,
                    "orientation": screen.orientation,
                    "low_resolution": screen.low_resolution,
                    "hall": {"id": screen.hall.id, "name": screen.hall.name, "timezone": screen.hall.timezone},
                },
                "heartbeat_seconds": self._heartbeat_seconds,
            }
        with self._lock:
            self._connected[current_sid()] = Connected(screen.id, screen.hall.id, welcome)
        join_room(screen_room(screen.id))
        join_room(hall_room(screen.hall.id))
        agent = request.headers.get("User-Agent", "")
        self._beats.seen(screen.id, info=agent)

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            conn = self._connected.pop(current_sid(), None)
        if conn is not None:
            self._beats.disconnected(conn.screen_id)

    def on_hello(self, data: Any = None) -> None:
        conn = self._connection()
        if conn is None:
            return
        snap = self._book.current()
        found = snap.for_screen(conn.screen_id)
        if found is None:
            # A screen added since the last snapshot: look again before giving up on it.
            snap = self._book.current(force_check=True)
            found = snap.for_screen(conn.screen_id)
        streams: dict[str, Any] = {}
        if found is not None:
            group, manifest = found
            if conn.group != group:
                if conn.group is not None:
                    leave_room(group_room(conn.group))
                join_room(group_room(group))
                conn.group = group
            if _held(data, "manifest") != manifest.version:
                self.emit(MANIFEST, snap.payload(group), room=current_sid())
            streams["manifest"] = {"seq": snap.revision, "version": manifest.version, "group": group}
        board = self._queue.current_board(conn.hall_id)
        held_queue = _held(data, "queue")
        if held_queue != board["version"]:
            # Behind, or ahead of a database restored from a backup: either way the snapshot wins.
            self.emit(QUEUE_BOARD, board, room=current_sid())
        streams["queue"] = {"version": board["version"]}
        citizen = self._open_citizen_session(conn)
        if citizen is not None:
            self.emit(CITIZEN_SESSION, citizen, room=current_sid())
        # welcome comes last: a client that has it also has every snapshot it was owed.
        self.emit(
            WELCOME, {**conn.welcome, "server_time": self._clock().isoformat(), "streams": streams}, room=current_sid()
        )

    def on_heartbeat(self, data: Any = None) -> None:
        conn = self._connection()
        if conn is None:
            return
        showing = data.get("showing") if isinstance(data, dict) else None
        version = showing.get("manifest") if isinstance(showing, dict) else None
        version = version if isinstance(version, str) else None
        self._beats.seen(conn.screen_id, version)
        # A push lost on the way (Redis pub/sub is lossy) is made good here: a screen whose beat shows
        # another version than its group's gets the snapshot, one heartbeat period late at worst.
        # A screen ahead of this process's cached snapshot drops it by seq, so that is harmless too.
        found = self._book.current().for_screen(conn.screen_id)
        if found is not None and version is not None and found[0] == conn.group and found[1].version != version:
            self.emit(MANIFEST, self._book.current().payload(found[0]), room=current_sid())

    def on_plays(self, data: Any = None) -> dict[str, Any]:
        """Book a batch of proof-of-play tallies to the connected screen; the ack says what was kept.

        The screen is the one this connection authenticated as: a screen id in the payload is ignored.
        """
        conn = self._connection()
        if conn is None:
            return {"ok": False, "error": "not_connected", "message": "connect as a screen first"}
        entries = data.get("plays") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return {"ok": False, "error": "invalid_batch", "message": 'expected {"batch": "<id>", "plays": [...]}'}
        if len(entries) > MAX_BATCH:
            return {
                "ok": False,
                "error": "batch_too_large",
                "message": f"{len(entries)} plays in one batch; send at most {MAX_BATCH}",
            }
        batch = data.get("batch")
        batch_id = batch if isinstance(batch, str) and 0 < len(batch) <= MAX_BATCH_ID else None
        with self._db.session() as session:
            result = record_plays(session, conn.screen_id, entries, self._clock(), batch_id=batch_id)
            session.commit()
        if result.rejected:
            log.info(
                "screen %s: %d plays rejected, first: %s", conn.screen_id, len(result.rejected), result.rejected[0]
            )
        return {"ok": True, "accepted": result.accepted, "rejected": result.rejected, "duplicate": result.duplicate}

    def _open_citizen_session(self, conn: Connected) -> dict[str, Any] | None:
        """The kiosk's open citizen session with a fresh token, or None (always None for walls and counters)."""
        screen = conn.welcome["screen"]
        if screen["kind"] != ScreenKind.KIOSK.value:
            return None
        now = self._clock()
        with self._db.session() as session:
            citizen = open_session_for(session, conn.screen_id, now)
            if citizen is None:
                return None
            token = reissue_token(citizen)
            session.commit()
        return session_payload(citizen, token, now.astimezone(zone(screen["hall"]["timezone"])).date())

    def _connection(self) -> Connected | None:
        with self._lock:
            return self._connected.get(current_sid())
