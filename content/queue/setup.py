"""Setting a hall's queue up: its service types (with letters) and its counters (with strip screens)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import NotFound, ValidationError
from content.org.screens import Screen, ScreenKind
from content.org.tree import Hall
from content.queue.models import PREFIXES, Counter, ServiceType


def add_service_type(
    session: Session,
    hall_id: int,
    *,
    prefix: str,
    name: str,
    name_en: str = "",
    default_service_seconds: int = 300,
    priority_boost_minutes: int | None = None,
    position: int | None = None,
) -> ServiceType:
    if session.get(Hall, hall_id) is None:
        raise NotFound("hall", hall_id)
    errors: dict[str, str] = {}
    letter = prefix.strip().upper()
    if len(letter) != 1 or letter not in PREFIXES:
        errors["prefix"] = f"one letter A–Z, got {prefix!r}"
    elif session.scalar(select(ServiceType.id).where(ServiceType.hall_id == hall_id, ServiceType.prefix == letter)):
        errors["prefix"] = f"the letter {letter} is already used in this hall"
    if not name.strip():
        errors["name"] = "a name is required"
    if not 30 <= default_service_seconds <= 3600:
        errors["default_service_seconds"] = f"between 30 and 3600 seconds, got {default_service_seconds}"
    if priority_boost_minutes is not None and not 0 <= priority_boost_minutes <= 240:
        errors["priority_boost_minutes"] = f"between 0 and 240 minutes (or none), got {priority_boost_minutes}"
    if errors:
        raise ValidationError(errors)
    if position is None:
        position = len(list(session.scalars(select(ServiceType.id).where(ServiceType.hall_id == hall_id))))
    service = ServiceType(
        hall_id=hall_id,
        prefix=letter,
        name=name.strip(),
        name_en=name_en.strip(),
        default_service_seconds=default_service_seconds,
        priority_boost_minutes=priority_boost_minutes,
        position=position,
    )
    session.add(service)
    session.flush()
    return service


def add_counter(
    session: Session,
    hall_id: int,
    *,
    number: int,
    services: Sequence[ServiceType],
    name: str | None = None,
    screen: Screen | None = None,
) -> Counter:
    if session.get(Hall, hall_id) is None:
        raise NotFound("hall", hall_id)
    errors: dict[str, str] = {}
    if not 1 <= number <= 999:
        errors["number"] = f"between 1 and 999, got {number}"
    elif session.scalar(select(Counter.id).where(Counter.hall_id == hall_id, Counter.number == number)):
        errors["number"] = f"counter {number} already exists in this hall"
    if not services:
        errors["services"] = "a counter serves at least one service type"
    elif any(s.hall_id != hall_id for s in services):
        errors["services"] = "every service type must belong to this hall"
    if screen is not None and (screen.hall_id != hall_id or screen.kind != ScreenKind.COUNTER.value):
        errors["screen_id"] = "the strip must be a counter screen of this hall"
    if errors:
        raise ValidationError(errors)
    counter = Counter(
        hall_id=hall_id,
        number=number,
        name=name or f"{number}号窗口",
        screen_id=screen.id if screen else None,
        services=list(services),
    )
    session.add(counter)
    session.flush()
    return counter


def counter_for_screen(session: Session, screen_id: int) -> Counter | None:
    """The counter whose strip this screen is, if any."""
    return session.scalar(select(Counter).where(Counter.screen_id == screen_id))
