"""Citizen sessions: a short-lived, kiosk-bound session opened by a card, holding masked facts only.

The kiosk page gets a random token; the database keeps its SHA-256. A kiosk has at most one open
session: a new card ends the previous one (``replaced``). A session ends on card removal, after
``idle_seconds`` without activity, at ``hard_expires_at`` at the latest, or when the citizen finishes.
Ending is one conditional ``UPDATE ... WHERE ended_at IS NULL ... RETURNING``, so with several
server processes every session is ended, and reported, by exactly one of them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Date, ForeignKey, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.accounts import audit
from content.citizens.idnumbers import mask_id_number_for_log
from content.citizens.kiosk_agents import ReaderReport, ReaderState
from content.citizens.records import CardIdentity, PersonRecord, RecordsBackend, RecordsError, age_on, mask_name
from content.citizens.sealed import FullIdentity, seal_identity
from content.db import Base
from content.org.screens import Screen

# What logs say for a session whose records backend returned no (masked) ID number.
NO_ID_FOR_LOG: Final = "(no ID number from the records backend)"
CARD_ONLY_NOTICE: Final = "此卡为第三代社保卡，本机未配备PSAM安全模块，个人信息将通过卡号查询。"


class EndReason(StrEnum):
    CARD_REMOVED = "card_removed"
    TIMEOUT = "timeout"
    FINISHED = "finished"
    REPLACED = "replaced"
    AGENT_RECONNECTED = "agent_reconnected"
    READER_DETACHED = "reader_detached"  # the reader that read the card was unplugged
    READER_FAULT = "reader_fault"  # the reader failed in a way that lost sight of the card


class CitizenSession(Base):
    """One citizen at one kiosk, from card to finish; no number, full name or token is stored."""

    __tablename__ = "citizen_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(8))
    reader_id: Mapped[str] = mapped_column(String(64))
    person_ref: Mapped[str] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(60))
    masked_id: Mapped[str] = mapped_column(String(18))
    sex_code: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    notice: Mapped[str] = mapped_column(String(200), default="")
    idle_seconds: Mapped[int]
    opened_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # idle expiry, never after hard_expires_at
    hard_expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    # Full name and ID number for the 参保证明, sealed under the token's key (content/citizens/sealed.py);
    # None once the session ends or its token is reissued.
    sealed_identity: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)

    @property
    def logged_id(self) -> str:
        """The ID number as log lines show it; says so when the records backend gave none."""
        return mask_id_number_for_log(self.masked_id) or NO_ID_FOR_LOG

    def __repr__(self) -> str:
        return (
            f"CitizenSession(id={self.id!r}, screen_id={self.screen_id!r}, "
            f"masked_id={self.logged_id!r}, "
            f"ended={self.end_reason!r})"
        )


@dataclass(frozen=True)
class OpenedSession:
    """A new session, its token (shown once, to the kiosk page), and the sessions it replaced."""

    session: CitizenSession
    token: str = field(repr=False)
    replaced: list[CitizenSession]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 hex of a session token: tokens are random, so no key is needed to keep them unguessable."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _end(session: Session, reason: EndReason, now: datetime, *criteria: Any) -> list[CitizenSession]:
    """End the open sessions matching ``criteria``; returns only those this call ended."""
    stmt = (
        update(CitizenSession)
        .where(CitizenSession.ended_at.is_(None), *criteria)
        .values(ended_at=now, end_reason=reason.value, sealed_identity=None)
        .returning(CitizenSession)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    ended = list(session.scalars(stmt))
    return sorted(ended, key=lambda row: row.id)


def end_sessions(
    session: Session,
    screen_id: int,
    reason: EndReason,
    now: datetime,
    *,
    reader_id: str | None = None,
    except_readers: Collection[str] | None = None,
) -> list[CitizenSession]:
    """End the kiosk's open sessions (only those from ``reader_id``, or all but ``except_readers``)."""
    criteria: list[Any] = [CitizenSession.screen_id == screen_id]
    if reader_id is not None:
        criteria.append(CitizenSession.reader_id == reader_id)
    if except_readers is not None:
        criteria.append(CitizenSession.reader_id.not_in(list(except_readers)))
    return _end(session, reason, now, *criteria)


def end_for_reader(session: Session, screen_id: int, report: ReaderReport, now: datetime) -> list[CitizenSession]:
    """End the sessions opened from a reader that is gone or lost sight of its card; [] for any other status.

    Its card's removal will never be reported, and a session must not outlive the card it came from.
    Sessions from the kiosk's other readers go on.
    """
    if not report.loses_card:
        return []
    reason = EndReason.READER_DETACHED if report.state is ReaderState.DETACHED else EndReason.READER_FAULT
    return end_sessions(session, screen_id, reason, now, reader_id=report.reader_id)


# Ends after which the card is still in its reader: the citizen neither took it nor had a reader go.
LEFT_IN_READER: Final = frozenset({EndReason.TIMEOUT.value, EndReason.FINISHED.value})


def card_left_in_reader(session: Session, screen_id: int, reader_id: str) -> bool:
    """Whether the kiosk's last session from ``reader_id`` ended with its card still there (timeout, 结束).

    Its ``card_removed`` ends nothing, yet the kiosk page is asking the citizen to take the card.
    """
    stmt = select(CitizenSession.ended_at, CitizenSession.end_reason).where(
        CitizenSession.screen_id == screen_id, CitizenSession.reader_id == reader_id
    )
    last = session.execute(stmt.order_by(CitizenSession.id.desc()).limit(1)).first()
    return last is not None and last.ended_at is not None and last.end_reason in LEFT_IN_READER


