"""The ``/agent`` Socket.IO namespace: kiosk device agents report readers and cards (docs/protocol.md §7).

Handlers parse the payload, call one domain function, commit, tell the kiosk screen, and answer
with the ack. Logs carry screen ids, reader ids, session ids, masked numbers and error codes only.

A kiosk revoked in the console (its agent credential deleted, its screen key rotated) must not keep
an agent connected: every event checks the credential the connection presented again, and a
background round (``run``, started with the runtime) checks all of this process's agents every
``RECHECK_SECONDS`` in one query and disconnects those no longer valid; the process that revokes
checks at once (``recheck``). The
database is what all processes share, so this holds across processes with or without the message
queue (docs/protocol.md §7, "Connect").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from flask_socketio import join_room
from socketio.exceptions import ConnectionRefusedError  # not the builtin: only its message reaches the client
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from content.citizens.kiosk_agents import (
    PresentedCredential,
    mark_readers_unknown,
    note_good_read,
    presented_credential,
    replace_reader_statuses,
    set_reader_status,
    still_valid,
    verify_agent_credential,
)
from content.citizens.kiosk_printers import mark_printers_unknown, replace_printer_statuses, set_printer_status
from content.citizens.records import InvalidIdentity, RecordsError, identity_from_card
from content.citizens.sessions import EndReason, card_left_in_reader, end_for_reader, end_sessions, identify_and_open
from content.control_characters import first_control_character
from content.org.device_commands import Executor
from content.org.power_schedules import Source as PowerSource
from content.org.power_schedules import effective as effective_power_schedule
from content.org.screens import Screen
from content.org.timezones import zone
from kiosk_server import agent_payloads
from kiosk_server.agent_payloads import BadRequest
from kiosk_server.citizen_events import CitizenEvents, ack_session
from kiosk_server.database import Database
from kiosk_server.events import agent_room
from kiosk_server.guarded_namespace import GuardedNamespace
from kiosk_server.periodic import run_rounds
from kiosk_server.records_backends import CitizenPolicy
from kiosk_server.remote_care import RemoteCare
from kiosk_server.socket_sid import current_sid

log = logging.getLogger(__name__)

REFUSED: Final = "unknown device or wrong credential"  # one message for every refusal: it reveals nothing
_NOT_CONNECTED: Final = {"ok": False, "error": "bad_request", "message": "this connection is not an identified agent"}
# How long a revoked agent connected to another process than the one that revoked it may stay connected.
RECHECK_SECONDS: Final = 5.0


@dataclass
class AgentLink:
    """One connected agent: its kiosk, as the hello ack describes it, and a lock that keeps its events in turn."""

    screen_id: int
    screen: dict[str, Any]
    timezone: str
    presented: PresentedCredential  # checked again on every event and every round
    lock: threading.Lock = field(default_factory=threading.Lock)


class AgentNamespace(GuardedNamespace):
    def __init__(
        self,
        namespace: str,
        db: Database,
        policy: CitizenPolicy,
        events: CitizenEvents,
        clock: Callable[[], datetime],
        recheck_seconds: float = RECHECK_SECONDS,
    ) -> None:
        super().__init__(namespace)
        self._db = db
        self._policy = policy
        self._events = events
        self._clock = clock
        self._lock = threading.Lock()
        self._links: dict[str, AgentLink] = {}
        self._recheck_seconds = recheck_seconds
        self._stopped = threading.Event()
        self.care: RemoteCare | None = None  # set by the runtime: remote-care commands and their answers

    def connected_kiosks(self) -> set[int]:
        with self._lock:
            return {link.screen_id for link in self._links.values()}

    def on_connect(self, auth: Any = None) -> None:
        device = auth.get("device") if isinstance(auth, dict) else None
        credential = auth.get("credential") if isinstance(auth, dict) else None
        if (
            not isinstance(device, str)
            or not isinstance(credential, str)
            or not device
            or not credential
            or first_control_character(device + credential) is not None  # a NUL is a PostgreSQL error
        ):
            log.info("agent connection refused: no device or credential in auth")
            raise ConnectionRefusedError(REFUSED)
        with self._db.session() as session:
            screen = verify_agent_credential(session, device, credential, self._policy.credential_key)
            if screen is None:
                log.info("agent connection refused: unknown device or wrong credential")
                raise ConnectionRefusedError(REFUSED)
            screen = session.scalars(
                select(Screen).options(joinedload(Screen.hall)).where(Screen.id == screen.id)
            ).one()
            link = AgentLink(
                screen.id,
                {"id": screen.id, "name": screen.name, "hall": {"id": screen.hall.id, "name": screen.hall.name}},
                screen.hall.timezone,
                presented_credential(screen, credential, self._policy.credential_key),
            )
        with self._lock:
            self._links[current_sid()] = link
        join_room(agent_room(link.screen_id))  # remote-care commands reach the agent here from any process
        log.info("agent connected for kiosk screen %d", link.screen_id)

    def on_disconnect(self, reason: Any = None) -> None:
        with self._lock:
            link = self._links.pop(current_sid(), None)
            still_linked = link is not None and any(o.screen_id == link.screen_id for o in self._links.values())
        if link is None:
            return
        log.info("agent of kiosk screen %d disconnected", link.screen_id)
        if still_linked:
            return  # a newer connection of the same agent already reported its readers
        with self._db.session() as session:
            mark_readers_unknown(session, link.screen_id, self._clock())
            mark_printers_unknown(session, link.screen_id, self._clock())  # nothing prints without the agent
            session.commit()

    def on_agent_hello(self, data: Any = None) -> dict[str, Any]:
        link = self._link()
        if link is None:
            return dict(_NOT_CONNECTED)
        try:
            hello = agent_payloads.hello(data, self._clock())
        except BadRequest as err:
            return err.ack()
        with link.lock, self._db.session() as session:
            now = self._clock()
            replace_reader_statuses(session, link.screen_id, hello.readers, now)
            replace_printer_statuses(session, link.screen_id, hello.printers or [], now)  # absent: no printers
            # A card may have left while the link was down: end sessions from readers with no card now.
            ended = end_sessions(
                session, link.screen_id, EndReason.AGENT_RECONNECTED, now, except_readers=hello.cards_present
            )
            session.commit()
            kiosk = session.get(Screen, link.screen_id)
            power = effective_power_schedule(session, kiosk) if kiosk is not None else None
        self._events.ended(ended)
        log.info(
            "agent hello from kiosk screen %d (agent %s, %d readers, %d sessions ended)",
            link.screen_id,
            hello.agent_version or "?",
            len(hello.readers),
            len(ended),
        )
        if self.care is not None:
            self.care.agent_ready(link.screen_id)  # commands that waited for this kiosk's agent
        answer = {"ok": True, "screen": link.screen, "session_idle_seconds": self._policy.idle_seconds}
        if power is not None and power.source is not PowerSource.NONE:  # none: the agent leaves the panel on
            answer["power_schedule"] = power.wire()  # the agent follows it offline (devices/agent/power.py)
        return answer

    def on_command_result(self, data: Any = None) -> dict[str, Any]:
        """The agent's answer to a remote-care command (docs/protocol.md, "Remote care")."""
        link = self._link()
        if link is None or self.care is None:
            return dict(_NOT_CONNECTED)
        return self.care.answer(link.screen_id, Executor.AGENT, data)

    def on_reader_status(self, data: Any = None) -> dict[str, Any]:
        link = self._link()
        if link is None:
            return dict(_NOT_CONNECTED)
        try:
            report = agent_payloads.reader_report(data, self._clock())
        except BadRequest as err:
            return err.ack()
        with link.lock, self._db.session() as session:
            now = self._clock()
            set_reader_status(session, link.screen_id, report, now)
            ended = end_for_reader(session, link.screen_id, report, now)
            session.commit()
        self._events.ended(ended)
        log.info(
            "kiosk screen %d reader %s is %s%s%s",
            link.screen_id,
            report.reader_id,
            report.state.value,
            f" ({report.reason}, {report.repeated}x)" if report.reason else "",
            f": {len(ended)} sessions ended" if ended else "",
        )
        return {"ok": True}

    def on_printer_status(self, data: Any = None) -> dict[str, Any]:
        """A printer's state changed (docs/protocol.md, "Printers"): its row, for the kiosk page, the fleet and alerts."""
        link = self._link()
        if link is None:
            return dict(_NOT_CONNECTED)
        try:
            report = agent_payloads.printer_report(data, self._clock())
        except BadRequest as err:
            return err.ack()
        with link.lock, self._db.session() as session:
            set_printer_status(session, link.screen_id, report, self._clock())
            session.commit()
        log.info("kiosk screen %d %s printer is %s", link.screen_id, report.role.value, report.state.value)
        return {"ok": True}

    def on_card_unreadable(self, data: Any = None) -> dict[str, Any]:
        link = self._link()
        if link is None:
            return dict(_NOT_CONNECTED)
        try:
            unreadable = agent_payloads.card_unreadable(data)
        except BadRequest as err:
            return err.ack()
        # Nothing to store: the page asks the citizen to place the card again, and the reader's status says the rest.
        self._events.unreadable(link.screen_id, unreadable.source.value, unreadable.hint.value)
        log.info(
            "kiosk screen %d reader %s: %s card unreadable (%s)",
            link.screen_id,
            unreadable.reader_id,
            unreadable.source.value,
            unreadable.hint.value or "no hint",
        )
        return {"ok": True}

    def on_card_read(self, data: Any = None) -> dict[str, Any]:
        link = self._link()
        if link is None:
            return dict(_NOT_CONNECTED)
        try:
            read = agent_payloads.card_read(data)
        except BadRequest as err:
            return err.ack()
        with link.lock, self._db.session() as session:
            now = self._clock()
            today = self._today(link, now)
            screen = session.get(Screen, link.screen_id)
            if screen is None:
                return {"ok": False, "error": "bad_request", "message": "this kiosk screen no longer exists"}
            try:
                identity = identity_from_card(read.source, read.reader_id, read.identity, today=today)
                opened = identify_and_open(
                    session,
                    self._policy.backend(session, self._clock),
                    screen,
                    identity,
                    now,
                    self._policy.idle_seconds,
                    self._policy.max_seconds,
                )
            except RecordsError as err:
                if not isinstance(err, InvalidIdentity):  # an impossible number may be a misread, not a good read
                    note_good_read(session, link.screen_id, read.reader_id, now)
                session.commit()  # the audit row of a refused lookup
                log.info(
                    "card_read on kiosk screen %d (%s, reader %s) refused: %s",
                    link.screen_id,
                    read.source.value,
                    read.reader_id,
                    err.code,
                )
                self._events.refused(link.screen_id, read.source.value, err)
                return {"ok": False, "error": err.code, "message": str(err)}
            note_good_read(session, link.screen_id, read.reader_id, now)
            session.commit()
        self._events.ended(opened.replaced)
        self._events.opened(opened.session, opened.token, today)
        log.info(
            "card_read on kiosk screen %d (%s, reader %s): session %d for %s",
            link.screen_id,
            read.source.value,
            read.reader_id,
            opened.session.id,
            opened.session.logged_id,
        )
        return {"ok": True, "session": ack_session(opened.session, today)}

    def on_card_removed(self, data: Any = None) -> dict[str, Any]:
        link = self._link()
        if link is None:
            return dict(_NOT_CONNECTED)
        try:
            reader_id = agent_payloads.card_removed(data)
        except BadRequest as err:
            return err.ack()
        with link.lock, self._db.session() as session:
            ended = end_sessions(session, link.screen_id, EndReason.CARD_REMOVED, self._clock(), reader_id=reader_id)
            # Its session ended before (timeout, 结束) with the card left in: the page is asking to take it.
            left = not ended and card_left_in_reader(session, link.screen_id, reader_id)
            session.commit()
        self._events.ended(ended)
        if left:
            self._events.card_removed(link.screen_id, reader_id)
        log.info(
            "card removed from kiosk screen %d reader %s: %d sessions ended", link.screen_id, reader_id, len(ended)
        )
        return {"ok": True, "ended": len(ended)}

    def recheck(self) -> int:
        """Disconnect this process's agents whose credential is no longer valid (revoked, replaced, re-keyed); how many."""
        with self._lock:
            held = {sid: link.presented for sid, link in self._links.items()}
        if not held:
            return 0
        with self._db.session() as session:
            valid = still_valid(session, held.values())
        cut = [sid for sid, presented in held.items() if presented not in valid]
        for sid in cut:
            self._cut(sid, held[sid].screen_id)
        return len(cut)

    def run(self) -> None:
        """The re-check round, until ``stop`` (a background task of the runtime)."""
        run_rounds(
            self.recheck,
            interval=self._recheck_seconds,
            stopped=self._stopped,
            engine=self._db.engine,
            what="agent credential re-check",
        )

    def stop(self) -> None:
        self._stopped.set()

    def _cut(self, sid: str, screen_id: int) -> None:
        log.info("agent of kiosk screen %d: its credential was revoked or replaced; disconnecting", screen_id)
        self.socketio.server.disconnect(sid, namespace=self.namespace, ignore_queue=True)

    def _link(self) -> AgentLink | None:
        """The link of this event's connection, if its credential is still valid; if not, it is disconnected."""
        sid = current_sid()
        with self._lock:
            link = self._links.get(sid)
        if link is None:
            return None
        with self._db.session() as session:
            if link.presented in still_valid(session, [link.presented]):
                return link
        self._cut(sid, link.screen_id)
        return None

    @staticmethod
    def _today(link: AgentLink, now: datetime) -> date:
        return now.astimezone(zone(link.timezone)).date()
