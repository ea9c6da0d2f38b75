"""The market board's manifest entry (供求分析): figures of one area, numbers only (private to the resolver).

The entry shows the latest ``quarters`` consecutive quarters that end with the newest quarter the
area has figures for (a quarter with none shows zeros), and the ``groups`` major groups with the
most demand and seekers over those quarters, most first (the player charts the newest quarter's
bars and the trend over all of them). It depends on the stored figures and the org tree
only, never on the instant, so it adds no transition to a timeline. An area without figures gives
no entry (the board is left out rather than drawn empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.market.figures import Figure, ratio, stored_figures
from content.library.market.quarters import span
from content.org.tree import OrgUnit

DEFAULT_QUARTERS: Final = 4
MIN_QUARTERS: Final = 2
MAX_QUARTERS: Final = 8
DEFAULT_GROUPS: Final = 6
MAX_GROUPS: Final = 8
AREAS: Final = ("hall", "county", "city", "province")


@dataclass(frozen=True)
class MarketSnap:
    """Every org unit's level and name, and the stored figures by org unit."""

    units: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    figures: Mapping[int, tuple[Figure, ...]] = field(default_factory=dict)


def load_market(session: Session) -> MarketSnap:
    units = {
        uid: (level, name) for uid, level, name in session.execute(select(OrgUnit.id, OrgUnit.level, OrgUnit.name))
    }
    figures: dict[int, list[Figure]] = {}
    for f in stored_figures(session):
        figures.setdefault(f.org_unit_id, []).append(f)
    return MarketSnap(units, {uid: tuple(rows) for uid, rows in figures.items()})


def _bounded(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    try:
        number = int(params.get(name, default))
    except (TypeError, ValueError):
        return default  # params are checked on write; a bad one must not blank a screen
    return max(low, min(high, number))


def area_of(market: MarketSnap, org_path: Sequence[int], area: str) -> int:
    """The hall's own node for ``hall``, else its nearest ancestor at that level (the hall's node if none)."""
    if area != "hall":
        for node in reversed(org_path):
            if market.units.get(node, ("", ""))[0] == area:
                return node
    return org_path[-1]


def market_entry(
    market: MarketSnap, params: Mapping[str, Any], org_path: Sequence[int], duration: int
) -> dict[str, Any] | None:
    """The manifest entry for a hall at the end of ``org_path``, or None when its area has no figures."""
    area = str(params.get("area") or "hall")
    node = area_of(market, org_path, area if area in AREAS else "hall")
    rows = market.figures.get(node, ())
    if not rows:
        return None
    quarters = span(
        max(f.quarter for f in rows), _bounded(params, "quarters", DEFAULT_QUARTERS, MIN_QUARTERS, MAX_QUARTERS)
    )
    by_key = {(f.quarter, f.group): f for f in rows if f.quarter in quarters}
    weight: dict[str, int] = {}
    for (_, g), f in by_key.items():
        weight[g] = weight.get(g, 0) + f.demand + f.seekers
    ranked = sorted(weight, key=lambda g: (-weight[g], g))
    groups = ranked[: _bounded(params, "groups", DEFAULT_GROUPS, 1, MAX_GROUPS)]  # most first
    if not groups:
        return None

    def series(group: str) -> dict[str, Any]:
        got = [by_key.get((q, group)) for q in quarters]
        return {
            "code": group,
            "demand": [f.demand if f else 0 for f in got],
            "seekers": [f.seekers if f else 0 for f in got],
            "ratio": [f.ratio if f else None for f in got],
            "pay_min": [f.pay_min if f else None for f in got],
            "pay_max": [f.pay_max if f else None for f in got],
        }

    totals = [
        (
            sum(f.demand for (q, _), f in by_key.items() if q == quarter),
            sum(f.seekers for (q, _), f in by_key.items() if q == quarter),
        )
        for quarter in quarters
    ]
    level, name = market.units.get(node, ("", ""))
    return {
        "kind": "market_board",
        "area": {"name": name, "level": level},
        "quarters": quarters,
        "groups": [series(g) for g in groups],
        "totals": {
            "demand": [d for d, _ in totals],
            "seekers": [s for _, s in totals],
            "ratio": [ratio(d, s) for d, s in totals],
        },
        "duration": duration,
    }
