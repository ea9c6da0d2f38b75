"""Remote-care commands to screens and kiosk agents: what was asked, of whom, and how it ended.

A command is requested (``pending``), sent to the device that executes it (``sent``), and answered
(``done`` or ``failed``); one that nobody could be sent to in time is ``expired``. Who executes a
command depends on the screen's kind (docs/protocol.md, "Remote care"): the player for reload and
identify everywhere and for a wall's or counter strip's screenshot, the kiosk's device agent for the
rest. Every change of state is one conditional UPDATE, so with several server processes a command
is sent, answered and timed out exactly once.

The screenshot a device sends back is kept in the row (``screenshot``, deferred so lists never load
it) rather than as a file in the data directory: the server processes of a province share the
database but not necessarily a disk, the picture belongs to the command's transaction, and it is
small (at most ``MAX_PNG_BYTES``) and short-lived (only a screen's last ``KEEP_SCREENSHOTS`` are kept).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import ForeignKey, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, Session, deferred, mapped_column

from content.db import Base
from content.errors import ValidationError
from content.org.screens import Screen, ScreenKind


class Command(StrEnum):
    RELOAD = "reload"
    IDENTIFY = "identify"
    SCREENSHOT = "screenshot"
    RESTART_AGENT = "restart_agent"
    REBOOT = "reboot"
    DOCTOR = "doctor"
    PRINT = "print"  # a queue slip or a certificate, requested by the server itself (kiosk_server/printing.py)


class State(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"


class Executor(StrEnum):
    PLAYER = "player"  # the page on the screen (/screen namespace, room screen:<id>)
    AGENT = "agent"  # the kiosk's device agent (/agent namespace, room agent:<id>)


FINAL_STATES: Final = frozenset({State.DONE, State.FAILED, State.EXPIRED})
# What the player can do everywhere; on a wall or counter strip (no agent) it also takes its own screenshot.
_PLAYER_EVERYWHERE: Final = frozenset({Command.RELOAD, Command.IDENTIFY})
_AGENT_ONLY: Final = frozenset({Command.RESTART_AGENT, Command.REBOOT, Command.DOCTOR, Command.PRINT})
# Not a technician's command: the server asks for prints (a ticket taken, 打印证明), never the console.
NOT_FROM_CONSOLE: Final = frozenset({Command.PRINT})
# A citizen's data may be on a kiosk's screen while a session is open: these wait until it ends.
WAIT_FOR_SESSION: Final = frozenset({Command.SCREENSHOT, Command.REBOOT})
# These change nothing lasting: for a device that is not connected they fail at once instead of waiting.
NOW_OR_NEVER: Final = frozenset({Command.RELOAD, Command.IDENTIFY})

WAIT_LIMIT: Final = timedelta(minutes=10)  # a pending command for a device that stays away expires
# A reload or identify for a device that no process found connected fails after this (several
# processes: the one holding the connection sends it at its next sweep, within a few seconds).
CONNECT_GRACE: Final = timedelta(seconds=10)
ANSWER_LIMIT: Final = timedelta(seconds=60)
SCREENSHOT_ANSWER_LIMIT: Final = timedelta(seconds=30)
# A citizen stands at the kiosk waiting for the paper: a print fails soon (docs/protocol.md, "Printers").
PRINT_ANSWER_LIMIT: Final = timedelta(seconds=20)
IDENTIFY_SECONDS: Final = 30
SCREENSHOT_MAX_WIDTH: Final = 1920

MAX_PNG_BYTES: Final = 4 * 1024 * 1024
MAX_PNG_SIDE: Final = 8192
KEEP_SCREENSHOTS: Final = 3  # per screen; older ones are dropped when a new one arrives
MAX_ERROR: Final = 40
MAX_MESSAGE: Final = 300

PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"

# Error codes the server itself gives a command.
NOT_CONNECTED: Final = "not_connected"
NO_ANSWER: Final = "no_answer"
SESSION_OPEN: Final = "session_open"  # kept on a pending command while it waits for a citizen session to end
AGENT_OFFLINE: Final = "agent_offline"  # a print for a kiosk whose agent is not connected
PRINT_TIMEOUT: Final = "timeout"  # a print the agent did not answer within PRINT_ANSWER_LIMIT


class UnsupportedCommand(ValidationError):
    """A command this kind of screen cannot execute (a reboot of a wall: walls have no agent)."""


class DeviceCommand(Base):
    __tablename__ = "device_commands"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), index=True)
    command: Mapped[str] = mapped_column(String(20))
    executor: Mapped[str] = mapped_column(String(8))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(10), default=State.PENDING.value, index=True)
    error: Mapped[str] = mapped_column(String(MAX_ERROR), default="")
    message: Mapped[str] = mapped_column(String(MAX_MESSAGE), default="")
    result: Mapped[dict[str, Any] | None]
    screenshot: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    def wire(self) -> dict[str, Any]:
        """The ``device_command`` payload the executor receives (args starting with ``_`` are the server's own)."""
        return {"id": self.id, "command": self.command, "args": {k: v for k, v in self.args.items() if k[:1] != "_"}}


@dataclass(frozen=True)
class Answer:
    """A device's answer, already checked (``kiosk_server/care_results.py``): success or an error code."""

    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    message: str = ""
    png: bytes | None = field(default=None, repr=False)


def executor_for(kind: str, command: Command) -> Executor:
    """Who executes ``command`` on a screen of ``kind``; UnsupportedCommand when nobody there can."""
    if command in _PLAYER_EVERYWHERE:
        return Executor.PLAYER
    is_kiosk = kind == ScreenKind.KIOSK.value
    if command is Command.SCREENSHOT:
        return Executor.AGENT if is_kiosk else Executor.PLAYER
    if is_kiosk:
        return Executor.AGENT
    raise UnsupportedCommand.single("command", f"{command.value} needs a kiosk device agent; a {kind} has none")


def commands_for(kind: str) -> list[Command]:
    """The commands a screen of ``kind`` can be given, in the console's order."""
    return [
        c for c in Command if (kind == ScreenKind.KIOSK.value or c not in _AGENT_ONLY) and c not in NOT_FROM_CONSOLE
    ]


def parse_command(text: str) -> Command:
    """A command a technician may ask for; UnsupportedCommand for an unknown one or a print (the server's own)."""
    try:
        command = Command(text)
    except ValueError as err:
        command = None
        cause: ValueError | None = err
    else:
        cause = None
    if command is None or command in NOT_FROM_CONSOLE:
        allowed = ", ".join(c.value for c in Command if c not in NOT_FROM_CONSOLE)
        raise UnsupportedCommand.single("command", f"unknown command {text!r}; use one of {allowed}") from cause
    return command


def identify_label(screen: Screen) -> str:
    """What identify shows: the screen's name and the number a technician finds it by in the console."""
    return f"{screen.name}  #{screen.id}"


def request(
    session: Session,
    screen: Screen,
    command: Command,
    *,
    requested_by: str,
    now: datetime,
    args: dict[str, Any] | None = None,
) -> DeviceCommand:
    """Add a pending command for ``screen`` (flushed, so it has an id); UnsupportedCommand if it cannot run there.

    ``args`` only for a print (what to print: kiosk_server/printing.py); the others' are fixed here.
    """
    executor = executor_for(screen.kind, command)
    args = dict(args or {}) if command is Command.PRINT else {}
    if command is Command.IDENTIFY:
        args = {"seconds": IDENTIFY_SECONDS, "label": identify_label(screen)}
    elif command is Command.SCREENSHOT:
        args = {"max_width": SCREENSHOT_MAX_WIDTH}
    row = DeviceCommand(
        screen_id=screen.id,
        command=command.value,
        executor=executor.value,
        args=args,
        requested_by=requested_by[:80],
        requested_at=now,
        state=State.PENDING.value,
    )
    session.add(row)
    session.flush()
    return row


def _transition(session: Session, *criteria: Any, **values: Any) -> list[DeviceCommand]:
    """Move the commands matching ``criteria`` to ``values``; returns only those this call moved."""
    stmt = (
        update(DeviceCommand)
        .where(*criteria)
        .values(**values)
        .returning(DeviceCommand)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return sorted(session.scalars(stmt), key=lambda row: row.id)


def mark_sent(session: Session, command_id: int, now: datetime) -> DeviceCommand | None:
    """pending → sent, or None when another process sent it first (or it ended meanwhile)."""
    moved = _transition(
        session,
        DeviceCommand.id == command_id,
        DeviceCommand.state == State.PENDING.value,
        state=State.SENT.value,
        sent_at=now,
        error="",
    )
    return moved[0] if moved else None


def hold(session: Session, command_id: int, reason: str) -> None:
    """Note on a pending command why it waits (``session_open``), so the console can say so."""
    session.execute(
        update(DeviceCommand)
        .where(DeviceCommand.id == command_id, DeviceCommand.state == State.PENDING.value)
        .values(error=reason[:MAX_ERROR])
    )


def fail(session: Session, command_id: int, error: str, message: str, now: datetime) -> DeviceCommand | None:
    """An unfinished command → failed with ``error`` (the server's own verdict: not connected, bad answer)."""
    moved = _transition(
        session,
        DeviceCommand.id == command_id,
        DeviceCommand.state.in_([State.PENDING.value, State.SENT.value]),
        state=State.FAILED.value,
        error=error[:MAX_ERROR],
        message=message[:MAX_MESSAGE],
        answered_at=now,
    )
    return moved[0] if moved else None


def answerable(session: Session, command_id: int, screen_id: int, executor: Executor) -> DeviceCommand | None:
    """The sent command ``command_id`` if this device (screen and executor) may answer it now, else None."""
    row = session.get(DeviceCommand, command_id)
    if row is None or row.screen_id != screen_id or row.executor != executor.value or row.state != State.SENT.value:
        return None
    return row


def answer(session: Session, command_id: int, outcome: Answer, now: datetime) -> DeviceCommand | None:
    """sent → done or failed with the device's answer; None when it was answered or timed out already."""
    values: dict[str, Any] = {
        "state": State.DONE.value if outcome.ok else State.FAILED.value,
        "answered_at": now,
        "result": dict(outcome.result),
        "error": "" if outcome.ok else outcome.error[:MAX_ERROR],
        "message": outcome.message[:MAX_MESSAGE],
    }
    if outcome.png is not None:
        values["screenshot"] = outcome.png
    moved = _transition(session, DeviceCommand.id == command_id, DeviceCommand.state == State.SENT.value, **values)
    if not moved:
        return None
    if outcome.png is not None:
        _drop_old_screenshots(session, moved[0].screen_id)
    return moved[0]


def _drop_old_screenshots(session: Session, screen_id: int) -> None:
    kept = (
        select(DeviceCommand.id)
        .where(DeviceCommand.screen_id == screen_id, DeviceCommand.screenshot.is_not(None))
        .order_by(DeviceCommand.id.desc())
        .limit(KEEP_SCREENSHOTS)
    )
    keep = list(session.scalars(kept))
    session.execute(
        update(DeviceCommand)
        .where(
            DeviceCommand.screen_id == screen_id,
            DeviceCommand.screenshot.is_not(None),
            DeviceCommand.id.not_in(keep),
        )
        .values(screenshot=None)
    )


def expire(session: Session, now: datetime) -> list[DeviceCommand]:
    """Time out what waited too long as of ``now``; returns the commands this call ended.

    Sent and unanswered: failed ``no_answer`` (screenshots after 30 s, the rest after 60 s), a print
    ``timeout`` after 20 s. Pending: a reload or identify nobody could send fails ``not_connected``
    after CONNECT_GRACE, a print ``agent_offline``; anything else expires after WAIT_LIMIT.
    """
    unfinished = select(DeviceCommand.id).where(DeviceCommand.state.in_([State.PENDING.value, State.SENT.value]))
    if session.scalars(unfinished.limit(1)).first() is None:
        return []  # the usual case: a read, so an idle sweep never takes SQLite's write lock
    screenshot = DeviceCommand.command == Command.SCREENSHOT.value
    printing = DeviceCommand.command == Command.PRINT.value
    sent = DeviceCommand.state == State.SENT.value
    pending = DeviceCommand.state == State.PENDING.value
    no_answer = {"state": State.FAILED.value, "error": NO_ANSWER, "answered_at": now}
    ended = _transition(
        session,
        sent,
        screenshot,
        DeviceCommand.sent_at < now - SCREENSHOT_ANSWER_LIMIT,
        message=f"no answer within {SCREENSHOT_ANSWER_LIMIT.seconds} s",
        **no_answer,
    )
    ended += _transition(
        session,
        sent,
        printing,
        DeviceCommand.sent_at < now - PRINT_ANSWER_LIMIT,
        state=State.FAILED.value,
        error=PRINT_TIMEOUT,
        message=f"no answer within {PRINT_ANSWER_LIMIT.seconds} s",
        answered_at=now,
    )
    ended += _transition(
        session,
        pending,
        printing,
        DeviceCommand.requested_at < now - CONNECT_GRACE,
        state=State.FAILED.value,
        error=AGENT_OFFLINE,
        message="the kiosk's agent is not connected",
        answered_at=now,
    )
    ended += _transition(
        session,
        sent,
        ~screenshot,
        ~printing,
        DeviceCommand.sent_at < now - ANSWER_LIMIT,
        message=f"no answer within {ANSWER_LIMIT.seconds} s",
        **no_answer,
    )
    ended += _transition(
        session,
        pending,
        DeviceCommand.command.in_([c.value for c in NOW_OR_NEVER]),
        DeviceCommand.requested_at < now - CONNECT_GRACE,
        state=State.FAILED.value,
        error=NOT_CONNECTED,
        message="the screen is not connected",
        answered_at=now,
    )
    ended += _transition(
        session,
        pending,
        DeviceCommand.requested_at < now - WAIT_LIMIT,
        state=State.EXPIRED.value,
        message=f"the device was not reachable within {WAIT_LIMIT.seconds // 60} minutes",
        answered_at=now,
    )
    return sorted(ended, key=lambda row: row.id)


def pending(session: Session, screen_ids: set[int] | None = None) -> list[DeviceCommand]:
    """Pending commands, oldest first (of ``screen_ids`` only, when given)."""
    query = select(DeviceCommand).where(DeviceCommand.state == State.PENDING.value)
    if screen_ids is not None:
        if not screen_ids:
            return []
        query = query.where(DeviceCommand.screen_id.in_(sorted(screen_ids)))
    return list(session.scalars(query.order_by(DeviceCommand.id)))


def screens_with_pending(session: Session) -> set[int]:
    """The screens that have a pending command (usually none)."""
    return set(session.scalars(select(DeviceCommand.screen_id).where(DeviceCommand.state == State.PENDING.value)))


def recent(session: Session, screen_id: int, limit: int = 10) -> list[DeviceCommand]:
    """A screen's last ``limit`` commands, newest first."""
    query = select(DeviceCommand).where(DeviceCommand.screen_id == screen_id)
    return list(session.scalars(query.order_by(DeviceCommand.id.desc()).limit(limit)))


def latest_screenshot_id(session: Session, screen_id: int) -> int | None:
    """The id of the screen's newest command that holds a screenshot, or None."""
    query = (
        select(DeviceCommand.id)
        .where(DeviceCommand.screen_id == screen_id, DeviceCommand.screenshot.is_not(None))
        .order_by(DeviceCommand.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


class BadPng(ValueError):
    """Bytes that are not a PNG we keep: the message says what is wrong (English, for logs and the console)."""


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header; BadPng when the bytes are no PNG or its size is implausible.

    Only the structure is read here (signature, IHDR, IEND at the end); the caller decodes the pixels.
    """
    if len(data) > MAX_PNG_BYTES:
        raise BadPng(f"{len(data)} bytes; at most {MAX_PNG_BYTES}")
    if not data.startswith(PNG_SIGNATURE) or len(data) < 8 + 25 + 12:
        raise BadPng("not a PNG (no PNG signature)")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise BadPng("not a PNG (no IHDR header first)")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= MAX_PNG_SIDE and 0 < height <= MAX_PNG_SIDE):
        raise BadPng(f"implausible size {width}×{height}")
    if data[-8:-4] != b"IEND":
        raise BadPng("truncated PNG (no IEND at the end)")
    return width, height
