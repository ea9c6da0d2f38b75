"""A screen's call voice settings: volume (0–100) and quiet hours (no voice: chime only, or silent).

Kept per screen and delivered in its manifest (``voice``, docs/protocol.md §2), so a wall follows
them offline. Quiet hours are local times of the hall ("HH:MM"), and may run across midnight
(20:00 to 08:30). A screen without a row plays at full volume with no quiet hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content import outbox
from content.db import Base
from content.errors import NotFound, ValidationError
from content.org.screens import Screen

DEFAULT_VOLUME: Final = 100
_CLOCK: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class QuietMode(StrEnum):
    CHIME = "chime"  # the chime plays, no voice
    SILENT = "silent"  # nothing plays


class ScreenVoice(Base):
    """One screen's voice settings (no row: the defaults)."""

    __tablename__ = "screen_voice_settings"

    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True)
    volume: Mapped[int] = mapped_column(default=DEFAULT_VOLUME)
    quiet_from: Mapped[str | None] = mapped_column(String(5))
    quiet_to: Mapped[str | None] = mapped_column(String(5))
    quiet_mode: Mapped[str] = mapped_column(String(8), default=QuietMode.CHIME.value)


@dataclass(frozen=True)
class VoiceSettings:
    """Plain settings: what the console shows and the manifest carries."""

    volume: int = DEFAULT_VOLUME
    quiet_from: str | None = None
    quiet_to: str | None = None
    quiet_mode: str = QuietMode.CHIME.value

    @property
    def quiet(self) -> list[dict[str, str]]:
        """The quiet windows as the manifest lists them (none, or one)."""
        if not self.quiet_from or not self.quiet_to:
            return []
        return [{"from": self.quiet_from, "to": self.quiet_to, "mode": self.quiet_mode}]


def validate(volume: object, quiet_from: str | None, quiet_to: str | None, quiet_mode: str) -> VoiceSettings:
    """Settings from form or API values; ValidationError naming each field that is wrong."""
    errors: dict[str, str] = {}
    try:
        level = int(str(volume).strip())
    except ValueError:
        level = -1
    if not 0 <= level <= 100:
        errors["volume"] = f"volume must be a whole number from 0 to 100, not {volume!r}"
    start = (quiet_from or "").strip() or None
    end = (quiet_to or "").strip() or None
    for name, value in (("quiet_from", start), ("quiet_to", end)):
        if value is not None and not _CLOCK.match(value):
            errors[name] = f"{name} must be a time of day as HH:MM (for example 08:30), not {value!r}"
    if (start is None) != (end is None):
        errors["quiet_to" if end is None else "quiet_from"] = "give both ends of the quiet hours, or neither"
    elif start is not None and start == end:
        errors["quiet_to"] = "quiet hours must not start and end at the same time"
    if quiet_mode not in set(QuietMode):
        errors["quiet_mode"] = f"quiet_mode must be chime or silent, not {quiet_mode!r}"
    if errors:
        raise ValidationError(errors)
    return VoiceSettings(level, start, end, quiet_mode)


def settings_of(session: Session, screen_id: int) -> VoiceSettings:
    """The screen's settings (the defaults when it has none)."""
    row = session.get(ScreenVoice, screen_id)
    if row is None:
        return VoiceSettings()
    return VoiceSettings(row.volume, row.quiet_from, row.quiet_to, row.quiet_mode)


def all_settings(session: Session, screen_ids: list[int] | None = None) -> dict[int, VoiceSettings]:
    """Settings of the screens that have a row (all such screens when ``screen_ids`` is None)."""
    query = select(ScreenVoice)
    if screen_ids is not None:
        query = query.where(ScreenVoice.screen_id.in_(screen_ids))
    return {
        row.screen_id: VoiceSettings(row.volume, row.quiet_from, row.quiet_to, row.quiet_mode)
        for row in session.scalars(query)
    }


def save(session: Session, screen_id: int, settings: VoiceSettings) -> VoiceSettings:
    """Store the screen's settings in the caller's transaction, with the outbox row that republishes it."""
    if session.get(Screen, screen_id) is None:
        raise NotFound("screen", screen_id)
    row = session.get(ScreenVoice, screen_id)
    if row is None:
        row = ScreenVoice(screen_id=screen_id)
        session.add(row)
    row.volume = settings.volume
    row.quiet_from, row.quiet_to, row.quiet_mode = settings.quiet_from, settings.quiet_to, settings.quiet_mode
    outbox.add_event(session, "content", kind="screen", id=screen_id, action="voice")
    return settings
