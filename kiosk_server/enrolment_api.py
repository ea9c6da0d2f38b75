"""Enrolment by code, the device's side: the ``/enrol`` page, its QR, and the code and poll API.

A device asks for a code (``POST /enrol/api/codes``), shows it, and polls with the secret it got
(``POST /enrol/api/poll``) until a technician claims the code in the console
(``kiosk_server/console/enrol_views.py``); the poll that finds it claimed answers the screen once,
with a kiosk's agent credential issued at that moment, so no plaintext credential is ever stored
(docs/protocol.md, "Enrolment by code"). Neither call needs an account: the code is what a person
sees on the device, and the secret is what only the device holds.
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from typing import Any, Final

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)

import display_client
from content.accounts import audit
from content.citizens.kiosk_agents import issue_agent_credential
from content.errors import ValidationError
from content.org.enrolment import (
    CODE_LIFETIME,
    POLL_SECONDS,
    CodeRefused,
    CodeState,
    TooManyRequests,
    normalise_code,
    poll,
    request_code,
)
from content.org.screens import Screen, ScreenKind
from kiosk_server.database import request_session
from kiosk_server.pages import SCREEN_STATIC_URL
from kiosk_server.records_backends import agent_credential_key
from kiosk_server.settings_access import runtime, settings

log = logging.getLogger(__name__)

bp = Blueprint("enrolment", __name__, url_prefix="/enrol")

MAX_BODY: Final = 2048
MAX_SECRET: Final = 128


def _json_body() -> dict[str, Any]:
    if request.content_length is not None and request.content_length > MAX_BODY:
        abort(_error(413, "too_large", f"send at most {MAX_BODY} bytes"))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(_error(400, "invalid_json", 'send a JSON object, e.g. {"device": "display"}'))
    return body


def _error(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _address() -> str:
    return request.remote_addr or "?"


@bp.get("")
def page() -> Any:
    """The code screen a new display shows until a technician enrols it."""
    response = Response(
        render_template("enrol.html", static_url=SCREEN_STATIC_URL, server=request.host_url.rstrip("/"), lang="zh-CN")
    )
    return _no_store(response)


@bp.get("/sw.js")
def service_worker() -> Any:
    """The player's service worker for the scope ``/enrol``: the code page loads offline, and so reaches its stored screen."""
    response = send_from_directory(display_client.STATIC_DIR, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/enrol"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/qr.svg")
def qr() -> Any:
    """The QR a phone scans: the console's enrol page with the code filled in (a code is no secret)."""
    try:
        code = normalise_code(request.args.get("code", ""))
    except CodeRefused:
        abort(404)
    out = io.BytesIO()
    segno.make(url_for("console.enrol", code=code, _external=True), error="m").save(
        out, kind="svg", scale=8, border=2, xmldecl=False, dark="#111", light="#fff"
    )
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"private, max-age={int(CODE_LIFETIME.total_seconds())}"
    return response


@bp.post("/api/codes")
def new_code() -> Any:
    body = _json_body()
    device, client = body.get("device"), body.get("client", "")
    if not isinstance(device, str) or not isinstance(client, str):
        return _error(400, "invalid", 'device must be "display" or "box", client a text')
    session = request_session()
    now = runtime(current_app).clock()
    try:
        issued = request_code(session, device=device, client=client, address=_address(), now=now)
    except ValidationError as err:
        return _error(400, "invalid", str(err), fields=err.errors)
    except TooManyRequests as err:
        session.rollback()
        log.info("enrolment: code requests refused for an address (%s)", err)
        response = _error(429, "rate_limited", str(err), retry_after=err.retry_after)
        response.headers["Retry-After"] = str(err.retry_after)
        return response
    audit.record(
        session,
        actor=f"device@{_address()}"[:80],
        action="enrolment.code_created",
        obj_kind="enrolment_code",
        obj_id=issued.id,
        summary={"device": device, "client": client},
    )
    session.commit()
    return _no_store(
        jsonify(
            {
                "code": issued.code,
                "secret": issued.secret,
                "expires_at": _iso(issued.expires_at),
                "poll_seconds": POLL_SECONDS,
                "enrol_url": url_for("console.enrol", code=issued.code, _external=True),
            }
        )
    ), 201


@bp.post("/api/poll")
def poll_code() -> Any:
    secret = _json_body().get("secret")
    if not isinstance(secret, str) or not secret or len(secret) > MAX_SECRET:
        return _error(400, "invalid", 'send {"secret": "<the secret of POST /enrol/api/codes>"}')
    session = request_session()
    now = runtime(current_app).clock()
    found = poll(session, secret, now)
    if found is None:
        return _no_store(_error(404, "unknown", "no code has this secret; ask for a new code"))
    if found.state is CodeState.WAITING:
        assert found.expires_at is not None
        return _no_store(jsonify({"state": "waiting", "expires_at": _iso(found.expires_at)}))
    if found.state is not CodeState.DELIVERED or found.screen is None:
        session.commit()  # an expiry noticed now is kept
        response = jsonify({"state": found.state.value})
        response.status_code = 410
        return _no_store(response)
    screen = found.screen
    answer = _enrolled(screen)
    if screen.kind == ScreenKind.KIOSK.value:
        key = agent_credential_key(settings(current_app).secret_key)
        answer["agent_credential"] = issue_agent_credential(session, screen, key)
    audit.record(
        session,
        actor=f"device@{_address()}"[:80],
        action="enrolment.delivered",
        obj_kind="screen",
        obj_id=screen.id,
        summary={"kind": screen.kind, "agent_credential": "issued" if "agent_credential" in answer else "none"},
        org_path=screen.hall.org_unit.path,
    )
    session.commit()
    log.info("enrolment: screen %d collected by its device", screen.id)
    return _no_store(jsonify(answer))


def _enrolled(screen: Screen) -> dict[str, Any]:
    return {
        "state": "enrolled",
        "screen": {
            "id": screen.id,
            "key": screen.key,
            "name": screen.name,
            "kind": screen.kind,
            "hall_id": screen.hall_id,
            "hall": screen.hall.name,
            "width_px": screen.width_px,
            "height_px": screen.height_px,
            "orientation": screen.orientation,
            "panel": screen.panel,
        },
        "screen_url": url_for("pages.player", key=screen.key, _external=True),
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
