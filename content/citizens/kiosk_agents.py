"""Kiosk device agents: their credentials (kept as keyed hashes) and the readers they report.

Every kiosk screen may have one agent credential; issuing a new one replaces (revokes) the old.
Reader statuses are kept per kiosk and reader for the fleet view: ``agent_hello`` replaces the
kiosk's whole set, ``reader_status`` one row, and a disconnected agent leaves them ``unknown``.
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


class ReaderKind(StrEnum):
    IDCARD_SERIAL = "idcard_serial"
    SSC_PCSC = "ssc_pcsc"
    SCANNER_HID = "scanner_hid"
    HOTPLUG = "hotplug"


class ReaderState(StrEnum):
    ATTACHED = "attached"
    DETACHED = "detached"
    FAULT = "fault"
    UNKNOWN = "unknown"  # set by the server when the agent is gone; never sent by an agent


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
    changed_at: Mapped[datetime]


@dataclass(frozen=True)
class ReaderReport:
    """One reader as the agent reports it (``reader_status`` payload, or an entry of ``agent_hello``)."""

    reader_id: str
    kind: ReaderKind
    state: ReaderState
    message: str = ""


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


def reader_statuses(session: Session, screen_id: int) -> list[ReaderStatus]:
    return list(
        session.scalars(
            select(ReaderStatus).where(ReaderStatus.screen_id == screen_id).order_by(ReaderStatus.reader_id)
        )
    )


def set_reader_status(session: Session, screen_id: int, report: ReaderReport, now: datetime) -> ReaderStatus:
    """Insert or update one reader's row (``changed_at`` moves only when kind, state or message change)."""
    row = session.scalar(
        select(ReaderStatus).where(ReaderStatus.screen_id == screen_id, ReaderStatus.reader_id == report.reader_id)
    )
    if row is None:
        row = ReaderStatus(screen_id=screen_id, reader_id=report.reader_id)
        session.add(row)
    message = report.message[:MAX_MESSAGE]
    if (row.kind, row.state, row.message) != (report.kind.value, report.state.value, message):
        row.kind, row.state, row.message, row.changed_at = report.kind.value, report.state.value, message, now
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
        .values(state=ReaderState.UNKNOWN.value, message="agent disconnected", changed_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)
