"""What a schedule form reaches: how many screens of which kinds, and those its layout does not fit.

Shown in the schedule form when it opens, again whenever a target or the layout changes
(``POST /console/schedules/reach`` answers JSON: the page's ``display_client/static/js/console/
schedule-reach.js`` puts the texts in as text), and as a warning after a save. The screens are
those of the account's scope that the form's rules reach (the domain's ``TargetIndex``, with the
schedule's owner node as its home); the fit rule is ``content.signage.layout_fit``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from flask import g, jsonify, request
from sqlalchemy.orm import Session

from content.accounts.access import Permission
from content.org.screens import Screen, ScreenKind
from content.signage.layout_fit import Misfit, RegionShape, ScreenProfile, misfits
from content.signage.layouts import Layout
from content.signage.manifest import Resolver
from content.signage.targeting import TargetIndex, TargetMode, TargetRule
from kiosk_server.console import schedule_form as sf
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session

KIND_ORDER: Final = (ScreenKind.WALL.value, ScreenKind.KIOSK.value, ScreenKind.COUNTER.value)
MAX_LISTED: Final = 20  # misfits named one by one; the rest are counted


@dataclass(frozen=True)
class Reach:
    """The screens a form reaches, counted by kind, and those the chosen layout does not fit."""

    screens: list[Screen]
    by_kind: list[tuple[str, int]]
    misfits: list[Misfit]
    layout: Layout | None

    def words(self, lang: str) -> dict[str, Any]:
        """The texts the form shows: the count line, and the fit warning's title and lines (empty when it fits)."""
        if not self.screens:
            count = say(lang, "schedules.reach.none")
        else:
            kinds = say(lang, "schedules.when.list_sep").join(
                say(lang, "schedules.reach.kind", kind=say(lang, f"kind.{k}"), n=n) for k, n in self.by_kind
            )
            count = say(lang, "schedules.reach.count", n=len(self.screens), kinds=kinds)
        lines = [_misfit_line(lang, m) for m in self.misfits[:MAX_LISTED]]
        if len(self.misfits) > MAX_LISTED:
            lines.append(say(lang, "schedules.fit.more", n=len(self.misfits) - MAX_LISTED))
        title = (
            say(lang, "schedules.fit.warning", layout=self.layout.name, n=len(self.misfits))
            if self.misfits and self.layout is not None
            else ""
        )
        return {"count": count, "total": len(self.screens), "fit_title": title, "fit_lines": lines}


def _misfit_line(lang: str, m: Misfit) -> str:
    s = m.screen
    reasons = say(lang, "schedules.fit.sep").join(
        say(lang, f"schedules.fit.problem.{p.value}", regions="、".join(m.small_regions), px=round(m.text_px))
        for p in m.problems
    )
    return say(
        lang,
        "schedules.fit.line",
        hall=s.hall,
        name=s.name,
        kind=say(lang, f"kind.{s.kind}"),
        size=f"{s.width_px}×{s.height_px}",
        reasons=reasons,
    )


def profile(screen: Screen) -> ScreenProfile:
    return ScreenProfile(
        screen.id, screen.name, screen.kind, screen.hall.name, screen.width_px, screen.height_px, screen.panel
    )


def shapes(layout: Layout) -> list[RegionShape]:
    return [RegionShape(r.name, r.widget, r.w, r.h) for r in layout.regions]


def targeted(db: Session, allowed: sf.Choices, owner: int, targets: list[dict[str, str]]) -> list[Screen]:
    """The live screens of the scope that ``targets`` reach for a schedule of ``owner``."""
    rules = [TargetRule(t["mode"], t["kind"], t["ref"]) for t in targets]
    if not any(r.mode == TargetMode.INCLUDE.value for r in rules):
        return []
    live = {s.id: s for s in allowed.screens if s.retired_at is None}
    index = TargetIndex({0: rules}, {0: owner} if owner > 0 else None)
    contexts = Resolver.contexts(db, sorted(live)) if live else []
    return [live[c.screen_id] for c in contexts if 0 in index.match(c)]


def reach_of(db: Session, allowed: sf.Choices, form: dict[str, Any]) -> Reach:
    """The reach of a form as posted or stored (``schedule_form.posted_form`` / ``form_of``)."""
    values, _errors = sf.values_of(form, allowed)
    screens = targeted(db, allowed, int(values["org_unit_id"] or 0), values["targets"])
    counted = Counter(s.kind for s in screens)
    by_kind = [(k, counted[k]) for k in KIND_ORDER if counted[k]] + sorted(
        (k, n) for k, n in counted.items() if k not in KIND_ORDER
    )
    layout = next((x for x in allowed.layouts if str(x.id) == form["layout"]), None)
    found = misfits(shapes(layout), [profile(s) for s in screens]) if layout is not None else []
    return Reach(screens, by_kind, found, layout)


@bp.post("/schedules/reach")
@console_page(Permission.SCHEDULE)
def schedule_reach() -> Any:
    db = request_session()
    allowed = sf.choices(db, g.scope)
    reach = reach_of(db, allowed, sf.posted_form(request.form))
    return jsonify(reach.words(g.lang))
