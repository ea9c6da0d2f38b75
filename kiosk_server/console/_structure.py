"""What the hall, group and screen pages share: lookups in scope, the audit line, the domain's refusals in words.

A hall, group or screen outside the account's part of the tree answers 404 like a missing one
(``in_scope``). Changes are audited here, in the console, because ``content.org`` may not import
accounts: its functions return a ``Change`` and this module writes it with the signed-in actor.
"""

from __future__ import annotations

from typing import Any

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.org.screens import Screen, ScreenGroup
from content.org.structure import HALL, SCREEN, AlreadyLive, Change, HallHasLiveScreens, Retired, SameHall
from content.org.tree import Hall, OrgUnit
from kiosk_server.console.base import id_arg, in_scope
from kiosk_server.console.words import say


def record(db: Session, change: Change) -> None:
    """The audit line of a structural change (the outbox row is already staged); the caller commits."""
    audit.record(
        db,
        actor=g.console_actor,
        action=change.action,
        obj_kind=change.kind,
        obj_id=change.ident,
        summary={"before": dict(change.before), "after": dict(change.after)},
        org_path=change.org_path,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only what differs between two snapshots, for the audit line of an edit."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def hall_or_404(db: Session, hall_id: int) -> Hall:
    found = db.get(Hall, hall_id) if id_arg(str(hall_id)) else None
    return in_scope(found, found is not None and g.scope.covers_hall(found))


def screen_or_404(db: Session, screen_id: int) -> Screen:
    found = db.get(Screen, screen_id) if id_arg(str(screen_id)) else None
    return in_scope(found, found is not None and g.scope.covers_hall(found.hall))


def group_or_404(db: Session, group_id: int) -> ScreenGroup:
    found = db.get(ScreenGroup, group_id) if id_arg(str(group_id)) else None
    return in_scope(found, found is not None and g.scope.covers_unit(found.org_unit))


def live_halls(db: Session) -> list[Hall]:
    """The halls in service inside the scope, by place in the tree then name (what a form may choose)."""
    return list(
        db.scalars(
            select(Hall)
            .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
            .where(g.scope.hall_clause(Hall.id, OrgUnit.path), Hall.retired_at.is_(None))
            .order_by(OrgUnit.path, Hall.name)
        )
    )


def units(db: Session) -> list[OrgUnit]:
    """The org nodes inside the scope, in tree order (owners a hall or group may be given)."""
    return list(db.scalars(select(OrgUnit).where(g.scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))


def showing_retired() -> bool:
    """The list filter: ``?retired=1`` shows what was retired instead of what is in service."""
    return request.args.get("retired") == "1"


def confirmed() -> bool:
    return request.form.get("confirm") == "1"


def refusal(err: Exception) -> str:
    """The domain's refusal of a structural change, in the page's language."""
    if isinstance(err, HallHasLiveScreens):
        return say(g.lang, "hall.error.live_screens", count=err.live)
    if isinstance(err, Retired):
        what = {HALL: "hall.what", SCREEN: "screen.what"}.get(err.kind, "group.what")
        return say(g.lang, "structure.error.retired", what=say(g.lang, what))
    if isinstance(err, AlreadyLive):
        return say(g.lang, "structure.error.already_live")
    if isinstance(err, SameHall):
        return say(g.lang, "screen.error.same_hall")
    raise err
