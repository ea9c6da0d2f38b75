"""The panels' power schedule in the console: what a screen follows, its hall's opening hours, overrides.

The screen page (``/console/screens/<id>``) includes ``console/_power_schedule.html``, which asks
``power_of(screen)`` what to show; ``/console/screens/<id>/power`` shows the same card alone (and
again, with the problem named, when a form cannot be saved). Who may change what:

- a screen's own setting (follow the hall, always on, or its own hours): REMOTE_CARE in scope
  (field technicians, hall managers, org and system admins), like the other remote-care commands;
- a hall's opening hours: MANAGE_ORG in scope (org and system admins), and a hall manager for their
  own hall. Field technicians do not: opening hours are the hall's business, not a device's.

Every save is audited and then pushed as ``power_schedule`` to the agent of each kiosk it affects
(room ``agent:<id>`` on ``/agent``, through the app's Socket.IO and so its message queue, so it
reaches an agent connected to any process); an agent that is offline gets it in its next hello.
A wall or counter it affects gets its player's off-intervals (``content/org/player_power.py``) the
same way, in room ``screen:<id>`` on ``/screen``; an offline one gets them in its next welcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from flask import current_app, flash, g, redirect, render_template, url_for
from flask import request as http
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.access import Permission, Scope, may
from content.accounts.staff import Role, StaffAccount
from content.errors import ValidationError
from content.org import player_power
from content.org import power_schedules as power
from content.org.opening_hours import DEFAULT_MARGIN_MINUTES, BadMargin, check_margin, next_change, panel_on
from content.org.power_schedules import Source
from content.org.screens import Screen, ScreenKind
from content.org.tree import Hall
from kiosk_server.console._power_text import hours_in_words, hours_problem, local_moment, margin_problem
from kiosk_server.console.base import bp, console_page, id_arg, in_scope, refuse
from kiosk_server.console.words import say
from kiosk_server.database import request_session
from kiosk_server.events import AGENT_NAMESPACE, POWER_SCHEDULE, SCREEN_NAMESPACE, agent_room, screen_room
from kiosk_server.settings_access import runtime

MODES: Final = ("hall", "always_on", "hours")


@dataclass(frozen=True)
class PowerView:
    """What the power-schedule card shows for one screen, in words."""

    screen_id: int
    kiosk: bool
    source: str  # power_schedules.Source
    in_force: str  # the schedule followed, in words ("" when always on)
    margin_minutes: int
    timezone: str
    on_now: bool
    next_off: str | None  # in the hall's local time, with the weekday
    next_on: str | None
    hall_text: str  # the hall's canonical hours ("" when none)
    hall_words: str
    screen_mode: str  # hall, always_on or hours
    screen_text: str  # the screen's own canonical hours
    may_screen: bool
    may_hall: bool


def may_set_hall_hours(account: StaffAccount, scope: Scope, hall: Hall) -> bool:
    """MANAGE_ORG holders inside their subtree, and a hall manager for their own hall."""
    if not scope.covers_hall(hall):
        return False
    own_hall = account.role == Role.HALL_MANAGER.value and account.hall_id == hall.id
    return may(account, Permission.MANAGE_ORG) or (own_hall and may(account, Permission.REMOTE_CARE))


def power_of(screen: Screen) -> PowerView:
    """What ``_power_schedule.html`` shows for ``screen`` (the template's ``power_of``)."""
    db = request_session()
    now = g.now
    followed = power.effective(db, screen)
    schedule = followed.schedule
    on_now = panel_on(schedule.hours, now, schedule.tz, schedule.margin)
    first = next_change(schedule.hours, now, schedule.tz, schedule.margin)
    second = next_change(schedule.hours, first, schedule.tz, schedule.margin) if first is not None else None
    next_off, next_on = (first, second) if on_now else (second, first)
    hall_row = power.hall_hours(db, screen.hall_id)
    override = db.get(power.ScreenPowerOverride, screen.id)
    mode = "hall" if override is None else ("always_on" if override.always_on else "hours")
    live = screen.retired_at is None
    return PowerView(
        screen_id=screen.id,
        kiosk=screen.kind == ScreenKind.KIOSK.value,
        source=followed.source.value,
        in_force=hours_in_words(followed.text, g.lang),
        margin_minutes=followed.margin_minutes,
        timezone=followed.timezone,
        on_now=on_now,
        next_off=local_moment(next_off, schedule.tz, g.lang),
        next_on=local_moment(next_on, schedule.tz, g.lang),
        hall_text=hall_row.hours if hall_row is not None else "",
        hall_words=hours_in_words(hall_row.hours if hall_row is not None else "", g.lang),
        screen_mode=mode,
        screen_text=(override.hours or "") if override is not None else "",
        may_screen=live and may(g.user, Permission.REMOTE_CARE),
        may_hall=live and may_set_hall_hours(g.user, g.scope, screen.hall),
    )


@bp.context_processor
def _power() -> dict[str, Any]:
    return {"power_of": power_of}


def _screen_or_404(db: Session, screen_id: int) -> Screen:
    found = db.get(Screen, screen_id) if id_arg(str(screen_id)) else None
    return in_scope(found, found is not None and g.scope.covers_hall(found.hall))


def _page(screen: Screen, form: dict[str, str] | None = None, status: int = 200) -> Any:
    """The card alone; ``form`` (which form, what was typed, the problem) when a save was refused."""
    return render_template("console/power.html", screen=screen, power_form=form or {}), status


def _back(screen: Screen) -> Any:
    if "console.screen" in current_app.view_functions:
        return redirect(url_for("console.screen", screen_id=screen.id) + "#power")
    return redirect(url_for("console.power_schedule", screen_id=screen.id))


def _push(db: Session, screens: Iterable[Screen]) -> tuple[int, int]:
    """Send each live kiosk among ``screens`` the schedule it now follows, and each live wall or counter
    its player's off-intervals; how many kiosks and how many players were sent one."""
    socketio = runtime(current_app).socketio
    sent = players = 0
    for screen in screens:
        if screen.retired_at is not None:
            continue
        if screen.kind != ScreenKind.KIOSK.value:
            intervals = player_power.payload(db, screen, g.now)
            socketio.emit(POWER_SCHEDULE, intervals, to=screen_room(screen.id), namespace=SCREEN_NAMESPACE)
            players += 1
            continue
        payload = power.effective(db, screen).wire()
        socketio.emit(POWER_SCHEDULE, payload, to=agent_room(screen.id), namespace=AGENT_NAMESPACE)
        sent += 1
    return sent, players


def _margin(typed: str) -> int:
    """The typed margin in whole minutes (blank: the default); ``BadMargin`` for anything else."""
    if not typed:
        return DEFAULT_MARGIN_MINUTES
    minutes = int(typed) if typed.isascii() and typed.isdigit() else -1
    check_margin(minutes)
    return minutes


def _saved(key: str, sent: tuple[int, int]) -> None:
    message = say(g.lang, key)
    for word, count in zip(("power.pushed", "power.pushed.players"), sent, strict=True):
        if count:
            message += ("；" if g.lang == "zh-CN" else "; ") + say(g.lang, word, count=count)
    flash(message)


@bp.get("/screens/<int:screen_id>/power")
@console_page(Permission.REMOTE_CARE)
def power_schedule(screen_id: int) -> Any:
    return _page(_screen_or_404(request_session(), screen_id))


@bp.post("/screens/<int:screen_id>/power")
@console_page(Permission.REMOTE_CARE)
def set_screen_power(screen_id: int) -> Any:
    """Set the screen's own schedule: follow the hall, always on, or its own hours."""
    db = request_session()
    screen = _screen_or_404(db, screen_id)
    if screen.retired_at is not None:
        flash(say(g.lang, "power.refused.retired"))
        return _back(screen)
    mode, text = http.form.get("mode", ""), http.form.get("hours", "")
    typed = {"form": "screen", "mode": mode, "hours": text}
    if mode not in MODES:
        return _page(screen, typed | {"problem": say(g.lang, "power.problem.mode")}, 400)
    before = power.effective(db, screen)
    try:
        stored = power.set_screen_override(db, screen, mode, text, by=g.console_actor)
    except ValidationError as err:
        db.rollback()
        return _page(screen, typed | {"problem": hours_problem(err, g.lang)}, 400)
    audit.record(
        db,
        actor=g.console_actor,
        action="power_schedule_set",
        obj_kind="screen",
        obj_id=screen.id,
        summary={"mode": mode, "hours": stored, "before": {"source": before.source.value, "hours": before.text}},
        org_path=screen.hall.org_unit.path,
    )
    db.commit()
    _saved("power.saved.screen", _push(db, [screen]))
    return _back(screen)


@bp.post("/screens/<int:screen_id>/power/hall")
@console_page(Permission.REMOTE_CARE)
def set_hall_power(screen_id: int) -> Any:
    """Set (or, empty, clear) the opening hours of the screen's hall and the panels' margin around them."""
    db = request_session()
    screen = _screen_or_404(db, screen_id)
    hall = screen.hall
    if not may_set_hall_hours(g.user, g.scope, hall):
        return refuse(403)
    if screen.retired_at is not None:
        flash(say(g.lang, "power.refused.retired"))
        return _back(screen)
    text, margin_typed = http.form.get("hours", ""), http.form.get("margin_minutes", "").strip()
    typed = {"form": "hall", "hours": text, "margin_minutes": margin_typed}
    old = power.hall_hours(db, hall.id)
    before = {"hours": old.hours, "margin_minutes": old.margin_minutes} if old is not None else None
    try:
        margin = _margin(margin_typed)
        stored = power.set_hall_hours(db, hall, text, margin, by=g.console_actor)
    except BadMargin:
        db.rollback()
        return _page(screen, typed | {"margin_problem": margin_problem(margin_typed, g.lang)}, 400)
    except ValidationError as err:
        db.rollback()
        return _page(screen, typed | {"problem": hours_problem(err, g.lang)}, 400)
    audit.record(
        db,
        actor=g.console_actor,
        action="opening_hours_set",
        obj_kind="hall",
        obj_id=hall.id,
        summary={"hours": stored, "margin_minutes": margin, "before": before},
        org_path=hall.org_unit.path,
    )
    db.commit()
    screens = db.scalars(select(Screen).where(Screen.hall_id == hall.id, Screen.retired_at.is_(None))).all()
    following = [one for one in screens if power.effective(db, one).source in (Source.HALL, Source.NONE)]
    _saved("power.saved.hall", _push(db, following))
    return _back(screen)
