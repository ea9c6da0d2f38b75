"""When a change will be on screen: the publish latency plus where the item sits in its region's rotation.

A saved change reaches the players almost at once (the outbox wakes the publisher after the commit:
docs/architecture.md, "Delivery"), but a player does not drop what it is showing for it
(``display_client/static/js/region-player.js``, ``ticker.js``):

- a ticker region takes new texts when its running line has scrolled out: within one loop, whose
  length is the region's width plus the texts' length, at four character heights a second;
- a playlist region applies a changed item at once if it is on screen, otherwise when its turn
  comes: within one pass of the region less the item's own step;
- a schedule change takes over at the end of the current item (a ticker at the end of its loop).

Everything here reads manifest bodies (plain data, docs/protocol.md §2), so the answer is computed
from what the screens actually play. Times are upper bounds, rounded up to ``ROUND_SECONDS``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

# Commit → publisher woken → manifest emitted → applied by the player: near-immediate.
PUBLISH_SECONDS: Final = 2
ROUND_SECONDS: Final = 5
FALLBACK_STEP_SECONDS: Final = 15  # _dom.js FALLBACK_SECONDS: a step without a valid duration
DEFAULT_PAGE_SIZE: Final = 8  # vacancy-board.js, rows per page when the entry names none
# ticker.js FONT_HEIGHTS_PER_SECOND, and wall.css's ticker type: clamp(2.6vh, 55cqh, 8vh).
TICKER_FONT_HEIGHTS_PER_SECOND: Final = 4
TICKER_SEPARATOR_EM: Final = 4.0  # "◆" with 1.5em either side, between two texts
REFERENCE_WIDTH: Final = 1920
REFERENCE_HEIGHT: Final = 1080


@dataclass(frozen=True)
class RegionLoop:
    """One region of one manifest group that plays the item: its pass and the item's own step, in seconds."""

    group: str
    region: str
    widget: str
    pass_seconds: float
    step_seconds: float


def _duration(entry: Mapping[str, Any]) -> float:
    value = entry.get("duration")
    return float(value) if isinstance(value, int | float) and value > 0 else float(FALLBACK_STEP_SECONDS)


def _entry_items(entry: Mapping[str, Any]) -> list[str]:
    if entry.get("kind") == "item":
        return [str(entry["item"])] if entry.get("item") else []
    items = entry.get("items")
    return [str(i) for i in items] if isinstance(items, list) else []


def entry_steps(entry: Mapping[str, Any], items: Mapping[str, Any] | None = None) -> list[tuple[float, frozenset[str]]]:
    """The steps an entry plays (seconds, item keys shown), as region-player.js expands them.

    ``items`` (the manifest's) lets a document count its pages: document.js shows each for the
    item's ``seconds_per_page`` (the entry's duration when it has none), as one step; a feed of
    cards shows each entry for the entry's duration.
    """
    seconds, keys = _duration(entry), _entry_items(entry)
    document = (items or {}).get(keys[0]) if entry.get("kind") == "item" and keys else None
    if isinstance(document, Mapping) and document.get("kind") == "document":
        per_page = document.get("seconds_per_page")
        per_page = float(per_page) if isinstance(per_page, int | float) and per_page > 0 else seconds
        return [(per_page * max(1, len(document.get("pages") or ())), frozenset(keys))]
    if isinstance(document, Mapping) and document.get("kind") == "feed" and document.get("template") == "cards":
        return [(seconds * max(1, len(document.get("entries") or ())), frozenset(keys))]  # feed.js: a card a step
    if entry.get("kind") == "market_board":  # market-board.js: demand, pay, and the trend from two quarters on
        return [(seconds, frozenset())] * (3 if len(entry.get("quarters") or ()) >= 2 else 2)
    if entry.get("kind") in ("vacancy_board", "training_board"):
        size = entry.get("page_size") if isinstance(entry.get("page_size"), int) else DEFAULT_PAGE_SIZE
        size = max(1, int(size or DEFAULT_PAGE_SIZE))
        return [(seconds, frozenset(keys[i : i + size])) for i in range(0, len(keys), size)]
    return [(seconds, frozenset([key])) for key in keys]


