"""The browser socket's reconnect rule (static/js/socket.js) equals content.backoff's ``RECONNECT``."""

from __future__ import annotations

import re

import display_client
from content.backoff import RECONNECT, RECONNECT_STABLE_SECONDS

CONSTANT = re.compile(r"^const (\w+) = ([0-9_.]+);", re.M)


def test_the_browser_reconnects_by_the_same_rule_as_the_agent() -> None:
    source = (display_client.STATIC_DIR / "js" / "socket.js").read_text(encoding="utf-8")
    constants = {name: float(value.replace("_", "")) for name, value in CONSTANT.findall(source)}
    assert constants["BASE_DELAY_MS"] == RECONNECT.base * 1000
    assert constants["MAX_DELAY_MS"] == RECONNECT.cap * 1000
    assert constants["BACKOFF_FACTOR"] == RECONNECT.factor
    assert constants["BACKOFF_JITTER"] == RECONNECT.jitter
    assert constants["STABLE_MS"] == RECONNECT_STABLE_SECONDS * 1000
    # ... and the delay is computed from those constants, not from numbers written into the formula.
    body = source[source.index("export function backoffDelay") :]
    body = body[: body.index("\n}\n")]
    assert {"BASE_DELAY_MS", "MAX_DELAY_MS", "BACKOFF_FACTOR", "BACKOFF_JITTER"} <= set(re.findall(r"[A-Z_]{4,}", body))
