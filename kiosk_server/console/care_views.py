"""Remote care in the console: send a screen a command, follow its state, see its last screenshot.

The screen page (``/console/screens/<id>``) includes ``console/_device_care.html``, which asks
``care_of(screen)`` for what to show; the buttons post here, and a small script
(``display_client/static/js/console/device-care.js``) polls ``commands.json`` while a command is
under way, so the answer appears without a reload. Everything needs REMOTE_CARE and a screen inside
the account's scope (404 otherwise, as for a missing one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from flask import Response, abort, current_app, flash, g, jsonify, redirect, url_for
from flask import request as http
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.access import Permission, may
from content.org import device_commands as commands
from content.org.device_commands import SESSION_OPEN, Command, DeviceCommand, State, UnsupportedCommand
from content.org.screens import Screen, ScreenKind
from kiosk_server.console.base import bp, console_page, id_arg, in_scope, when
from kiosk_server.console.words import catalogue, say
from kiosk_server.database import request_session
from kiosk_server.settings_access import runtime

RECENT: Final = 8
_KNOWN_ERRORS: Final = frozenset(
    {"not_connected", "no_answer", "bad_result", "bad_png", "too_large", "unsupported", "capture_failed"}
    | {"agent_offline", "timeout", "paper_out", "offline", "paused", "cover_open", "no_printer", "print_failed"}
    | {"no_document"}
)


@dataclass(frozen=True)
class Line:
    """One command as the fragment lists it, in words."""

    id: int
    command: str
    label: str
    state: str
    outcome: str
    requested_at: str
    requested_by: str
    screenshot_url: str | None

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "label": self.label,
            "state": self.state,
            "outcome": self.outcome,
            "requested_at": self.requested_at,
            "requested_by": self.requested_by,
            "screenshot_url": self.screenshot_url,
        }


DOCTOR_STATUSES: Final = ("ok", "warn", "fail", "skipped")  # provisioning/checks.py; the agent passes them on


@dataclass(frozen=True)
class DoctorCheck:
    """One line of a box's self-test (``kiosk doctor --json``, docs/provisioning.md), in words."""

    name: str
    status: str
    reason: str


def _doctor_checks(result: dict[str, Any]) -> list[DoctorCheck]:
    """The checks of a doctor answer, in words; an answer of another shape gives none (it is shown as data)."""
    report = result.get("report")
    checks = report.get("checks") if isinstance(report, dict) else None
    if not isinstance(checks, list):
        return []
    found = []
    for check in checks[:40]:
        if not isinstance(check, dict) or check.get("status") not in DOCTOR_STATUSES:
            continue
        name = str(check.get("name", ""))[:40]
        key = f"care.doctor.check.{name}"
        label = say(g.lang, key) if key in catalogue() else name
        found.append(DoctorCheck(label, str(check["status"]), str(check.get("reason", ""))[:300]))
    return found


def _doctor_summary(checks: list[DoctorCheck]) -> str:
    counts = {status: sum(1 for c in checks if c.status == status) for status in DOCTOR_STATUSES}
    return say(g.lang, "care.result.doctor", **counts)


@dataclass(frozen=True)
class CareView:
    screen_id: int
    kind: str
    buttons: list[tuple[str, str]]  # (command, label); empty when the account may not send or the screen is retired
    lines: list[Line]
    screenshot: Line | None
    busy: bool  # a command is under way: the page polls
    doctor: list[DoctorCheck]  # the latest self-test's checks (kiosks), newest answer first
    doctor_at: str | None

    def json(self) -> dict[str, Any]:
        return {
            "busy": self.busy,
            "commands": [line.json() for line in self.lines],
            "screenshot": self.screenshot.json() if self.screenshot else None,
        }


def _screen_or_404(db: Session, screen_id: int) -> Screen:
    found = db.get(Screen, screen_id) if id_arg(str(screen_id)) else None
    return in_scope(found, found is not None and g.scope.covers_hall(found.hall))


def _outcome(row: DeviceCommand) -> str:
    """What came of a command, in words: its state, and why it failed or what it returned."""
    lang = g.lang
    if row.state == State.PENDING.value and row.error == SESSION_OPEN:
        return say(lang, "care.state.held")
    text = say(lang, f"care.state.{row.state}")
    if row.state == State.FAILED.value and row.error:
        code = row.error
        reason = say(lang, f"care.error.{code}") if code in _KNOWN_ERRORS else say(lang, "care.error.other", code=code)
        text = f"{text}：{reason}" if lang == "zh-CN" else f"{text}: {reason}"
    elif row.state == State.DONE.value and row.result:
        result = row.result
        if row.command == Command.SCREENSHOT.value:
            text += " · " + say(lang, "care.result.screenshot", width=result.get("width"), height=result.get("height"))
        elif row.command == Command.DOCTOR.value and (checks := _doctor_checks(result)):
            text += " · " + _doctor_summary(checks)
        else:
            text += " · " + json.dumps(result, ensure_ascii=False, sort_keys=True)[:200]
    if row.message and row.state == State.FAILED.value and row.error not in _KNOWN_ERRORS:
        text += f"（{row.message[:120]}）"
    return text


