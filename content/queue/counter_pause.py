"""暂停服务: a counter paused with a reason, resumed by one action; a paused counter calls nobody.

Rules (docs/queue.md, "Pausing a counter"):

- A reason is one of REASONS (休息, 业务培训, 系统故障) or 其他 with a text of at most 60 characters.
  The counter keeps the Chinese words (``Counter.pause_reason``), which strips and boards show.
- A counter with a ticket called or being served cannot pause: finish, mark or transfer it first,
  so a paused counter never holds a ticket and its strip says only 暂停服务 and why.
- Pausing a paused counter changes its reason and keeps its ``paused_since``; resuming a counter
  that is not paused changes nothing.
- "Call next" on a paused counter is refused (``CounterPaused``): resume first. Tickets sent to it
  wait for it; the hall's wait estimates stop counting it as open.
- Every pause and resume bumps the hall's board version (``lock_board``), so walls and strips update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from content.control_characters import first_control_character
from content.errors import ValidationError
from content.queue.models import Counter, Ticket
from content.queue.ticketing import QueueError, call_next, current_ticket, get_counter, lock_board

# The reasons offered, by code, with the words a counter keeps; "other" carries its own text.
REASONS: Final = {"break": "休息", "training": "业务培训", "system": "系统故障"}
OTHER: Final = "other"
MAX_REASON_LENGTH: Final = 60


class CounterPaused(QueueError):
    """The counter is paused (暂停服务): it must resume before it calls anyone."""

    def __init__(self, counter: Counter) -> None:
        super().__init__(f"{counter.name} is paused; resume before calling the next ticket")
        self.counter_id = counter.id


class OpenTicketAtPause(QueueError):
    """The counter still has a ticket called or being served, so it cannot pause."""

    def __init__(self, counter: Counter, ticket: Ticket) -> None:
        super().__init__(f"{counter.name} still has {ticket.number} open; finish or transfer it before pausing")
        self.number = ticket.number


@dataclass(frozen=True)
class PauseChange:
    """What a pause or resume did: the counter, its reason before and after (None: not paused)."""

    counter: Counter
    before: str | None
    after: str | None


def reason_text(reason: str, other: str = "") -> str:
    """The words a counter keeps for ``reason`` (a code of REASONS, or "other" with its ``other`` text)."""
    if reason in REASONS:
        return REASONS[reason]
    if reason != OTHER:
        raise ValidationError.single("reason", f"choose one of {', '.join([*REASONS, OTHER])}, not {reason!r}")
    text = " ".join(other.split())
    if not text:
        raise ValidationError.single("other", "say why the counter pauses")
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError.single("other", f"at most {MAX_REASON_LENGTH} characters, got {len(text)}")
    if first_control_character(text) is not None:
        raise ValidationError.single("other", "the reason cannot hold control characters")
    return text


def is_paused(counter: Counter) -> bool:
    return counter.paused_since is not None


def pause(session: Session, counter_id: int, reason: str, now: datetime, other: str = "") -> PauseChange:
    """Pause the counter (暂停服务) with a reason; a paused counter only changes its reason."""
    text = reason_text(reason, other)
    counter = get_counter(session, counter_id)
    lock_board(session, counter.hall_id, now)
    ticket = current_ticket(session, counter)
    if ticket is not None:
        raise OpenTicketAtPause(counter, ticket)
    before = counter.pause_reason if is_paused(counter) else None
    if counter.paused_since is None:
        counter.paused_since = now
    counter.pause_reason = text
    session.flush()
    return PauseChange(counter, before, text)


def resume(session: Session, counter_id: int, now: datetime) -> PauseChange:
    """Open the counter again; one that is not paused stays as it is."""
    counter = get_counter(session, counter_id)
    lock_board(session, counter.hall_id, now)
    before = counter.pause_reason if is_paused(counter) else None
    counter.paused_since = None
    counter.pause_reason = None
    session.flush()
    return PauseChange(counter, before, None)


def call_next_unless_paused(session: Session, counter_id: int, now: datetime) -> Ticket | None:
    """``call_next`` for a counter that is open; a paused one is refused with ``CounterPaused``."""
    counter = get_counter(session, counter_id)
    if is_paused(counter):
        raise CounterPaused(counter)
    return call_next(session, counter_id, now)
