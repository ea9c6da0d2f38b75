"""The box side of enrolment by code (the server's contract: ``/enrol/api/codes`` and ``/enrol/api/poll``).

The box asks for a code, shows it, and polls until a technician has entered the code in the console;
the answer (the screen's profile, its URL and, for a kiosk, the agent credential) is given once.
An expired (or forgotten: 404) code is replaced by a new one; ``429`` is waited out as ``Retry-After`` says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from provisioning import http
from provisioning.errors import EnrolmentRefused, ServerUnreachable

DEVICE: Final = "box"
DEFAULT_POLL_SECONDS: Final = 3.0
MAX_RETRY_AFTER: Final = 300.0  # a wrong Retry-After must not park the technician for a day


@dataclass(frozen=True)
class ScreenProfile:
    """What the console set for this screen; the doctor compares the display with it."""

    id: int
    key: str = field(repr=False)
    name: str
    kind: str
    hall_id: int
    hall: str
    width_px: int
    height_px: int
    orientation: str
    panel: str

    def public(self) -> dict[str, Any]:
        """Everything but the key (``/etc/kiosk/screen.json`` is readable by the kiosk user's doctor)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "hall_id": self.hall_id,
            "hall": self.hall,
            "width_px": self.width_px,
            "height_px": self.height_px,
            "orientation": self.orientation,
            "panel": self.panel,
        }


@dataclass(frozen=True)
class Enrolment:
    """The server's one-time answer."""

    screen: ScreenProfile
    screen_url: str = field(repr=False)  # holds the screen key
    agent_credential: str | None = field(repr=False, default=None)


@dataclass(frozen=True)
class Code:
    """A code to show, and the secret (never shown) to poll with."""

    code: str
    secret: str = field(repr=False)
    expires_at: str
    poll_seconds: float
    enrol_url: str


class CodeDisplay(Protocol):
    """Where the code goes: the terminal in real use, a list in tests."""

    def show(self, code: Code) -> None: ...

    def expired(self, code: Code) -> None: ...


def profile_from(data: Any) -> ScreenProfile:
    """A ``ScreenProfile`` from the answer's ``screen`` object; a malformed one is the server's fault."""
    try:
        return ScreenProfile(
            id=int(data["id"]),
            key=str(data.get("key") or ""),
            name=str(data["name"]),
            kind=str(data["kind"]),
            hall_id=int(data["hall_id"]),
            hall=str(data["hall"]),
            width_px=int(data["width_px"]),
            height_px=int(data["height_px"]),
            orientation=str(data["orientation"]),
            panel=str(data["panel"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise EnrolmentRefused(f"the server's enrolment answer has no usable screen profile ({err!r})") from err


class EnrolmentClient:
    """Requests codes and polls them, against one server."""

    def __init__(self, server_url: str, hostname: str) -> None:
        self.server_url = server_url.rstrip("/")
        self.hostname = hostname

    def new_code(self) -> Code:
        url = f"{self.server_url}/enrol/api/codes"
        answer = http.request("POST", url, {"device": DEVICE, "client": self.hostname})
        if answer.status != 201 or not isinstance(answer.body, dict):
            raise ServerUnreachable(url, f"HTTP {answer.status} instead of a new code")
        body = answer.body
        try:
            return Code(
                code=str(body["code"]),
                secret=str(body["secret"]),
                expires_at=str(body["expires_at"]),
                poll_seconds=max(0.05, float(body.get("poll_seconds") or DEFAULT_POLL_SECONDS)),
                enrol_url=str(body["enrol_url"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ServerUnreachable(url, f"the new-code answer lacks {err}") from err

    def poll(self, code: Code) -> Enrolment | str | float:
        """The enrolment, or a state (``"waiting"``, ``"expired"``), or seconds to wait after a 429."""
        url = f"{self.server_url}/enrol/api/poll"
        answer = http.request("POST", url, {"secret": code.secret})
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 429:
            return _retry_after(answer.header("Retry-After"), code.poll_seconds)
        if answer.status == 404:  # the server no longer knows the code (pruned): as good as expired
            return "expired"
        if answer.status == 410:
            state = str(body.get("state", "gone"))
            if state == "expired":
                return state
            raise EnrolmentRefused(
                f"the server ended this enrolment: the code was {state} "
                "(revoked in the console, or its answer was already given to another request)"
            )
        if answer.status != 200:
            raise ServerUnreachable(url, f"HTTP {answer.status} while waiting for the code to be entered")
        if body.get("state") == "waiting":
            return "waiting"
        if body.get("state") == "enrolled":
            credential = body.get("agent_credential")
            return Enrolment(
                screen=profile_from(body.get("screen")),
                screen_url=str(body.get("screen_url") or ""),
                agent_credential=str(credential) if credential else None,
            )
        raise ServerUnreachable(url, f"unexpected answer state {body.get('state')!r}")


def _retry_after(header: str | None, fallback: float) -> float:
    try:
        seconds = float(header) if header is not None else fallback
    except ValueError:
        seconds = fallback
    return min(max(seconds, 0.05), MAX_RETRY_AFTER)


def enrol(
    client: EnrolmentClient,
    display: CodeDisplay,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> Enrolment:
    """Show a code and wait until it is entered; a new code each time one expires. Ctrl-C propagates."""
    code = client.new_code()
    display.show(code)
    while True:
        outcome = client.poll(code)
        if isinstance(outcome, Enrolment):
            return outcome
        if outcome == "expired":
            display.expired(code)
            code = client.new_code()
            display.show(code)
            continue
        sleep(outcome if isinstance(outcome, float) else code.poll_seconds)