def _line(row: DeviceCommand, shot_ids: set[int]) -> Line:
    return Line(
        id=row.id,
        command=row.command,
        label=say(g.lang, f"care.command.{row.command}"),
        state=row.state,
        outcome=_outcome(row),
        requested_at=when(row.requested_at, "%m-%d %H:%M:%S"),
        requested_by=row.requested_by,
        screenshot_url=url_for("console.device_screenshot", command_id=row.id) if row.id in shot_ids else None,
    )


def care_of(screen: Screen) -> CareView:
    """What the remote-care fragment shows for ``screen`` (the template's ``care_of``)."""
    db = request_session()
    rows = commands.recent(db, screen.id, RECENT)
    shot_id = commands.latest_screenshot_id(db, screen.id)
    shots = {shot_id} if shot_id is not None else set()
    lines = [_line(row, shots) for row in rows]
    shot_row = db.get(DeviceCommand, shot_id) if shot_id is not None else None
    allowed = may(g.user, Permission.REMOTE_CARE) and getattr(screen, "retired_at", None) is None
    buttons = (
        [(c.value, say(g.lang, f"care.command.{c.value}")) for c in commands.commands_for(screen.kind)]
        if allowed
        else []
    )
    doctor_row = next(
        (row for row in rows if row.command == Command.DOCTOR.value and row.state == State.DONE.value and row.result),
        None,
    )
    return CareView(
        screen_id=screen.id,
        kind=screen.kind,
        buttons=buttons,
        lines=lines,
        screenshot=_line(shot_row, shots) if shot_row is not None else None,
        busy=any(row.state in (State.PENDING.value, State.SENT.value) for row in rows),
        doctor=_doctor_checks(doctor_row.result) if doctor_row is not None and doctor_row.result else [],
        doctor_at=when(doctor_row.answered_at, "%m-%d %H:%M:%S") if doctor_row and doctor_row.answered_at else None,
    )


@bp.context_processor
def _care() -> dict[str, Any]:
    return {"care_of": care_of, "care_kiosk": ScreenKind.KIOSK.value}


def _back(screen_id: int) -> Any:
    if "console.screen" in current_app.view_functions:
        return redirect(url_for("console.screen", screen_id=screen_id) + "#care")
    return redirect(url_for("console.device_commands", screen_id=screen_id))


@bp.post("/screens/<int:screen_id>/commands")
@console_page(Permission.REMOTE_CARE)
def send_device_command(screen_id: int) -> Any:
    db = request_session()
    screen = _screen_or_404(db, screen_id)
    if getattr(screen, "retired_at", None) is not None:
        flash(say(g.lang, "care.refused.retired"))
        return _back(screen.id)
    care = runtime(current_app).care
    if care is None:  # pragma: no cover - every app's runtime builds one
        abort(503)
    try:
        command = commands.parse_command(http.form.get("command", ""))
        care.request(db, screen, command, actor=g.console_actor)
    except UnsupportedCommand:
        db.rollback()
        flash(say(g.lang, "care.refused.kind"))
        return _back(screen.id)
    flash(say(g.lang, "care.requested", command=say(g.lang, f"care.command.{command.value}")))
    return _back(screen.id)


@bp.get("/screens/<int:screen_id>/commands.json")
@console_page(Permission.REMOTE_CARE)
def device_commands(screen_id: int) -> Any:
    db = request_session()
    screen = _screen_or_404(db, screen_id)
    return jsonify(care_of(screen).json())


@bp.get("/commands/<int:command_id>/screenshot.png")
@console_page(Permission.REMOTE_CARE)
def device_screenshot(command_id: int) -> Any:
    db = request_session()
    row = db.get(DeviceCommand, command_id) if id_arg(str(command_id)) else None
    screen = db.get(Screen, row.screen_id) if row is not None else None
    in_scope(screen, screen is not None and g.scope.covers_hall(screen.hall))
    data = db.scalars(select(DeviceCommand.screenshot).where(DeviceCommand.id == command_id)).first()
    if data is None:
        abort(404)
    response = Response(data, mimetype="image/png")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="screen-{screen.id if screen else 0}-{command_id}.png"'
    return response
