"""Probing a web page: does it answer, and does it let a wall frame it?

A page that sends ``X-Frame-Options: DENY`` or ``SAMEORIGIN``, or a CSP ``frame-ancestors`` that
names neither ``*`` nor one of our origins, shows as an empty frame (the browser's error page at
best), so the player shows the fallback instead. The probe is a GET (many servers refuse HEAD)
bounded to 5 s and 256 KB: only the headers matter.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from content import outbox
from content.library.widgets.hosts import HostAllowList, host_of
from content.library.widgets.web_client import FetchError, FetchProblem, fetch
from content.library.widgets.web_pages import DETAIL_MAX_LENGTH, OBJ_KIND, FrameStatus, WebPage

TIMEOUT_SECONDS: Final = 5.0
MAX_BYTES: Final = 256 * 1024


@dataclass(frozen=True)
class ProbeResult:
    status: FrameStatus
    detail: str


def _ancestors(csp: str) -> list[str] | None:
    """The sources of the policy's ``frame-ancestors`` directive, or None when it has none."""
    for directive in csp.split(";"):
        parts = directive.split()
        if parts and parts[0].lower() == "frame-ancestors":
            return [p.lower() for p in parts[1:]]
    return None


def framing_refusal(x_frame_options: str, csp: str, our_hosts: Collection[str] = ()) -> str | None:
    """Why a page with these headers would refuse our frame, or None when it would not."""
    xfo = x_frame_options.strip().lower()
    if xfo in {"deny", "sameorigin"}:
        return f"X-Frame-Options: {xfo.upper()}"
    if xfo.startswith("allow-from"):
        return "X-Frame-Options: ALLOW-FROM (obsolete; browsers refuse the frame)"
    sources = _ancestors(csp)
    if sources is None or "*" in sources:
        return None
    if any(host_of(src if "://" in src else f"https://{src}") in our_hosts for src in sources):
        return None
    named = " ".join(sources) or "'none'"
    return f"Content-Security-Policy frame-ancestors {named}"


def probe(
    url: str, allow: HostAllowList, our_hosts: Collection[str] = (), *, timeout: float = TIMEOUT_SECONDS
) -> ProbeResult:
    """Read ``url`` once and say whether a wall could frame it."""
    try:
        got = fetch(url, allow, timeout=timeout, max_bytes=MAX_BYTES, accept="text/html,*/*;q=0.8")
    except FetchError as err:
        if err.code is FetchProblem.TOO_LARGE:  # a big page answers: its headers are what we wanted
            return ProbeResult(FrameStatus.OK, "")
        return ProbeResult(FrameStatus.UNREACHABLE, f"{err.code.value}: {err.detail}")
    refusal = framing_refusal(
        got.headers.get("X-Frame-Options", ""), got.headers.get("Content-Security-Policy", ""), our_hosts
    )
    if refusal is not None:
        return ProbeResult(FrameStatus.REFUSES, refusal)
    return ProbeResult(FrameStatus.OK, "")


def record_probe(session: Session, page: WebPage, result: ProbeResult, now: datetime) -> bool:
    """Write a probe's result on ``page`` (the caller commits); True when what screens show changed."""
    was = page.frameable
    page.frame_status = result.status.value
    page.frame_detail = result.detail[:DETAIL_MAX_LENGTH]
    page.probed_at = now
    if page.frameable == was:
        return False
    outbox.add_event(session, "content", kind=OBJ_KIND, id=page.id, action="updated")
    return True