def ticker_pass_seconds(texts: Sequence[str], width: float, height: float) -> float:
    """One loop of a ticker region ``width`` × ``height`` of the reference wall (fractions), in seconds."""
    region_px = height * REFERENCE_HEIGHT
    font = min(0.08 * REFERENCE_HEIGHT, max(0.026 * REFERENCE_HEIGHT, 0.55 * region_px))
    width_em = width * REFERENCE_WIDTH / font
    text_em = sum(len(t) for t in texts) + TICKER_SEPARATOR_EM * max(0, len(texts) - 1)
    return (width_em + text_em) / TICKER_FONT_HEIGHTS_PER_SECOND


def _ticker_texts(entries: Iterable[Mapping[str, Any]], items: Mapping[str, Any]) -> list[str]:
    """ticker.js tickerTexts: a ticker's text, the title of anything else."""
    texts = []
    for entry in entries:
        for key in _entry_items(entry):
            item = items.get(key) or {}
            text = item.get("text") or item.get("title") if item.get("kind") == "ticker" else item.get("title")
            if isinstance(text, str) and text.strip():
                texts.append(text.strip())
    return texts


def current_segment(body: Mapping[str, Any], at: datetime) -> Mapping[str, Any] | None:
    """The segment of a manifest body that contains ``at``."""
    for segment in body.get("segments") or ():
        if datetime.fromisoformat(segment["start"]) <= at < datetime.fromisoformat(segment["end"]):
            return segment  # type: ignore[no-any-return]
    return None


def region_loops(group: str, body: Mapping[str, Any], at: datetime, item: str | None = None) -> list[RegionLoop]:
    """The regions of ``group``'s current segment (those showing ``item`` when given) and their loops."""
    segment = current_segment(body, at)
    if segment is None or segment.get("layout") is None:
        return []
    layout = (body.get("layouts") or {}).get(str(segment["layout"])) or {}
    shapes = {r["name"]: r for r in layout.get("regions") or ()}
    items = body.get("items") or {}
    found = []
    for name, entries in (segment.get("regions") or {}).items():
        shape = shapes.get(name)
        if shape is None:
            continue
        steps = [step for entry in entries for step in entry_steps(entry, items)]
        own = [seconds for seconds, keys in steps if item in keys] if item is not None else []
        if item is not None and not own:
            continue
        widget = str(shape.get("widget", "playlist"))
        if widget == "ticker":
            loop = ticker_pass_seconds(_ticker_texts(entries, items), float(shape["w"]), float(shape["h"]))
            found.append(RegionLoop(group, name, widget, loop, loop))
        else:
            longest = max((seconds for seconds, _ in steps), default=0.0)
            found.append(RegionLoop(group, name, widget, sum(s for s, _ in steps), max(own, default=longest)))
    return found


def _rounded(seconds: float) -> int:
    return int(math.ceil(seconds / ROUND_SECONDS) * ROUND_SECONDS)


def item_wait(loops: Iterable[RegionLoop]) -> int | None:
    """Seconds within which a changed item is on every screen that plays it; None when none plays it now.

    A ticker region shows new texts within one loop; a playlist region reaches the item within one
    pass less its own step (at once when the item is on screen).
    """
    waits = [loop.pass_seconds if loop.widget == "ticker" else loop.pass_seconds - loop.step_seconds for loop in loops]
    return _rounded(PUBLISH_SECONDS + max(waits)) if waits else None


def schedule_wait(loops: Iterable[RegionLoop]) -> int:
    """Seconds within which a schedule change is on screen: the end of the current item or ticker loop."""
    waits = [loop.pass_seconds if loop.widget == "ticker" else loop.step_seconds for loop in loops]
    return _rounded(PUBLISH_SECONDS + max(waits, default=0.0))


def groups_showing(manifests: Mapping[str, Mapping[str, Any]], item: str, at: datetime) -> list[str]:
    """The manifest groups whose current segment plays ``item`` in some region."""
    return sorted(group for group, body in manifests.items() if region_loops(group, body, at, item))


def item_key(kind: str, item_id: int) -> str:
    """The key of an item in a manifest's ``items`` (docs/protocol.md §2)."""
    return f"{kind}:{item_id}"
