"""Enrolment by code: a device shows a short code, a technician claims it, the device collects its screen.

A display at ``/enrol`` (or a box running ``kiosk provision``) asks for a code and gets a poll
secret with it; it shows the code and polls with the secret. A technician types the code into the
console, which creates (or, for a replacement, re-keys) a screen and ties it to the code; the
device's next poll collects the screen once (docs/protocol.md, "Enrolment by code").

Neither the code nor the poll secret is stored: only their SHA-256 digests. The secret carries
256 random bits, so a plain digest is enough; the code is short, but it lives ten minutes, is
single-use, and guessing is limited per account (``WRONG_CODE_LIMIT``). A live code's digest is
also kept in ``live_code_hash``, which is unique and cleared when the code stops being live, so
the database itself refuses two live codes that are equal.

This module stages outbox rows for the screens it creates or re-keys (the screen directory and the
manifest book learn from them); the audit rows and a kiosk's agent credential are the caller's,
since ``content.org`` imports no other part of the domain.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from content import outbox
from content.db import Base
from content.errors import ContentError, ValidationError
from content.org.screens import Orientation, Panel, Screen, ScreenGroup, ScreenKind, new_screen_key
from content.org.tree import Hall

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S and 8/B are left out, so a code read from across a hall
# and typed on a phone has one reading. 25 symbols, six places: about 244 million codes.
ALPHABET: Final = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH: Final = 6
CODE_LIFETIME: Final = timedelta(minutes=10)
# A claimed code is collected at the device's next poll; one that never comes is let go after this.
DELIVERY_WINDOW: Final = timedelta(minutes=10)
POLL_SECONDS: Final = 2
MAX_CLIENT: Final = 120

# Code requests per client address, and wrong codes per account, within one window.
WINDOW: Final = timedelta(minutes=10)
REQUEST_LIMIT: Final = 30
WRONG_CODE_LIMIT: Final = 10
# Codes drawn before giving up when every draw is live already (only a broken random source gets there).
MAX_DRAWS: Final = 20


class Device(StrEnum):
    DISPLAY = "display"  # a browser opened at /enrol
    BOX = "box"  # kiosk provision on the box


class CodeState(StrEnum):
    WAITING = "waiting"  # shown on the device, not claimed yet
    CLAIMED = "claimed"  # a technician chose the screen; the device has not collected it
    DELIVERED = "delivered"  # the device collected its screen (once)
    EXPIRED = "expired"
    REVOKED = "revoked"  # the screen was revoked or deleted before the device collected it


class Choice(Protocol):
    """What draws the code's symbols: ``secrets.SystemRandom`` in service, a seeded ``random.Random`` in tests."""

    def choice(self, seq: str, /) -> str: ...


_SYSTEM_RANDOM: Final = secrets.SystemRandom()


class EnrolmentError(ContentError):
    """Root of enrolment refusals."""


class TooManyRequests(EnrolmentError):
    """Too many code requests from one address, or wrong codes from one account, in ``WINDOW``."""

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(f"too many {what}; try again in {retry_after} s")
        self.what = what
        self.retry_after = retry_after


class CodeRefused(EnrolmentError):
    """A code that cannot be claimed: ``reason`` is malformed, unknown, expired or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"enrolment code refused: {reason}")
        self.reason = reason


class EnrolmentCode(Base):
    """One code a device showed, with the poll secret's digest and, once claimed, its screen."""

    __tablename__ = "enrolment_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The same digest while the code is live (waiting), NULL after: unique, so live codes never repeat.
    live_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(16))
    client: Mapped[str] = mapped_column(String(MAX_CLIENT), default="")
    client_address: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), default=CodeState.WAITING.value)
    created_at: Mapped[datetime] = mapped_column(index=True)
    expires_at: Mapped[datetime]
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screens.id", ondelete="SET NULL"), index=True)
    replaced: Mapped[bool] = mapped_column(default=False)  # the claim re-keyed an existing screen
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class WrongCode(Base):
    """One refused claim, counted per account for ``WRONG_CODE_LIMIT`` (the code typed is not kept)."""

    __tablename__ = "enrolment_wrong_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class IssuedCode:
    """A new code, its poll secret (shown to the device once) and when it expires."""

    id: int
    code: str
    secret: str
    expires_at: datetime


