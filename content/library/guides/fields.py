"""What a service guide holds, checked and made plain text: one rule for the console, the API and imports.

Guides are written by many hands and shown on every screen below their node, so no field is ever
taken as HTML: markup is stripped (``<script>`` and ``<iframe>`` with what they hold), entities are
read back to the characters they stand for, and the player and kiosk show the result as text.
Lists have length limits per list and per entry, so a step list of 10,000 items is refused, not
stored. The online link must be an ``http(s)`` URL: it becomes a QR code a citizen scans.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

import nh3

from content.control_characters import control_character_at
from content.errors import ValidationError
from content.library.guides.service_guides import ServiceGuide

# Longest text per field (characters); lists: at most MAX_* entries, each at most *_TEXT characters.
LIMITS: Final = {
    "title": 200,
    "category": 20,
    "conditions": 2000,
    "time_limit": 40,
    "fee": 80,
    "location": 120,
    "counter": 60,
    "hours": 120,
    "legal_basis": 1000,
    "online_url": 500,
    "phone": 40,
}
MAX_MATERIALS: Final = 30
MAX_STEPS: Final = 20
MATERIAL_TEXT: Final = 120
STEP_TEXT: Final = 300
MAX_COPIES: Final = 20
TEXT_FIELDS: Final = tuple(LIMITS)
REQUIRED: Final = ("title", "category", "steps")
_DROP_WITH_CONTENT: Final = frozenset({"script", "style", "iframe", "object", "noscript", "template", "svg", "math"})


@lru_cache(maxsize=1)
def _stripper() -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(), clean_content_tags=set(_DROP_WITH_CONTENT), strip_comments=True)


def plain_text(value: str) -> str:
    """``value`` with any HTML markup removed (and entities read), trimmed: what a guide stores."""
    if "<" in value or "&" in value:
        value = html.unescape(_stripper().clean(value))
    return value.strip()


@dataclass(frozen=True)
class Material:
    """One document a citizen brings: how many copies, and whether the original must be shown."""

    name: str
    copies: int = 1
    original: bool = False  # 原件: shown at the counter (and handed back)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GuideFields:
    """Everything an editor writes in a guide, checked (``parse``) or read from a row (``of``)."""

    org_unit_id: int | None
    title: str
    category: str
    steps: tuple[str, ...]
    conditions: str = ""
    materials: tuple[Material, ...] = ()
    time_limit: str = ""
    fee: str = "不收费"
    location: str = ""
    counter: str = ""
    hours: str = ""
    legal_basis: str = ""
    online_url: str = ""
    phone: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @classmethod
    def of(cls, guide: ServiceGuide) -> GuideFields:
        return cls(
            org_unit_id=guide.org_unit_id,
            title=guide.title,
            category=guide.category,
            steps=tuple(guide.steps or ()),
            conditions=guide.conditions,
            materials=tuple(Material(**m) for m in guide.materials or ()),
            time_limit=guide.time_limit,
            fee=guide.fee,
            location=guide.location,
            counter=guide.counter,
            hours=guide.hours,
            legal_basis=guide.legal_basis,
            online_url=guide.online_url,
            phone=guide.phone,
            valid_from=guide.valid_from,
            valid_until=guide.valid_until,
        )

    def columns(self) -> dict[str, Any]:
        """The values as a row's columns (lists as JSON arrays)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values["steps"] = list(self.steps)
        values["materials"] = [m.as_json() for m in self.materials]
        return values

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> GuideFields:
        """Check and clean a guide given as plain data; every problem at once, by field (``materials.2.copies``)."""
        return _Parser(raw).fields()


@dataclass
class _Parser:
    raw: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def fields(self) -> GuideFields:
        texts = {name: self._text(name, self.raw.get(name), LIMITS[name]) for name in TEXT_FIELDS}
        steps = self._steps(self.raw.get("steps"))
        materials = self._materials(self.raw.get("materials"))
        for name in REQUIRED:
            if not (steps if name == "steps" else texts[name]) and name not in self.errors:
                self.errors[name] = "is required" if name != "steps" else "needs at least one step"
        url = texts["online_url"]
        if url and "online_url" not in self.errors:
            self._check_url(url)
        org = self.raw.get("org_unit_id")
        if org is not None and (isinstance(org, bool) or not isinstance(org, int) or org < 1):
            self.errors["org_unit_id"] = "must be an org unit id (a whole number)"
        valid_from, valid_until = self._instant("valid_from"), self._instant("valid_until")
        if valid_from is not None and valid_until is not None and valid_until <= valid_from:
            self.errors["valid_until"] = "must come after valid_from"
        if self.errors:
            raise ValidationError(self.errors)
        fee = texts.pop("fee") or "不收费"
        return GuideFields(
            org_unit_id=org,
            steps=steps,
            materials=materials,
            fee=fee,
            valid_from=valid_from,
            valid_until=valid_until,
            **texts,
        )

    def _text(self, name: str, value: Any, limit: int) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.errors[name] = "must be text"
            return ""
        bad = control_character_at(value)
        if bad is not None:
            self.errors[name] = f"holds the control character {bad[0]} at character {bad[1]}"
            return ""
        text = plain_text(value)
        if len(text) > limit:
            self.errors[name] = f"is {len(text)} characters long, at most {limit}"
        return text

    def _list(self, name: str, value: Any, most: int) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.errors[name] = "must be a list"
            return []
        if len(value) > most:
            self.errors[name] = f"has {len(value)} entries, at most {most}"
            return []
        return list(value)

    def _steps(self, value: Any) -> tuple[str, ...]:
        steps = []
        for n, step in enumerate(self._list("steps", value, MAX_STEPS), start=1):
            text = self._text(f"steps.{n}", step, STEP_TEXT)
            if text:
                steps.append(text)
            elif f"steps.{n}" not in self.errors:
                self.errors[f"steps.{n}"] = "is empty"
        return tuple(steps)

    def _materials(self, value: Any) -> tuple[Material, ...]:
        found = []
        for n, entry in enumerate(self._list("materials", value, MAX_MATERIALS), start=1):
            where = f"materials.{n}"
            if isinstance(entry, str):
                entry = {"name": entry}
            if not isinstance(entry, Mapping):
                self.errors[where] = "must be a name or an object with name, copies, original, note"
                continue
            unknown = sorted(set(entry) - {"name", "copies", "original", "note"})
            if unknown:
                self.errors[where] = f"has unknown fields: {', '.join(map(str, unknown))}"
                continue
            name = self._text(f"{where}.name", entry.get("name"), MATERIAL_TEXT)
            note = self._text(f"{where}.note", entry.get("note"), MATERIAL_TEXT)
            if not name and f"{where}.name" not in self.errors:
                self.errors[f"{where}.name"] = "is required"
            copies = entry.get("copies", 1)
            if isinstance(copies, bool) or not isinstance(copies, int) or not 0 <= copies <= MAX_COPIES:
                self.errors[f"{where}.copies"] = f"must be a whole number from 0 to {MAX_COPIES}"
                copies = 1
            original = entry.get("original", False)
            if not isinstance(original, bool):
                self.errors[f"{where}.original"] = "must be true or false"
                original = False
            found.append(Material(name, copies, original, note))
        return tuple(found)

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            self.errors["online_url"] = "must be an http:// or https:// address (it becomes a QR code)"

    def _instant(self, name: str) -> datetime | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.errors[name] = "must be an ISO 8601 instant with its offset, e.g. 2026-12-01T08:00:00+08:00"
                return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            self.errors[name] = "must be an instant with its offset, e.g. 2026-12-01T08:00:00+08:00"
            return None
        return value
