"""电子印章 in the console: each hall's seal image (its own or inherited) and whether its certificates are signed.

``/console/seals`` lists the halls in scope: the seal their 参保证明 carry (the hall's own, else the
nearest ancestor org unit's, else none) and the signing identity they sign with (set with ``kiosk
signing-key``, never here). A hall's own seal is uploaded or removed by an org admin (MANAGE_ORG) in
scope or by the hall's own manager (``may_set_hall_hours``). An upload is checked whole
(``content.citizens.seal_images.check_png``: PNG by content, ≤ 512 KB, ≤ 2000 px), so a refused one
changes nothing. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask import request as http
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.access import Permission
from content.citizens import seal_images
from content.citizens.seal_images import SealImage, SealImageError
from content.citizens.signing_keys import SigningIdentity, identity_for_hall
from content.org.tree import Hall, OrgUnit
from kiosk_server.console._structure import live_halls
from kiosk_server.console.base import bp, console_page, in_scope
from kiosk_server.console.power_views import may_set_hall_hours
from kiosk_server.console.words import say
from kiosk_server.database import request_session


@dataclass(frozen=True)
class SealRow:
    """One hall on the page: its seal (own or inherited, from where), its signer, and whether the user may change it."""

    hall: Hall
    seal: SealImage | None
    seal_from: str  # "hall", the org unit's name, or ""
    signer: SigningIdentity | None
    may_change: bool


def _row(db: Session, hall: Hall) -> SealRow:
    seal = seal_images.seal_for_hall(db, hall)
    source = ""
    if seal is not None:
        unit = db.get(OrgUnit, seal.org_unit_id) if seal.org_unit_id is not None else None
        source = "hall" if seal.hall_id == hall.id else (unit.name if unit else "")
    return SealRow(hall, seal, source, identity_for_hall(db, hall), may_set_hall_hours(g.user, g.scope, hall))


def _page(db: Session, problems: dict[int, str] | None = None, status: int = 200) -> Any:
    rows = [_row(db, hall) for hall in live_halls(db)]
    return render_template("console/seals.html", rows=rows, problems=problems or {}, limits=seal_images), status


@bp.get("/seals")
@console_page(Permission.VIEW_FLEET)
def seals() -> Any:
    return _page(request_session())


def _hall_or_404(db: Session, hall_id: int) -> Hall:
    hall = db.get(Hall, hall_id)
    return in_scope(hall, hall is not None and g.scope.covers_hall(hall))


@bp.get("/seals/<int:hall_id>.png")
@console_page(Permission.VIEW_FLEET)
def seal_png(hall_id: int) -> Any:
    """The seal a hall's certificates carry, as its PNG (404 when none)."""
    db = request_session()
    seal = seal_images.seal_for_hall(db, _hall_or_404(db, hall_id))
    if seal is None:
        abort(404)
    response = Response(seal.png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/seals/<int:hall_id>")
@console_page(Permission.VIEW_FLEET)
def upload_seal(hall_id: int) -> Any:
    """Replace the hall's own seal with an uploaded PNG; a refused file changes nothing."""
    db = request_session()
    hall = _hall_or_404(db, hall_id)
    if not may_set_hall_hours(g.user, g.scope, hall):
        return _page(db, {hall.id: say(g.lang, "seals.refused.hall")}, 403)
    upload = http.files.get("seal")
    data = upload.read(seal_images.MAX_BYTES + 1) if upload is not None and upload.filename else b""
    try:
        checked = seal_images.check_png(data)
    except SealImageError as err:
        db.rollback()
        return _page(db, {hall.id: say(g.lang, f"seals.problem.{err.code}")}, 400)
    seal_images.set_seal(db, checked, g.console_actor, g.now, hall_id=hall.id)
    audit.record(
        db,
        actor=g.console_actor,
        action="seal_uploaded",
        obj_kind="hall",
        obj_id=hall.id,
        summary={"width": checked.width, "height": checked.height, "bytes": len(checked.data)},
        org_path=hall.org_unit.path,
    )
    db.commit()
    flash(say(g.lang, "seals.saved" if checked.has_alpha else "seals.saved_opaque", hall=hall.name))
    return redirect(url_for("console.seals") + f"#hall-{hall.id}", 303)


@bp.post("/seals/<int:hall_id>/remove")
@console_page(Permission.VIEW_FLEET)
def remove_seal(hall_id: int) -> Any:
    """Remove the hall's own seal: its certificates fall back to its org unit's (or none)."""
    db = request_session()
    hall = _hall_or_404(db, hall_id)
    if not may_set_hall_hours(g.user, g.scope, hall):
        return _page(db, {hall.id: say(g.lang, "seals.refused.hall")}, 403)
    if seal_images.remove_seal(db, hall_id=hall.id):
        audit.record(
            db,
            actor=g.console_actor,
            action="seal_removed",
            obj_kind="hall",
            obj_id=hall.id,
            summary={},
            org_path=hall.org_unit.path,
        )
        db.commit()
        flash(say(g.lang, "seals.removed", hall=hall.name))
    return redirect(url_for("console.seals") + f"#hall-{hall.id}", 303)
