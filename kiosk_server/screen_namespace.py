"""The ``/screen`` Socket.IO namespace: identify the screen, answer hello with snapshots, record beats.

A kiosk with an open citizen session gets it back in answer to ``hello`` (before ``welcome``), with a
fresh token: only the token's hash is stored, so a reloaded page cannot be sent the old one.

Delivery is a reconciliation, not a hint (docs/protocol.md §3, §5): a hello that fails (a lock
timeout while a hall's walls reconnect after a restart) leaves its connection "hello pending",
never half-joined, and is retried by the player and, from its heartbeats, by the server; and every
beat is compared with what the committed data gives now, not only with this process's last snapshot.

Who a key belongs to comes from the screen directory (``kiosk_server/screen_directory.py``), not
from a query per connect. Everything said to one connection (snapshots, ``welcome``, a beat's
answer) goes to its socket directly, never through the message queue: the connection is this
process's own, and in a connect storm Redis would carry every hello three times for nothing.
Beats, the event every screen sends every period, are handled without the Flask request context
Flask-SocketIO makes for each event; so the code a beat runs names its connection by ``conn.sid``
and joins, leaves and disconnects through the Socket.IO server, never through Flask's request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import KeysView
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from flask import request
from socketio.exceptions import ConnectionRefusedError  # not the builtin: only its message reaches the client

from content.backoff import RECONNECT
from content.citizens.sessions import open_session_for, reissue_token
from content.control_characters import first_control_character
from content.org import player_power, power_schedules
from content.org.device_commands import Executor
from content.org.screens import ScreenKind
from content.org.timezones import zone
from content.signage.proof_of_play import MAX_BATCH, MAX_BATCH_ID, record_plays
from kiosk_server.citizen_events import session_payload
from kiosk_server.database import Database
from kiosk_server.evaluator_desk import EvaluatorDesk
from kiosk_server.events import (
    CITIZEN_SESSION,
    EVALUATOR_STATE,
    HEARTBEAT,
    MANIFEST,
    POWER_SCHEDULE,
    QUEUE_BOARD,
    WELCOME,
    group_room,
    hall_room,
    screen_room,
)
from kiosk_server.guarded_namespace import GuardedNamespace
from kiosk_server.heartbeats import HeartbeatRecorder
from kiosk_server.manifest_wire import DEFLATE, manifest_message
from kiosk_server.manifests import ManifestBook, Snapshot
from kiosk_server.queue_publisher import QueuePublisher
from kiosk_server.remote_care import RemoteCare
from kiosk_server.screen_directory import ScreenDirectory
from kiosk_server.shared_reads import SharedRead
from kiosk_server.socket_sid import current_sid

if TYPE_CHECKING:
    from content.signage.manifest import Manifest

log = logging.getLogger(__name__)

# A failing database fails every screen's hello at once: one log line per this many seconds, with a count.
FAILURE_REPORT_SECONDS: Final = 60.0
# A beat that shows an older version less than this long after this process's book first held the
# current one is not answered: the push to the group's room is on its way (a province's fan-out takes
# seconds), and a resend would send the screen the manifest twice. A push really lost is made good at
# the following beat. (A process that is not the publisher may learn of a version after it was pushed:
# it then waits longer, never less.)
PUSH_GRACE_SECONDS: Final = 10.0
# Beats share one revision check for at most this long (``_FreshSnapshots``), never more than half the grace.
BEAT_CHECK_SECONDS: Final = 1.0
# A wall's power schedule covers player_power.HORIZON (48 h): a beat this close to its end sends the next.
POWER_REFRESH: Final = timedelta(hours=24)


@dataclass
class Connected:
    screen_id: int
    hall_id: int
    welcome: dict[str, Any]
    group: str | None = None
    # "Hello pending" until a welcome was emitted, and again after any hello that failed.
    greeted: bool = False
    greeting: int = 0  # hellos running now for this connection
    failures: int = 0  # hellos failed in a row
    retry_at: float = 0.0  # time.monotonic() before which a heartbeat does not retry the hello
    # Its hello listed "deflate" in "accept": a player from before the compressed form gets plain JSON.
    deflate_ok: bool = False
    key: str = ""  # what it connected with: a key changed since (a revoked device) ends the connection
    power_until: datetime | None = None  # the end of the power schedule sent (walls and counters only)
    # time.monotonic() once it was in its screen's and hall's rooms: a later change reaches it as a push.
    joined_at: float = 0.0
    sid: str = ""  # its Socket.IO session: beats are handled without Flask's request, which would say it


def _version(entry: Any) -> Any:
    return entry.get("version") if isinstance(entry, dict) else None


def _held_of_hello(data: Any) -> dict[str, Any]:
    """The version of every stream a hello says the screen holds (a stream left out: None)."""
    held = data.get("held") if isinstance(data, dict) else None
    held = held if isinstance(held, dict) else {}
    return {stream: _version(held.get(stream)) for stream in ("manifest", "queue")}


def _accepts_deflate(data: Any) -> bool:
    """Whether a hello says the player inflates deflated manifests (``"accept": ["deflate"]``)."""
    accept = data.get("accept") if isinstance(data, dict) else None
    return isinstance(accept, list) and DEFLATE in accept


def _held_of_beat(data: Any) -> dict[str, Any]:
    """The same, from a heartbeat: it says what the screen shows, which is what it holds."""
    showing = data.get("showing") if isinstance(data, dict) else None
    showing = showing if isinstance(showing, dict) else {}
    return {stream: showing.get(stream) for stream in ("manifest", "queue")}


class _FailureReport:
    """Counts failures of one kind and logs one line per FAILURE_REPORT_SECONDS, never a traceback per screen."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._lock = threading.Lock()
        self._count = 0
        self._reported_at = float("-inf")

    def note(self, screen_id: int, err: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            self._count += 1
            if now - self._reported_at < FAILURE_REPORT_SECONDS:
                return
            count, self._count, self._reported_at = self._count, 0, now
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        log.warning(
            "%s failed for screen %s: %s%s (%d failed since the last report; retried, not lost)",
            self._what,
            screen_id,
            type(err).__name__,
            f": {first}" if first else "",
            count,
        )


class _FreshSnapshots:
    """The snapshot as of committed data, shared by the beats that arrive within ``max_age`` of one check.

    A beat is answered from a forced revision check that began at most ``max_age`` before it arrived,
    so it sees every change committed before that; at 5,000 screens a check per beat was about a
    millisecond each, 111 a second, on the serving core (docs/benchmarks.md, "Fan-out"). A check is
    a revision query: the book resolves again only when the revision moved.
    """

    def __init__(self, book: ManifestBook) -> None:
        self._book = book
        self._lock = threading.Lock()
        self._began = float("-inf")
        self._snapshot: Snapshot | None = None

    def current(self, max_age: float) -> Snapshot:
        arrived = time.monotonic()
        with self._lock:
            if self._snapshot is not None and self._began >= arrived - max_age:
                return self._snapshot
            began = time.monotonic()
            self._snapshot = self._book.current(force_check=True)
            self._began = began
            return self._snapshot


class ScreenNamespace(GuardedNamespace):
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
        self._fresh = _FreshSnapshots(book)
        self._queue = queue
        self._beats = beats
        self._directory = ScreenDirectory(db)
        self._power_rows = SharedRead(db, power_schedules.read_power_rows)
        self._heartbeat_seconds = heartbeat_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._connected: dict[str, Connected] = {}
        # Connections per screen here, so "is it here?" is one lookup (asked at every hello), not a set of all.
        self._screens_here: Counter[int] = Counter()
        self._hello_failures = _FailureReport("hello")
        self._check_failures = _FailureReport("heartbeat check")
        self.care: RemoteCare | None = None  # set by the runtime: remote-care commands and their answers
        self.evaluations: EvaluatorDesk | None = None  # set by evaluator_desk.init_app: 好差评 tablets

    def connected_screens(self) -> KeysView[int]:
        """The screens with a connection to this process: a live view, for membership tests."""
        return self._screens_here.keys()

    def on_connect(self, auth: Any = None) -> None:
        key = auth.get("key") if isinstance(auth, dict) else None
        if not isinstance(key, str) or not key or first_control_character(key) is not None:
            raise ConnectionRefusedError("unknown screen")  # a NUL would be a database error on PostgreSQL
        screen = self._directory.find(key)
        if screen is None:
            raise ConnectionRefusedError("unknown screen")
        welcome = {"screen": screen.welcome(), "heartbeat_seconds": self._heartbeat_seconds}
        sid = current_sid()
        with self._lock:
            self._connected[sid] = Connected(screen.id, screen.hall.id, welcome, key=key, sid=sid)
            self._screens_here[screen.id] += 1
        self._join(sid, screen_room(screen.id))
        self._join(sid, hall_room(screen.hall.id))
        with self._lock:
            self._connected[sid].joined_at = time.monotonic()
        agent = request.headers.get("User-Agent", "")
        self._beats.seen(screen.id, info=agent)

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            conn = self._connected.pop(current_sid(), None)
            if conn is not None:
                self._screens_here[conn.screen_id] -= 1
                if self._screens_here[conn.screen_id] <= 0:
                    del self._screens_here[conn.screen_id]
        if conn is not None:
            self._beats.disconnected(conn.screen_id)

    def on_hello(self, data: Any = None) -> dict[str, Any]:
        """Send the snapshots the screen lacks, then welcome; the ack says whether it worked.

        ``{"ok": true}`` once welcome was emitted; ``{"ok": false, "retry_after": s}`` when something
        failed on the way: the connection stays pending and the player asks again.
        """
        conn = self._connection()
        if conn is None:
            return {"ok": False, "error": "not_connected", "message": "connect as a screen first"}
        with self._lock:
            conn.greeting += 1
            conn.deflate_ok = _accepts_deflate(data)
        answer = self._greet(conn, _held_of_hello(data))
        if answer["ok"] and self.care is not None:
            self.care.player_ready(
                conn.screen_id, conn.joined_at
            )  # commands that waited for this screen, after its welcome
        return answer

    def on_command_result(self, data: Any = None) -> dict[str, Any]:
        """The player's answer to a remote-care command (docs/protocol.md, "Remote care"); the ack says if it was kept."""
        conn = self._connection()
        if conn is None or self.care is None:
            return {"ok": False, "error": "not_connected", "message": "connect as a screen first"}
        return self.care.answer(conn.screen_id, Executor.PLAYER, data)

    def on_evaluation_sync(self, data: Any = None) -> dict[str, Any]:
        """An evaluator asks for its state now (after a newer queue board); the ack is ``evaluator_state``."""
        conn = self._connection()
        if conn is None or self.evaluations is None or not self._is_evaluator(conn):
            return {"ok": False, "error": "not_evaluator", "message": "connect as an evaluator screen first"}
        return {"ok": True, "state": self.evaluations.state(conn.screen_id)}

    def on_evaluation_answer(self, data: Any = None) -> dict[str, Any]:
        """An evaluator's rating, or 未评价 (docs/protocol.md, "Evaluators"); the ack says what became of it."""
        conn = self._connection()
        if conn is None or self.evaluations is None or not self._is_evaluator(conn):
            return {"ok": False, "error": "not_evaluator", "message": "connect as an evaluator screen first"}
        return self.evaluations.answer(conn.screen_id, data)

    @staticmethod
    def _is_evaluator(conn: Connected) -> bool:
        return bool(conn.welcome["screen"]["kind"] == ScreenKind.EVALUATOR.value)

    def repair_all(self) -> int:
        """Send every greeted screen of this process the manifest and queue board it may lack; how many sent.

        For after an outage of the message queue, when pushes from other processes were lost: a screen
        whose last beat showed another version than the current one gets the manifest, and every one
        gets its hall's board (small, and the player drops what it already has by version).
        """
        with self._lock:
            connections = [(sid, c) for sid, c in self._connected.items() if c.greeted]
        if not connections:
            return 0
        snap = self._book.current(force_check=True)
        began = time.monotonic()
        sent = 0
        for sid, conn in connections:
            found = snap.for_screen(conn.screen_id)
            beat = self._beats.latest(conn.screen_id)
            # No grace here, unlike a beat's answer: the pushes of the outage are lost, not on their way.
            if found is not None and (beat is None or beat.version != found[1].version):
                self._send(sid, MANIFEST, manifest_message(snap, found[0], deflate_ok=conn.deflate_ok))
                sent += 1
            self._send(sid, QUEUE_BOARD, self._queue.current_board(conn.hall_id, seen_after=began))
        return sent

    def trigger_event(self, event: str, *args: Any) -> Any:
        if event == HEARTBEAT and args:
            # Every screen beats every period: a beat is answered without the Flask request context
            # Flask-SocketIO makes for each event, which cost more than the beat's own work
            # (docs/benchmarks.md, "Fan-out"). Nothing a beat does reads Flask's request or session.
            return self._heartbeat(args[0], args[1] if len(args) > 1 else None)
        return super().trigger_event(event, *args)

    def _heartbeat(self, sid: str, data: Any) -> None:
        conn = self._connection(sid)
        if conn is None:
            return
        if self._revoked(conn):
            return
        held = _held_of_beat(data)
        version = held["manifest"] if isinstance(held["manifest"], str) else None
        self._beats.seen(conn.screen_id, version)
        if conn.greeted and conn.power_until is not None and self._clock() >= conn.power_until - POWER_REFRESH:
            self._refresh_power(conn)
        if self._claim_retry(conn):
            # The hello never completed (it failed, or the player never sent one): run it for the
            # screen with what the beat says it holds. Without this the screen would stay out of its
            # group's room, missing every push, for as long as it stayed connected.
            self._greet(conn, held)
            return
        if version is None or not conn.greeted:
            return
        # A push lost on the way (Redis pub/sub is lossy), or a change this process's snapshot has not
        # seen yet, is made good here: one heartbeat period late at worst. The check may be shared with
        # beats of the last half grace: a version younger than that is not sent anyway (its push is on
        # its way), and one older was seen by that check; so sharing it changes no answer.
        try:
            snap = self._fresh.current(max_age=min(BEAT_CHECK_SECONDS, PUSH_GRACE_SECONDS / 2))
        except Exception as err:  # noqa: BLE001 - the next beat checks again; the beat itself is recorded
            self._check_failures.note(conn.screen_id, err)
            return
        found = snap.for_screen(conn.screen_id)
        if found is None or found[1].version == version:
            return
        group = found[0]
        if snap.version_age(group) < PUSH_GRACE_SECONDS:
            return  # the push of this version is on its way; the next beat tells whether it arrived
        # Another group's manifest too: the player then says hello again and moves to its room.
        self._send(conn.sid, MANIFEST, manifest_message(snap, group, deflate_ok=conn.deflate_ok))

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

    def _revoked(self, conn: Connected) -> bool:
        """Whether the key this connection presented no longer names its screen; if so, end the connection.

        A device revoked or replaced in the console (kiosk_server/console/enrol_views.py) gets a new
        key; the directory drops the old one within REVISION_CHECK_SECONDS of the commit, so the old
        device is cut off at its next beat, in whichever process holds its socket, and refused on reconnect.
        """
        try:
            found = self._directory.find(conn.key)
        except Exception as err:  # noqa: BLE001 - a database that is down revokes nobody; the next beat looks again
            self._check_failures.note(conn.screen_id, err)
            return False
        if found is not None and found.id == conn.screen_id:
            return False
        log.info("screen %s: its key was changed (device revoked or replaced); disconnecting", conn.screen_id)
        self.socketio.server.disconnect(conn.sid, namespace=self.namespace)
        return True

    def _claim_retry(self, conn: Connected) -> bool:
        """True when a beat should run the pending hello: none running, and the connection's backoff has passed."""
        with self._lock:
            if conn.greeted or conn.greeting or time.monotonic() < conn.retry_at:
                return False
            conn.greeting += 1
            return True

    def _greet(self, conn: Connected, held: dict[str, Any]) -> dict[str, Any]:
        """Run a hello (the caller counted it in ``conn.greeting``) and answer its ack."""
        try:
            self._send_snapshots(conn, held)
        except Exception as err:  # noqa: BLE001 - any failure: the connection stays pending, and is retried
            with self._lock:
                conn.greeting -= 1
                conn.greeted = False
                conn.failures += 1
                retry_after = RECONNECT.delay(conn.failures - 1)
                conn.retry_at = time.monotonic() + retry_after
            self._hello_failures.note(conn.screen_id, err)
            return {"ok": False, "retry_after": round(retry_after, 1)}
        with self._lock:
            conn.greeting -= 1
            conn.greeted = True
            conn.failures = 0
        return {"ok": True}

    def _send_snapshots(self, conn: Connected, held: dict[str, Any]) -> None:
        """Every snapshot the screen lacks, then welcome: all is read before anything is joined or sent."""
        snap = self._book.current()
        found = snap.for_screen(conn.screen_id)
        if found is None:
            # A screen added since the last snapshot: look again before giving up on it.
            snap = self._book.current(force_check=True)
            found = snap.for_screen(conn.screen_id)
        board = self._queue.current_board(conn.hall_id, seen_after=conn.joined_at)
        citizen = self._open_citizen_session(conn)
        evaluator = self.evaluations.state(conn.screen_id) if self.evaluations and self._is_evaluator(conn) else None
        sid = conn.sid
        streams: dict[str, Any] = {}
        if found is not None:
            snap, found = self._join_group(conn, snap)
        if found is not None:
            group, manifest = found
            if held["manifest"] != manifest.version:
                self._send(sid, MANIFEST, manifest_message(snap, group, deflate_ok=conn.deflate_ok))
            streams["manifest"] = {"seq": snap.revision, "version": manifest.version, "group": group}
        if held["queue"] != board["version"]:
            # Behind, or ahead of a database restored from a backup: either way the snapshot wins.
            self._send(sid, QUEUE_BOARD, board)
        streams["queue"] = {"version": board["version"]}
        if citizen is not None:
            self._send(sid, CITIZEN_SESSION, citizen)
        if evaluator is not None:
            self._send(sid, EVALUATOR_STATE, evaluator)
        now = self._clock()
        power = self._power_schedule(conn, now)
        conn.power_until = player_power.until_of(power)
        extra = {"power": power} if power is not None else {}
        # welcome comes last: a client that has it also has every snapshot it was owed.
        self._send(sid, WELCOME, {**conn.welcome, "server_time": now.isoformat(), "streams": streams, **extra})

    def _join_group(self, conn: Connected, snap: Snapshot) -> tuple[Snapshot, tuple[str, Manifest] | None]:
        """Join the screen's group room, then make sure no push to it passed the screen by.

        Reading the board and the rest above lets a publish round run, here or (through Redis) in
        the leader, and its push went to a room this connection was not in yet. The manager notes
        every manifest it delivers before delivering it (kiosk_server/manifest_pushes.py), so one
        newer than ``snap`` noted by now means a check of the revision, and the hello sends what
        the push carried (a screen that moved group joins its new room).
        """
        while True:
            found = snap.for_screen(conn.screen_id)
            if found is not None and conn.group != found[0]:
                if conn.group is not None:
                    self.socketio.server.leave_room(conn.sid, group_room(conn.group), namespace=self.namespace)
                self._join(conn.sid, group_room(found[0]))
                conn.group = found[0]
            if self._newest_pushed() <= snap.revision:
                return snap, found
            newer = self._book.current(force_check=True)
            if newer.revision <= snap.revision:  # a push of a revision this database does not hold: nothing to add
                return snap, found
            snap = newer

    def _newest_pushed(self) -> int:
        return int(getattr(self.socketio.server.manager, "newest_manifest_seq", 0))

    def _power_schedule(self, conn: Connected, now: datetime) -> dict[str, Any] | None:
        """The off-intervals a wall's or counter's player follows (player_power.py); None for a kiosk."""
        if conn.welcome["screen"]["kind"] == ScreenKind.KIOSK.value:
            return None  # its agent switches the panel; the page a citizen may be using is never blanked
        rows = self._power_rows.since(conn.joined_at)  # a later change is pushed to the screen's room
        return player_power.wire(power_schedules.effective_of(rows, conn.screen_id, conn.hall_id).schedule, now)

    def _refresh_power(self, conn: Connected) -> None:
        """Send the next horizon of the power schedule to a connection whose schedule runs out within a day."""
        try:
            power = self._power_schedule(conn, self._clock())
        except Exception as err:  # noqa: BLE001 - the next beat tries again; the player stays on past its horizon
            self._check_failures.note(conn.screen_id, err)
            return
        conn.power_until = player_power.until_of(power)
        if power is not None:
            self._send(conn.sid, POWER_SCHEDULE, power)

    def _join(self, sid: str, room: str) -> None:
        self.socketio.server.enter_room(sid, room, namespace=self.namespace)

    def _send(self, sid: str, event: str, data: Any) -> None:
        """Emit to this process's own connection ``sid`` straight to its socket, not through the message queue."""
        self.socketio.emit(event, data, to=sid, namespace=self.namespace, ignore_queue=True)

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

    def _connection(self, sid: str | None = None) -> Connected | None:
        """The connection ``sid`` names, by default the one whose event Flask-SocketIO is dispatching."""
        with self._lock:
            return self._connected.get(current_sid() if sid is None else sid)
