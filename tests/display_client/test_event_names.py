"""The player's event names (static/js/events.js) equal the server's (kiosk_server/events.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

import display_client

SERVER_EVENTS = Path(__file__).resolve().parents[2] / "kiosk_server" / "events.py"
CONSTANT = re.compile(r'^export const (\w+) = "([^"]*)";', re.M)


def test_event_names_match_the_server() -> None:
    if not SERVER_EVENTS.is_file():
        pytest.skip("kiosk_server/events.py does not exist yet: nothing to compare the player's names with")
    # Loaded from its file, so the comparison does not depend on the server package importing cleanly.
    spec = importlib.util.spec_from_file_location("server_event_names", SERVER_EVENTS)
    assert spec and spec.loader
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    client = dict(CONSTANT.findall((display_client.STATIC_DIR / "js" / "events.js").read_text(encoding="utf-8")))
    assert {"HELLO", "WELCOME", "MANIFEST", "HEARTBEAT"} <= client.keys()
    for name, value in client.items():
        theirs = getattr(server, name, None)
        assert theirs == value, f"{name}: the player says {value!r}, the server {theirs!r}"
