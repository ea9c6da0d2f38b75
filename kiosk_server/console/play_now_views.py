"""When an item will be on screens, and "play now" (立即播放) that shows it at once where it plays.

The wait is the domain's (``content.signage.play_timing``), computed from the manifests this
process's book holds for the groups whose current segment plays the item: the publish latency plus
the item's place in its region's rotation. "Play now" sends ``play_now`` ``{"item": "<kind>:<id>"}``
to the room of each such group (docs/protocol.md, "Play now"); the player restarts the rotation of
every region holding the item from it (``region-player.js: playNow``, ``ticker.js: restart``).
Whoever may edit the item may do it; every press is audited (action ``play_now``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, g, redirect, request, url_for
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.access import Permission
from content.library.items import ContentItem
from content.org.tree import OrgUnit
from content.signage.play_timing import groups_showing, item_key, item_wait, region_loops, schedule_wait
from kiosk_server.console import library
from kiosk_server.console.base import bp, console_page
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.events import PLAY_NOW, SCREEN_NAMESPACE, group_room
from kiosk_server.manifests import Snapshot
from kiosk_server.settings_access import runtime


@dataclass(frozen=True)
class OnAir:
    """Where an item plays now: its groups, how many screens, and within how many seconds a change shows."""

    groups: list[str]
    screens: int
    seconds: int | None


def _snapshot(fresh: bool) -> Snapshot:
    return runtime(current_app).book.current(force_check=fresh)


def on_air(kind: str, item_id: int, *, fresh: bool = False) -> OnAir:
    """Where ``kind:item_id`` plays now, in the book's snapshot (``fresh``: read after this request's commit)."""
    snap = _snapshot(fresh)
    key = item_key(kind, item_id)
    bodies = {group: m.body for group, m in snap.manifests.items()}
    at = snap.computed_at  # the book's instant: its segments hold until the snapshot's valid_until
    groups = groups_showing(bodies, key, at)
    loops = [loop for group in groups for loop in region_loops(group, bodies[group], at, key)]
    screens = sum(1 for group in snap.screen_groups.values() if group in set(groups))
    return OnAir(groups, screens, item_wait(loops))


def item_eta_words(kind: str, item_id: int, *, fresh: bool = False) -> str:
    """ "On screens within about N s (playing on M screens)", or that no screen plays it now."""
    found = on_air(kind, item_id, fresh=fresh)
    if found.seconds is None:
        return say(g.lang, "playnow.idle")
    return say(g.lang, "playnow.eta", seconds=found.seconds, screens=found.screens)


def schedule_seconds(screen_ids: list[int]) -> int:
    """Within how many seconds a schedule change shows on these screens (after this request's commit)."""
    snap = _snapshot(True)
    groups = {snap.screen_groups[s] for s in screen_ids if s in snap.screen_groups}
    at = snap.computed_at
    loops = [loop for group in groups for loop in region_loops(group, snap.manifests[group].body, at)]
    return schedule_wait(loops)


def _back(item: ContentItem) -> str:
    wanted = request.form.get("next", "")
    if wanted.startswith("/console/") and "//" not in wanted:
        return wanted
    return url_for("console.home")


def _play(db: Session, item: ContentItem) -> OnAir:
    found = on_air(item.kind, item.id, fresh=True)
    socketio = runtime(current_app).socketio
    payload = {"item": item_key(item.kind, item.id)}
    for group in found.groups:
        socketio.emit(PLAY_NOW, payload, to=group_room(group), namespace=SCREEN_NAMESPACE)
    unit = db.get(OrgUnit, item.org_unit_id)
    audit.record(
        db,
        actor=g.console_actor,
        action="play_now",
        obj_kind=item.kind,
        obj_id=item.id,
        summary={"groups": len(found.groups), "screens": found.screens},
        org_path=unit.path if unit else None,
    )
    db.commit()
    return found


@bp.post("/items/<int:item_id>/play-now")
@console_page(Permission.EDIT_CONTENT)
def play_now(item_id: int) -> Any:
    db = request_session()
    item = library.editable_or_404(db, ContentItem, item_id)
    found = _play(db, item)
    if found.groups:
        flash(say(g.lang, "playnow.sent", screens=found.screens))
    else:
        flash(say(g.lang, "playnow.none"))
    return redirect(_back(item))


@bp.context_processor
def _play_now_helpers() -> dict[str, Any]:
    """For ``_play_now.html``: the item's wait in words, and whether this account may press 立即播放."""
    return {
        "play_now_eta": lambda item: item_eta_words(item.kind, item.id),
        "may_play_now": library.may_edit,
    }
