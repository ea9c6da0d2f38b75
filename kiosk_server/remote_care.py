"""Remote care: a technician's command goes to the device that executes it, and its answer is kept and audited.

The flow (docs/protocol.md, "Remote care"): the console adds a pending command (audited) and asks
this process to send it; a command is sent only to a device connected to *this* process, and only
once (``mark_sent`` is a conditional UPDATE). Every process sweeps every ``SWEEP_SECONDS``: it times
out what waited too long and sends the pending commands of the devices it holds, so a command
saved in one process reaches a device connected to another within a sweep, and one that waited for
its device goes out as soon as the device says hello (``player_ready``, ``agent_ready``). The emit
goes to the device's room (``screen:<id>`` or ``agent:<id>``), through the message queue when there
is one.

Privacy: a kiosk's screenshot and reboot wait while a citizen session is open on it (the command
stays pending, marked ``session_open``), so personal data never leaves as a picture and nobody's
session is cut off by a reboot; the next sweep after the session ends sends it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Set
from datetime import datetime, timedelta
from typing import Any, Final

from flask_socketio import SocketIO
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.citizens.sessions import agent_actor, open_session_for
from content.org import device_commands as commands
from content.org.device_commands import (
    AGENT_OFFLINE,
    NOT_CONNECTED,
    NOW_OR_NEVER,
    SESSION_OPEN,
    WAIT_FOR_SESSION,
    Command,
    DeviceCommand,
    Executor,
)
from content.org.screens import Screen, ScreenStatus
from content.org.tree import Hall, OrgUnit
from kiosk_server import care_results
from kiosk_server.care_results import NoCommand, Refused
from kiosk_server.database import Database
from kiosk_server.db_outage import outage_of
from kiosk_server.events import AGENT_NAMESPACE, DEVICE_COMMAND, SCREEN_NAMESPACE, agent_room, screen_room
from kiosk_server.periodic import run_rounds
from kiosk_server.print_documents import NO_DOCUMENT, NoDocument, document_bytes
from kiosk_server.shared_reads import SharedRead

log = logging.getLogger(__name__)

SWEEP_SECONDS: Final = 2.0
# A screen whose status row says connected and was heard this recently may be connected to another
# process: a reload or identify for it waits a sweep for that process instead of failing at once.
RECENTLY_HEARD: Final = timedelta(minutes=2)
SYSTEM_ACTOR: Final = "system"


def device_actor(screen_id: int, executor: Executor) -> str:
    """Who answers in the audit log: the kiosk's agent, or the screen's player (by id: keys are credentials)."""
    return agent_actor(screen_id) if executor is Executor.AGENT else f"player:screen-{screen_id}"


class RemoteCare:
    def __init__(
        self,
        socketio: SocketIO,
        db: Database,
        clock: Callable[[], datetime],
        *,
        players: Callable[[], Set[int]],
        agents: Callable[[], Set[int]],
        certificate_print_key: bytes,
        interval: float = SWEEP_SECONDS,
    ) -> None:
        self._socketio = socketio
        self._db = db
        self._clock = clock
        self._connected = {Executor.PLAYER: players, Executor.AGENT: agents}
        self._waiting = SharedRead(db, commands.screens_with_pending)
        self._interval = interval
        self._certificate_print_key = certificate_print_key
        self._stopped = threading.Event()

    # -- requests (the console) -------------------------------------------------------------------

    def request(self, session: Session, screen: Screen, command: Command, *, actor: str) -> DeviceCommand:
        """Add ``command`` for ``screen`` (audited), commit, and send it if its device is here.

        A reload or identify for a screen no process has fails at once ``not_connected``.
        UnsupportedCommand (from the domain) when the screen's kind cannot execute it.
        """
        now = self._clock()
        row = commands.request(session, screen, command, requested_by=actor, now=now)
        path = _org_path(session, screen.id)
        self._audit(session, row, actor, "care_requested", path)
        executor = Executor(row.executor)
        if command in NOW_OR_NEVER and not self._reachable(session, screen.id, executor, now):
            failed = commands.fail(session, row.id, NOT_CONNECTED, "the screen is not connected", now)
            if failed is not None:
                self._audit(session, failed, SYSTEM_ACTOR, "care_failed", path)
        session.commit()
        self.dispatch({screen.id})
        session.refresh(row)
        return row

    def request_print(
        self, session: Session, screen: Screen, args: dict[str, Any], *, actor: str, agent_seen: bool
    ) -> DeviceCommand:
        """Add a print for ``screen``'s agent (audited), commit, and send it if the agent is here.

        A citizen waits at the kiosk, so a print never waits for an agent: when none is connected to
        this process and ``agent_seen`` is false (its printers are ``unknown``: it disconnected), it fails
        at once ``agent_offline``; otherwise another process may hold the agent, and the sweep fails it
        after CONNECT_GRACE if nobody sent it. Prints never wait for a citizen session to end.
        """
        now = self._clock()
        row = commands.request(session, screen, Command.PRINT, requested_by=actor, now=now, args=args)
        path = _org_path(session, screen.id)
        self._audit(session, row, actor, "care_requested", path)
        if screen.id not in self._connected[Executor.AGENT]() and not agent_seen:
            failed = commands.fail(session, row.id, AGENT_OFFLINE, "the kiosk's agent is not connected", now)
            if failed is not None:
                self._audit(session, failed, SYSTEM_ACTOR, "care_failed", path)
        session.commit()
        self.dispatch({screen.id})
        session.refresh(row)
        return row

    def _reachable(self, session: Session, screen_id: int, executor: Executor, now: datetime) -> bool:
        if screen_id in self._connected[executor]():
            return True
        status = session.get(ScreenStatus, screen_id)
        return bool(
            status is not None
            and status.connected
            and status.last_seen_at is not None
            and status.last_seen_at > now - RECENTLY_HEARD
        )

    # -- sending ----------------------------------------------------------------------------------

    def dispatch(self, screen_ids: set[int] | None = None) -> int:
        """Send the pending commands of devices connected to this process (of ``screen_ids`` only, when given).

        Returns how many were sent. A kiosk's screenshot or reboot waits while a citizen session is open.
        """
        here = {executor: connected() for executor, connected in self._connected.items()}
        if not any(here.values()):
            return 0
        now = self._clock()
        outgoing: list[tuple[Executor, int, dict[str, Any]]] = []
        with self._db.session() as session:
            # All pending rows (usually none), not an IN list of every screen this process holds.
            for row in commands.pending(session, screen_ids):
                executor = Executor(row.executor)
                if row.screen_id not in here[executor]:
                    continue  # its device is not here: the process holding it sends it at its sweep
                if Command(row.command) in WAIT_FOR_SESSION and open_session_for(session, row.screen_id, now):
                    if row.error != SESSION_OPEN:
                        commands.hold(session, row.id, SESSION_OPEN)
                    continue
                sent = commands.mark_sent(session, row.id, now)
                if sent is None:
                    continue
                payload = sent.wire()
                if sent.command == Command.PRINT.value:
                    try:  # made now, never kept in the row (kiosk_server/print_documents.py)
                        payload["data"] = document_bytes(session, sent, now, self._certificate_print_key)
                    except NoDocument as err:
                        failed = commands.fail(session, sent.id, NO_DOCUMENT, str(err), now)
                        if failed is not None:
                            self._audit(
                                session, failed, SYSTEM_ACTOR, "care_failed", _org_path(session, sent.screen_id)
                            )
                        continue
                outgoing.append((executor, sent.screen_id, payload))
            session.commit()
        for executor, screen_id, payload in outgoing:
            self._emit(executor, screen_id, payload)
            log.info(
                "remote care: %s %d sent to the %s of screen %d",
                payload["command"],
                payload["id"],
                executor.value,
                screen_id,
            )
        return len(outgoing)

    def _emit(self, executor: Executor, screen_id: int, payload: dict[str, Any]) -> None:
        if executor is Executor.AGENT:
            self._socketio.emit(DEVICE_COMMAND, payload, to=agent_room(screen_id), namespace=AGENT_NAMESPACE)
        else:
            self._socketio.emit(DEVICE_COMMAND, payload, to=screen_room(screen_id), namespace=SCREEN_NAMESPACE)

    def player_ready(self, screen_id: int, joined_at: float) -> None:
        """A screen's player said hello here: send what waits for it.

        Whether anything waits comes from a read shared by the hellos of screens that joined their room
        before it began (kiosk_server/shared_reads.py): a command added later is sent by the process
        that added it when the screen is there, or by this one's sweep.
        """
        self._ready(screen_id, joined_at)

    def agent_ready(self, screen_id: int) -> None:
        """A kiosk's agent said hello here: send what waits for it."""
        self._ready(screen_id)

    def _ready(self, screen_id: int, joined_at: float | None = None) -> None:
        try:
            if joined_at is None or screen_id in self._waiting.since(joined_at):
                self.dispatch({screen_id})
        except Exception as err:  # noqa: BLE001 - the hello must not fail for this; the next sweep sends it
            if not outage_of(self._db.engine).failed(err):
                log.warning(
                    "remote care: sending waiting commands to screen %d failed: %s", screen_id, type(err).__name__
                )

    # -- answers ----------------------------------------------------------------------------------

    def answer(self, screen_id: int, executor: Executor, data: Any) -> dict[str, Any]:
        """Keep a ``command_result`` from ``executor`` of ``screen_id``; returns the ack.

        A malformed answer fails its command with the reason (``bad_result``, ``bad_png``, ``too_large``);
        an answer to a command this device was not sent, or one answered or timed out already, is refused.
        """
        try:
            command_id = care_results.command_id(data)
        except NoCommand as err:
            return {"ok": False, "error": "bad_request", "message": str(err)}
        now = self._clock()
        with self._db.session() as session:
            row = commands.answerable(session, command_id, screen_id, executor)
            if row is None:
                return {
                    "ok": False,
                    "error": "unknown_command",
                    "message": f"command {command_id} awaits no answer from this device",
                }
            actor = device_actor(screen_id, executor)
            try:
                outcome = care_results.read(data, Command(row.command))
            except Refused as refused:
                ended = commands.fail(session, command_id, refused.code, refused.message, now)
                ack = {"ok": False, "error": refused.code, "message": refused.message}
            else:
                ended = commands.answer(session, command_id, outcome, now)
                ack = {"ok": True}
            if ended is None:  # timed out meanwhile, in this process or another
                session.rollback()
                return {"ok": False, "error": "unknown_command", "message": f"command {command_id} already ended"}
            self._audit(session, ended, actor, f"care_{ended.state}", _org_path(session, screen_id))
            session.commit()
        log.info(
            "remote care: %s %d on screen %d %s%s",
            ended.command,
            ended.id,
            screen_id,
            ended.state,
            f" ({ended.error})" if ended.error else "",
        )
        return ack

    # -- the sweep --------------------------------------------------------------------------------

    def sweep_once(self, now: datetime | None = None) -> list[DeviceCommand]:
        """Time out what waited too long, then send what is pending for devices here; returns the timed-out ones."""
        with self._db.session() as session:
            ended = commands.expire(session, now or self._clock())
            for row in ended:
                self._audit(session, row, SYSTEM_ACTOR, f"care_{row.state}", _org_path(session, row.screen_id))
            session.commit()
        for row in ended:
            log.info(
                "remote care: %s %d on screen %d %s (%s)", row.command, row.id, row.screen_id, row.state, row.error
            )
        self.dispatch()
        return ended

    def run(self) -> None:
        run_rounds(
            self.sweep_once,
            interval=self._interval,
            stopped=self._stopped,
            engine=self._db.engine,
            what="remote care sweep",
        )

    def stop(self) -> None:
        self._stopped.set()

    @staticmethod
    def _audit(session: Session, row: DeviceCommand, actor: str, action: str, org_path: str | None) -> None:
        summary: dict[str, Any] = {"command": row.command, "command_id": row.id}
        if row.error:
            summary["error"] = row.error
        audit.record(
            session,
            actor=actor,
            action=action,
            obj_kind="screen",
            obj_id=row.screen_id,
            summary=summary,
            org_path=org_path,
        )


def _org_path(session: Session, screen_id: int) -> str | None:
    """The org path of the screen's hall (audit rows are seen by the accounts whose subtree holds it)."""
    query = (
        select(OrgUnit.path).join(Hall, Hall.org_unit_id == OrgUnit.id).join(Screen, Screen.hall_id == Hall.id)
    ).where(Screen.id == screen_id)
    return session.scalars(query).first()
