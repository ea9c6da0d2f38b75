"""The audit log as people read it: actions, object kinds and changes in words, times in the console's zone.

A summary (``content.accounts.audit.AuditEntry.summary``) comes in three shapes: ``before``/``after``
objects (changed fields, or the whole object on create and delete), ``changed`` (field → [old, new]),
or plain facts (``{"reason": …}``). Each becomes lines ``字段：旧值 → 新值`` or ``字段：值``; an ISO
timestamp becomes ``2026-12-06 14:05`` in the zone managers read (``base.console_zone``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from kiosk_server.console.words import catalogue, say

_ISO_INSTANT: Final = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")
_LONGEST: Final = 80  # characters of one value; the rest is elided
_MOST_LINES: Final = 12

Instant = Callable[[datetime], str]


def readable_key(lang: str, group: str, key: str) -> str:
    """The words for ``key`` under ``audit.<group>.``; an unknown key with its underscores and dots as spaces."""
    return say_known(lang, f"audit.{group}.{key}", key)


def say_known(lang: str, key: str, raw: str) -> str:
    """The words for ``key`` if the catalogue has them, else ``raw`` (a code) with underscores and dots as spaces."""
    return say(lang, key) if key in catalogue() else re.sub(r"[_.]+", " ", raw).strip()


def action_words(lang: str, action: str) -> str:
    return readable_key(lang, "do", action)


def kind_words(lang: str, kind: str) -> str:
    return readable_key(lang, "kind", kind)


def value_words(lang: str, value: Any, instant: Instant, until: Instant | None = None) -> str:
    """One stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return say(lang, "audit.yes" if value else "audit.no")
    if isinstance(value, str):
        if _ISO_INSTANT.match(value):
            try:
                return (until or instant)(datetime.fromisoformat(value))
            except ValueError:
                pass
        if f"audit.value.{value}" in catalogue():
            return say(lang, f"audit.value.{value}")
        text = value if len(value) <= _LONGEST else value[:_LONGEST] + "…"
        return " ".join(text.split())
    if isinstance(value, list):
        return "、".join(value_words(lang, v, instant) for v in value) or "—"
    if isinstance(value, Mapping):
        sep = "；" if lang != "en" else "; "
        return sep.join(
            say(lang, "audit.set", field=readable_key(lang, "field", str(k)), value=value_words(lang, v, instant))
            for k, v in value.items()
        )
    return str(value)


def change_lines(
    lang: str, summary: Mapping[str, Any] | None, instant: Instant, until: Instant | None = None
) -> list[str]:
    """``summary`` as lines ``字段：旧值 → 新值`` (at most a dozen).

    ``until`` formats the ends of fields named ``…_until`` (a deadline kept as the next midnight reads
    as its own day: ``base.until_day``).
    """
    summary = summary or {}
    lines: list[str] = []

    def field(name: object) -> str:
        return readable_key(lang, "field", str(name))

    def value(v: Any, name: object = "") -> str:
        return value_words(lang, v, instant, until if str(name).endswith("_until") else None)

    before = summary.get("before") if isinstance(summary.get("before"), Mapping) else None
    after = summary.get("after") if isinstance(summary.get("after"), Mapping) else None
    if before is not None or after is not None:
        old, new = before or {}, after or {}
        for name in [*new, *(k for k in old if k not in new)]:
            if name in new and name in old:
                lines.append(
                    say(
                        lang,
                        "audit.diff",
                        field=field(name),
                        before=value(old[name], name),
                        after=value(new[name], name),
                    )
                )
            elif name in new:
                lines.append(say(lang, "audit.set", field=field(name), value=value(new[name], name)))
            elif after is None:  # a whole object deleted: what it was
                lines.append(say(lang, "audit.set", field=field(name), value=value(old[name], name)))
            else:
                lines.append(say(lang, "audit.removed", field=field(name), before=value(old[name], name)))
    changed = summary.get("changed")
    if isinstance(changed, Mapping):
        for name, pair in changed.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                lines.append(
                    say(lang, "audit.diff", field=field(name), before=value(pair[0], name), after=value(pair[1], name))
                )
            else:
                lines.append(say(lang, "audit.set", field=field(name), value=value(pair, name)))
    if "from" in summary and "to" in summary:
        lines.append(
            say(lang, "audit.diff", field=field("status"), before=value(summary["from"]), after=value(summary["to"]))
        )
    for name, v in summary.items():
        if name in ("before", "after", "changed", "from", "to") and (
            isinstance(v, Mapping) or name in ("from", "to") and "from" in summary and "to" in summary
        ):
            continue
        lines.append(say(lang, "audit.set", field=field(name), value=value(v, name)))
    return lines[:_MOST_LINES] + (["…"] if len(lines) > _MOST_LINES else [])
