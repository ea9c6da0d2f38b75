"""Kiosk device agents: their credentials (kept as keyed hashes) and the readers they report.

Every kiosk screen may have one agent credential; issuing a new one replaces (revokes) the old.
Reader statuses are kept per kiosk and reader for the fleet view: ``agent_hello`` replaces the
kiosk's whole set, ``reader_status`` one row, and a disconnected agent leaves them ``unknown``. A
fault keeps its reason code and how often it repeated until the next good status replaces it; the
last good read time only ever moves forward, so an older agent that does not send it loses nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.citizens.keyed_hash import keyed_hash, same_digest
from content.db import Base, utcnow
from content.errors import ContentError
from content.org.screens import Screen, ScreenKind

MAX_READERS: Final = 32
MAX_MESSAGE: Final = 255
MAX_REASON: Final = 40


class ReaderKind(StrEnum):
    IDCARD_SERIAL = "idcard_serial"
    SSC_PCSC = "ssc_pcsc"
    SCANNER_HID = "scanner_hid"
    HOTPLUG = "hotplug"


class ReaderState(StrEnum):
    ATTACHED = "attached"
    READING = "reading"  # a card is on the reader and being read
    IDLE = "idle"  # attached, no card
    FAULT = "fault"
    DETACHED = "detached"
    UNKNOWN = "unknown"  # set by the server when the agent is gone; never sent by an agent


# The states in which a reader works; anything else needs a technician (or the agent back).
GOOD_STATES: Final = frozenset({ReaderState.ATTACHED, ReaderState.READING, ReaderState.IDLE})


class NotAKiosk(ContentError):
    """Only kiosk screens run a device agent."""

    def __init__(self, screen: Screen) -> None:
        super().__init__(
            f"screen {screen.id} ({screen.name}) is a {screen.kind} screen; "
            "only kiosk screens have a device agent and its credential"
        )
        self.screen_id = screen.id


class AgentCredential(Base):
    """The keyed hash of a kiosk agent's credential; the credential itself is shown once and never stored."""

    __tablename__ = "agent_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), unique=True)
    credential_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReaderStatus(Base):
    """What a kiosk's agent last said about one of its readers."""

    __tablename__ = "reader_statuses"
    __table_args__ = (UniqueConstraint("screen_id", "reader_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (screen_id, reader_id) constraint leads with it.
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"))
    reader_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(MAX_MESSAGE), default="")
    reason: Mapped[str] = mapped_column(String(MAX_REASON), default="", server_default="")  # a fault's code
    repeated: Mapped[int] = mapped_column(default=1, server_default="1")  # a fault seen n times in an interval
    last_good_read_at: Mapped[datetime | None]
    changed_at: Mapped[datetime]


@dataclass(frozen=True)
class ReaderReport:
    """One reader as the agent reports it (``reader_status`` payload, or an entry of ``agent_hello``)."""

    reader_id: str
    kind: ReaderKind
    state: ReaderState
    message: str = ""
    reason: str = ""  # a code for a fault ("no_sam", "timeout", ...); empty for other states
    repeated: int = 1
    card_lost: bool = False  # the fault means the reader can no longer see the card it held
    last_good_read_at: datetime | None = None  # older agents do not send it

    @property
    def loses_card(self) -> bool:
        """Whether a session opened from this reader must end: it is gone, or it can no longer see the card."""
        return self.state is ReaderState.DETACHED or (self.state is ReaderState.FAULT and self.card_lost)


def issue_agent_credential(session: Session, screen: Screen, key: bytes) -> str:
    """A new credential for the kiosk's agent, replacing (revoking) any earlier one. Flushed, not committed."""
    if screen.kind != ScreenKind.KIOSK.value:
        raise NotAKiosk(screen)
    credential = secrets.token_urlsafe(32)
    row = session.scalar(select(AgentCredential).where(AgentCredential.screen_id == screen.id))
    if row is None:
        row = AgentCredential(screen_id=screen.id)
        session.add(row)
    row.credential_hash = keyed_hash(credential, key)
    row.created_at = utcnow()
    session.flush()
    return credential


def verify_agent_credential(session: Session, screen_key: str, credential: str, key: bytes) -> Screen | None:
    """The kiosk whose agent presents ``credential``, or None (unknown key, not a kiosk, wrong or revoked)."""
    presented = keyed_hash(credential, key)  # computed before the lookup: every refusal costs the same
    found = session.execute(
        select(Screen, AgentCredential.credential_hash)
        .join(AgentCredential, AgentCredential.screen_id == Screen.id)
        .where(Screen.key == screen_key, Screen.kind == ScreenKind.KIOSK.value)
    ).first()
    if found is None:
        return None
    screen, stored = found
    return screen if same_digest(presented, stored) else None


@dataclass(frozen=True)
class PresentedCredential:
    """What an agent connected with: its kiosk, the screen key and the keyed hash of its credential."""

    screen_id: int
    screen_key: str
    credential_hash: str


def presented_credential(screen: Screen, credential: str, key: bytes) -> PresentedCredential:
    """What a connection accepted by ``verify_agent_credential`` presented, to be checked again later."""
    return PresentedCredential(screen.id, screen.key, keyed_hash(credential, key))


def still_valid(session: Session, presented: Iterable[PresentedCredential]) -> set[PresentedCredential]:
    """Those of ``presented`` that would still be accepted: one query for any number of connected agents.

    A credential revoked (its row deleted), issued anew (another hash), or a kiosk re-keyed (revoked
    or its device replaced in the console), retired or deleted is no longer valid.
    """
    wanted = set(presented)
    if not wanted:
        return set()
    rows = session.execute(
        select(Screen.id, Screen.key, AgentCredential.credential_hash)
        .join(AgentCredential, AgentCredential.screen_id == Screen.id)
        .where(Screen.id.in_({p.screen_id for p in wanted}), Screen.kind == ScreenKind.KIOSK.value)
    ).all()
    current = {screen_id: (screen_key, digest) for screen_id, screen_key, digest in rows}
    return {
        p
        for p in wanted
        if p.screen_id in current
        and current[p.screen_id][0] == p.screen_key
        and same_digest(p.credential_hash, current[p.screen_id][1])
    }


def reader_statuses(session: Session, screen_id: int) -> list[ReaderStatus]:
    return list(
        session.scalars(
            select(ReaderStatus).where(ReaderStatus.screen_id == screen_id).order_by(ReaderStatus.reader_id)
        )
    )


def _row(session: Session, screen_id: int, reader_id: str) -> ReaderStatus | None:
    return session.scalar(
        select(ReaderStatus).where(ReaderStatus.screen_id == screen_id, ReaderStatus.reader_id == reader_id)
    )


def _later(stored: datetime | None, reported: datetime | None) -> datetime | None:
    if stored is None or reported is None:
        return stored or reported
    return max(stored, reported)


def set_reader_status(session: Session, screen_id: int, report: ReaderReport, now: datetime) -> ReaderStatus:
    """Insert or update one reader's row.

    ``changed_at`` moves only when kind, state, message or reason change. A good state clears the
    fault's reason and count; ``last_good_read_at`` never moves back (nor is it cleared by an agent
    that does not send it).
    """
    row = _row(session, screen_id, report.reader_id)
    if row is None:
        row = ReaderStatus(screen_id=screen_id, reader_id=report.reader_id)
        session.add(row)
    message = report.message[:MAX_MESSAGE]
    reason = report.reason[:MAX_REASON] if report.state is ReaderState.FAULT else ""
    shown = (report.kind.value, report.state.value, message, reason)
    if (row.kind, row.state, row.message, row.reason) != shown:
        row.kind, row.state, row.message, row.reason = shown
        row.changed_at = now
    row.repeated = max(1, report.repeated) if report.state is ReaderState.FAULT else 1
    row.last_good_read_at = _later(row.last_good_read_at, report.last_good_read_at)
    session.flush()
    return row


def note_good_read(session: Session, screen_id: int, reader_id: str, now: datetime) -> ReaderStatus | None:
    """A card was read on the reader: its last good read is ``now``, and a fault it reported is over.

    None when the agent never reported the reader (there is no row to note it on).
    """
    row = _row(session, screen_id, reader_id)
    if row is None:
        return None
    row.last_good_read_at = _later(row.last_good_read_at, now)
    if row.state == ReaderState.FAULT.value:
        row.state, row.message, row.reason, row.repeated, row.changed_at = ReaderState.READING.value, "", "", 1, now
    session.flush()
    return row


def replace_reader_statuses(
    session: Session, screen_id: int, reports: Iterable[ReaderReport], now: datetime
) -> list[ReaderStatus]:
    """Make the kiosk's reader rows exactly ``reports`` (the agent's full list at hello)."""
    wanted = {report.reader_id: report for report in reports}
    session.execute(
        delete(ReaderStatus)
        .where(ReaderStatus.screen_id == screen_id, ReaderStatus.reader_id.not_in(list(wanted)))
        .execution_options(synchronize_session="fetch")
    )
    return [set_reader_status(session, screen_id, report, now) for report in wanted.values()]


def mark_readers_unknown(session: Session, screen_id: int, now: datetime) -> int:
    """The agent is gone: every reader of the kiosk becomes ``unknown``. Returns the rows changed."""
    result = session.execute(
        update(ReaderStatus)
        .where(ReaderStatus.screen_id == screen_id, ReaderStatus.state != ReaderState.UNKNOWN.value)
        .values(state=ReaderState.UNKNOWN.value, message="agent disconnected", reason="", repeated=1, changed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