def end_session_by_token(session: Session, token: str, reason: EndReason, now: datetime) -> CitizenSession | None:
    """End the open session holding ``token`` (the citizen tapped 完成); None when there is none."""
    ended = _end(session, reason, now, CitizenSession.token_hash == token_hash(token))
    return ended[0] if ended else None


def expired_sessions(session: Session, now: datetime) -> list[CitizenSession]:
    """Open sessions whose idle (or hard) expiry has passed."""
    stmt = select(CitizenSession).where(CitizenSession.ended_at.is_(None), CitizenSession.expires_at <= now)
    return list(session.scalars(stmt.order_by(CitizenSession.id)))


def end_expired(session: Session, now: datetime) -> list[CitizenSession]:
    """End every expired open session with ``timeout``; returns the ones this call ended."""
    return _end(session, EndReason.TIMEOUT, now, CitizenSession.expires_at <= now)


def open_session_for(session: Session, screen_id: int, now: datetime | None = None) -> CitizenSession | None:
    """The kiosk's open session (not ended, and not yet expired at ``now`` when given)."""
    stmt = select(CitizenSession).where(CitizenSession.screen_id == screen_id, CitizenSession.ended_at.is_(None))
    if now is not None:
        stmt = stmt.where(CitizenSession.expires_at > now)
    return session.scalars(stmt.order_by(CitizenSession.id.desc()).limit(1)).first()


def find_open(session: Session, token: str, now: datetime) -> CitizenSession | None:
    """The open, unexpired session holding ``token``."""
    return session.scalar(
        select(CitizenSession).where(
            CitizenSession.token_hash == token_hash(token),
            CitizenSession.ended_at.is_(None),
            CitizenSession.expires_at > now,
        )
    )


def touch(session: Session, token: str, now: datetime) -> CitizenSession | None:
    """Record activity: the idle expiry moves to ``now + idle_seconds``, never past the hard expiry."""
    found = find_open(session, token, now)
    if found is not None:
        found.last_activity_at = now
        found.expires_at = min(now + timedelta(seconds=found.idle_seconds), found.hard_expires_at)
    return found


def reissue_token(citizen: CitizenSession) -> str:
    """A fresh token for an open session (a reloaded kiosk page); the old one stops working.

    The sealed identity goes with the old token: its key is gone, so it is wiped (the certificate then
    prints the masked ID number, and the kiosk says why).
    """
    token = new_token()
    citizen.token_hash = token_hash(token)
    citizen.sealed_identity = None
    return token


def open_session(
    session: Session,
    screen: Screen,
    person: PersonRecord,
    identity: CardIdentity,
    now: datetime,
    idle_seconds: int,
    max_seconds: int,
    notice: str = "",
) -> tuple[CitizenSession, str, list[CitizenSession]]:
    """Open a session for ``person`` at kiosk ``screen``, ending the one it had (``replaced``); audited.

    Returns the session, its token and the sessions it ended. Flushed, not committed.
    """
    replaced = end_sessions(session, screen.id, EndReason.REPLACED, now)
    token = new_token()
    hard = now + timedelta(seconds=max_seconds)
    citizen = CitizenSession(
        screen_id=screen.id,
        token_hash=token_hash(token),
        source=identity.source.value,
        reader_id=identity.reader_id,
        person_ref=person.ref,
        masked_name=mask_name(person.name),
        masked_id=person.masked_id,
        sex_code=person.sex_code,
        birth_date=person.birth_date,
        notice=notice,
        idle_seconds=idle_seconds,
        opened_at=now,
        last_activity_at=now,
        expires_at=min(now + timedelta(seconds=idle_seconds), hard),
        hard_expires_at=hard,
        sealed_identity=seal_identity(FullIdentity(person.name, identity.id_number), token),
    )
    session.add(citizen)
    session.flush()
    audit.record(
        session,
        actor=agent_actor(screen.id),
        action="citizen_session.open",
        obj_kind="screen",
        obj_id=screen.id,
        summary={
            "source": identity.source.value,
            "reader_id": identity.reader_id,
            "lookup": identity.lookup,
            "session_id": citizen.id,
        },
    )
    return citizen, token, replaced


def agent_actor(screen_id: int) -> str:
    """Who acts in the audit log for a kiosk's agent (the screen id: the screen key is a credential)."""
    return f"agent:screen-{screen_id}"


def identify_and_open(
    session: Session,
    backend: RecordsBackend,
    screen: Screen,
    identity: CardIdentity,
    now: datetime,
    idle_seconds: int,
    max_seconds: int,
) -> OpenedSession:
    """Resolve the card through ``backend`` and open a session; a refusal is audited and re-raised.

    Whether it opens or is refused, the caller commits (the audit row of a refusal too).
    """
    try:
        person = backend.identify(identity)
    except RecordsError as err:
        audit.record(
            session,
            actor=agent_actor(screen.id),
            action="citizen_session.refused",
            obj_kind="screen",
            obj_id=screen.id,
            summary={
                "source": identity.source.value,
                "reader_id": identity.reader_id,
                "lookup": identity.lookup,
                "error": err.code,
            },
        )
        raise
    notice = CARD_ONLY_NOTICE if identity.card_only else ""
    citizen, token, replaced = open_session(session, screen, person, identity, now, idle_seconds, max_seconds, notice)
    return OpenedSession(citizen, token, replaced)
