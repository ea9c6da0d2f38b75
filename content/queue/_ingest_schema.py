"""The shape of an ingest batch (docs/queue-ingest.md): parsed from JSON, every field checked, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from content.errors import ValidationError
from content.queue.models import EventKind

MAX_EVENTS: Final = 500
MAX_SOURCE: Final = 40
MAX_EVENT_ID: Final = 80
MAX_COUNTER: Final = 999
NUMBER: Final = re.compile(r"[A-Z0-9]{1,8}")
LETTER: Final = re.compile(r"[A-Z]")
TOP_FIELDS: Final = frozenset({"source", "events"})
COMMON_FIELDS: Final = frozenset({"id", "type", "at", "ticket", "service"})
# The fields each type of event may carry besides the common ones.
EXTRA_FIELDS: Final[dict[EventKind, frozenset[str]]] = {
    EventKind.ARRIVE: frozenset({"priority"}),
    **{
        kind: frozenset({"counter"})
        for kind in (EventKind.CALL, EventKind.RECALL, EventKind.SERVE, EventKind.END, EventKind.NO_SHOW)
    },
    EventKind.TRANSFER: frozenset({"counter", "to_service", "to_counter"}),
}
EVENT_FIELDS: Final = COMMON_FIELDS.union(*EXTRA_FIELDS.values())
AT_COUNTER: Final = frozenset({EventKind.CALL, EventKind.RECALL, EventKind.SERVE, EventKind.END, EventKind.NO_SHOW})
_KINDS: Final = frozenset(kind.value for kind in EventKind)
_TYPES: Final = "|".join(kind.value for kind in EventKind)


class IngestError(ValidationError):
    """A batch was refused and nothing of it applied; ``errors`` maps ``events[i].field`` to what is wrong."""


class MalformedBatch(IngestError):
    """The batch breaks the schema, names what the hall does not have, or breaks a state rule."""


@dataclass(frozen=True)
class ExternalEvent:
    """One event of the hall's own queuing system, checked for shape."""

    index: int
    id: str
    kind: EventKind
    at: datetime
    ticket: str
    service: str | None = None
    counter: int | None = None
    priority: bool = False
    to_service: str | None = None
    to_counter: int | None = None

    def field(self, name: str) -> str:
        return f"events[{self.index}].{name}"


@dataclass(frozen=True)
class Batch:
    source: str
    events: tuple[ExternalEvent, ...]


def _kind_of(value: object) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


class _Reader:
    """Reads the fields of one JSON object, noting an error per bad field under ``path``."""

    def __init__(self, raw: Mapping[str, object], path: str, errors: dict[str, str]) -> None:
        self.raw, self.path, self.errors = raw, path, errors

    def fail(self, name: str, message: str) -> None:
        self.errors[f"{self.path}{name}"] = message

    def text(
        self, name: str, limit: int, pattern: re.Pattern[str] | None = None, example: str = "", required: bool = True
    ) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, "required")
            return None
        if (
            not isinstance(value, str)
            or not 1 <= len(value) <= limit
            or not value.strip()
            or (pattern and not pattern.fullmatch(value))
        ):
            shown = repr(value) if isinstance(value, str) else _kind_of(value)
            self.fail(name, f"{example or f'a string of 1–{limit} characters'}, got {shown}")
            return None
        return value

    def number(self, name: str, required: bool) -> int | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                self.fail(name, f"required for a '{self.raw.get('type')}' event: the counter number")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNTER:
            self.fail(name, f"a counter number 1–{MAX_COUNTER}, got {value!r}")
            return None
        return value

    def instant(self, name: str) -> datetime | None:
        value = self.text(name, 40, example="an ISO-8601 instant with its offset, e.g. 2026-12-02T09:15:00+08:00")
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.fail(name, f"an ISO-8601 instant with its offset, e.g. 2026-12-02T09:15:00+08:00, got {value!r}")
            return None
        return parsed


def _parse_event(index: int, raw: object, errors: dict[str, str]) -> ExternalEvent | None:
    path = f"events[{index}]."
    if not isinstance(raw, dict):
        errors[f"events[{index}]"] = f"an event object, got {_kind_of(raw)}"
        return None
    read = _Reader(raw, path, errors)
    before = len(errors)
    event_id = read.text("id", MAX_EVENT_ID)
    kind_value = raw.get("type")
    kind = EventKind(kind_value) if isinstance(kind_value, str) and kind_value in _KINDS else None
    if kind is None:
        read.fail("type", f"one of {_TYPES}, got {kind_value!r}" if kind_value is not None else "required")
    at = read.instant("at")
    ticket = read.text("ticket", 8, NUMBER, "a ticket number of 1–8 capital letters and digits, e.g. A023")
    letter = "the capital letter of a service type of this hall, e.g. A"
    service = read.text("service", 1, LETTER, letter, required=kind is EventKind.ARRIVE)
    if kind is None:
        return None
    for name in sorted(set(raw) - COMMON_FIELDS - EXTRA_FIELDS[kind]):
        read.fail(name, f"not a field of a '{kind.value}' event")
    counter = read.number("counter", required=kind in AT_COUNTER) if "counter" in EXTRA_FIELDS[kind] else None
    priority = raw.get("priority", False) if kind is EventKind.ARRIVE else False
    if not isinstance(priority, bool):
        read.fail("priority", f"true or false, got {_kind_of(priority)}")
    to_service = to_counter = None
    if kind is EventKind.TRANSFER:
        to_service = read.text("to_service", 1, LETTER, letter, required=False)
        to_counter = read.number("to_counter", required=False)
        if raw.get("to_service") is None and raw.get("to_counter") is None:
            read.fail("to_service", "a transfer names to_service, to_counter or both")
    if len(errors) > before or event_id is None or at is None or ticket is None:
        return None
    return ExternalEvent(index, event_id, kind, at, ticket, service, counter, priority is True, to_service, to_counter)


def parse_batch(data: object) -> Batch:
    """The batch in ``data`` (parsed JSON), or MalformedBatch naming every bad field of every event."""
    if not isinstance(data, dict):
        raise MalformedBatch.single("body", f"a JSON object with 'source' and 'events', got {_kind_of(data)}")
    errors: dict[str, str] = {}
    read = _Reader(data, "", errors)
    for name in sorted(set(data) - TOP_FIELDS):
        read.fail(name, "not a field of a batch")
    source = read.text("source", MAX_SOURCE, example=f"the name of the sending system, 1–{MAX_SOURCE} characters")
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        read.fail(
            "events",
            f"a list of 1–{MAX_EVENTS} events, got {'an empty list' if raw_events == [] else _kind_of(raw_events)}",
        )
        raise MalformedBatch(errors)
    if len(raw_events) > MAX_EVENTS:
        read.fail("events", f"at most {MAX_EVENTS} events per batch, got {len(raw_events)}; send it in parts")
        raise MalformedBatch(errors)
    events = [_parse_event(index, raw, errors) for index, raw in enumerate(raw_events)]
    if errors or source is None:
        raise MalformedBatch(errors)
    return Batch(source, tuple(e for e in events if e is not None))