@dataclass(frozen=True)
class Placement:
    """Where and what the new screen is: chosen by the technician (scope checks are the caller's)."""

    hall: Hall
    name: str
    kind: ScreenKind
    width_px: int = 1920
    height_px: int = 1080
    orientation: Orientation = Orientation.LANDSCAPE
    panel: Panel = Panel.LCD
    groups: tuple[ScreenGroup, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claimed:
    code_id: int
    screen: Screen
    replaced: bool


@dataclass(frozen=True)
class Polled:
    """What a poll found: the state, and for ``delivered`` now (collected this once) the screen."""

    state: CodeState
    expires_at: datetime | None = None
    screen: Screen | None = None


def digest(text: str) -> str:
    """SHA-256 as 64 hex characters: how codes and poll secrets are kept."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(typed: str) -> str:
    """The code as stored: upper case, spaces and dashes dropped; ``CodeRefused("malformed")`` otherwise."""
    code = "".join(ch for ch in typed.upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        raise CodeRefused("malformed")
    return code


def expire_sweep(session: Session, now: datetime) -> int:
    """Mark expired the waiting codes past their time and the claimed ones never collected; how many."""
    waiting = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.state == CodeState.WAITING.value, EnrolmentCode.expires_at <= now)
        .values(state=CodeState.EXPIRED.value, live_code_hash=None)
    )
    stale = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.state == CodeState.CLAIMED.value, EnrolmentCode.claimed_at <= now - DELIVERY_WINDOW)
        .values(state=CodeState.EXPIRED.value)
    )
    return int(getattr(waiting, "rowcount", 0) or 0) + int(getattr(stale, "rowcount", 0) or 0)


def _retry_after(oldest: datetime | None, now: datetime) -> int:
    if oldest is None:
        return int(WINDOW.total_seconds())
    return max(1, math.ceil((oldest + WINDOW - now).total_seconds()))


def request_code(
    session: Session,
    *,
    device: str,
    client: str,
    address: str,
    now: datetime,
    rng: Choice = _SYSTEM_RANDOM,
) -> IssuedCode:
    """A new live code for a device, unequal to every other live code. Flushed, not committed."""
    try:
        kind = Device(device)
    except ValueError as err:
        raise ValidationError.single("device", f"unknown device {device!r}; use display or box") from err
    if len(client) > MAX_CLIENT:
        raise ValidationError.single("client", f"at most {MAX_CLIENT} characters")
    address = address[:64]
    recent = session.execute(
        select(func.count(), func.min(EnrolmentCode.created_at)).where(
            EnrolmentCode.client_address == address, EnrolmentCode.created_at > now - WINDOW
        )
    ).one()
    if recent[0] >= REQUEST_LIMIT:
        raise TooManyRequests("code requests from this address", _retry_after(recent[1], now))
    expire_sweep(session, now)
    secret = secrets.token_urlsafe(32)
    for _ in range(MAX_DRAWS):
        code = "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))
        hashed = digest(code)
        if session.scalar(select(EnrolmentCode.id).where(EnrolmentCode.live_code_hash == hashed)) is not None:
            continue
        row = EnrolmentCode(
            code_hash=hashed,
            live_code_hash=hashed,
            secret_hash=digest(secret),
            device=kind.value,
            client=client,
            client_address=address,
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
        try:
            with session.begin_nested():  # another process may have drawn the same code a moment ago
                session.add(row)
        except IntegrityError:
            continue
        return IssuedCode(row.id, code, secret, row.expires_at)
    raise EnrolmentError(f"no free code after {MAX_DRAWS} draws; is the random source broken?")


def check_attempts(session: Session, actor: str, now: datetime) -> None:
    """Refuse an account that typed ``WRONG_CODE_LIMIT`` wrong codes in ``WINDOW`` (before reading what it typed)."""
    count, oldest = session.execute(
        select(func.count(), func.min(WrongCode.at)).where(WrongCode.actor == actor, WrongCode.at > now - WINDOW)
    ).one()
    if count >= WRONG_CODE_LIMIT:
        raise TooManyRequests("wrong codes", _retry_after(oldest, now))


def find_code(session: Session, typed: str, *, actor: str, now: datetime) -> EnrolmentCode:
    """The live code ``typed`` names; a refusal is counted against ``actor`` (the caller commits it).

    ``CodeRefused`` says why: malformed, unknown, expired or used (a code seen before, no longer live).
    """
    check_attempts(session, actor, now)
    try:
        code = normalise_code(typed)
        hashed = digest(code)
        row = session.scalar(select(EnrolmentCode).where(EnrolmentCode.live_code_hash == hashed).with_for_update())
        if row is not None and row.expires_at > now:
            return row
        if row is not None:
            row.state, row.live_code_hash = CodeState.EXPIRED.value, None
            raise CodeRefused("expired")
        earlier = session.scalar(
            select(EnrolmentCode.state)
            .where(EnrolmentCode.code_hash == hashed, EnrolmentCode.created_at > now - 2 * CODE_LIFETIME)
            .order_by(EnrolmentCode.id.desc())
            .limit(1)
        )
        if earlier is None:
            raise CodeRefused("unknown")
        raise CodeRefused("expired" if earlier == CodeState.EXPIRED.value else "used")
    except CodeRefused:
        session.add(WrongCode(actor=actor[:80], at=now))
        raise


def claim(
    session: Session,
    row: EnrolmentCode,
    *,
    actor: str,
    now: datetime,
    placement: Placement | None = None,
    replace: Screen | None = None,
) -> Claimed:
    """Tie a live code to a new screen (``placement``) or to an existing one whose device it replaces.

    A replacement gets a new key at once, so the old device stops working now. Flushed, not committed.
    """
    if (placement is None) == (replace is None):
        raise ValueError("claim a code with a placement or a screen to replace, not both or neither")
    if row.state != CodeState.WAITING.value or row.live_code_hash is None:
        raise CodeRefused("used")
    if replace is not None:
        screen = replace
        screen.key = new_screen_key()
        action = "updated"
    else:
        assert placement is not None
        screen = _new_screen(placement)
        session.add(screen)
        action = "created"
    session.flush()
    outbox.add_event(session, "content", kind="screen", id=screen.id, action=action)
    row.state, row.live_code_hash = CodeState.CLAIMED.value, None
    row.screen_id, row.replaced = screen.id, replace is not None
    row.claimed_by, row.claimed_at = actor[:80], now
    session.flush()
    return Claimed(row.id, screen, replace is not None)


def _new_screen(placement: Placement) -> Screen:
    name = placement.name.strip()
    if not name:
        raise ValidationError.single("name", "a screen needs a name")
    if len(name) > 120:
        raise ValidationError.single("name", "at most 120 characters")
    for dimension in ("width_px", "height_px"):
        value = getattr(placement, dimension)
        if not 16 <= value <= 16384:
            raise ValidationError.single(dimension, f"{value} is outside 16 to 16384 pixels")
    screen = Screen(
        hall_id=placement.hall.id,
        name=name,
        kind=placement.kind.value,
        width_px=placement.width_px,
        height_px=placement.height_px,
        orientation=placement.orientation.value,
        panel=placement.panel.value,
    )
    screen.groups = list(placement.groups)
    screen.set_tags(list(placement.tags))
    return screen


def poll(session: Session, secret: str, now: datetime) -> Polled | None:
    """What the device holding ``secret`` gets now; None for a secret no code has.

    A claimed code is delivered once: its state becomes ``delivered`` in the caller's transaction.
    """
    hashed = digest(secret)  # before the lookup: a known and an unknown secret cost the same
    row = session.scalar(select(EnrolmentCode).where(EnrolmentCode.secret_hash == hashed).with_for_update())
    if row is None:
        return None
    state = CodeState(row.state)
    if state is CodeState.WAITING and row.expires_at <= now:
        row.state, row.live_code_hash = CodeState.EXPIRED.value, None
        return Polled(CodeState.EXPIRED)
    if state is CodeState.WAITING:
        return Polled(state, expires_at=row.expires_at)
    if state is CodeState.CLAIMED and row.claimed_at is not None and row.claimed_at <= now - DELIVERY_WINDOW:
        row.state = CodeState.EXPIRED.value
        return Polled(CodeState.EXPIRED)
    if state is CodeState.CLAIMED:
        screen = session.get(Screen, row.screen_id) if row.screen_id is not None else None
        if screen is None:  # deleted before the device came for it
            row.state = CodeState.REVOKED.value
            return Polled(CodeState.REVOKED)
        row.state, row.delivered_at = CodeState.DELIVERED.value, now
        session.flush()
        return Polled(CodeState.DELIVERED, screen=screen)
    return Polled(state)


def revoke_screen(session: Session, screen: Screen) -> int:
    """Give the screen a new key, so the device holding the old one is refused; codes not yet collected are revoked.

    Returns how many such codes there were. Flushed, not committed (the agent credential is the caller's).
    """
    screen.key = new_screen_key()
    pending = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.screen_id == screen.id, EnrolmentCode.state == CodeState.CLAIMED.value)
        .values(state=CodeState.REVOKED.value)
    )
    outbox.add_event(session, "content", kind="screen", id=screen.id, action="updated")
    session.flush()
    return int(getattr(pending, "rowcount", 0) or 0)
