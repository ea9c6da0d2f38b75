"""Acceptance, end to end: a wall in Chromium applies a manifest that came deflated in a binary attachment.

A real server whose manifests pass the deflate threshold (docs/protocol.md §3 "Wire form"), the
real wall player. A change is pushed by the publisher to the group's room as a deflated manifest:
the wall must show it, report its version, and keep playing it from localStorage after a reload
while the server is down, exactly as with plain manifests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session

from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.browser import chromium_missing, screenshot
from tests.support.server import ServerProcess
from tests.support.world import World, add_emergency, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

VACANCY = "仓储管理员"  # what the wall's schedule plays (tests/support/world.py)
# Enough vacancies that the manifest passes the deflate threshold (40 make about 16 KB of JSON).
MANY_VACANCIES = 40
DEADLINE_MS = 15_000  # a deadline to wait on, never a timing asserted


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[World, Session, ServerProcess]]:
    # The wire form does not depend on the database: SQLite alone keeps this browser test to one run.
    engine = make_engine(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=MANY_VACANCIES)
        server = ServerProcess(tmp_path / "server", str(engine.url))
        server.start()
        try:
            yield world, session, server
        finally:
            server.stop()
    engine.dispose()


@pytest.fixture
def wall_page(browser: Any) -> Iterator[tuple[Any, list[Any], list[str]]]:
    """A page (its service worker allowed) with every websocket frame it receives recorded, and its errors."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, service_workers="allow")
    page = context.new_page()
    frames: list[Any] = []
    errors: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, frames, errors
    context.close()


def manifest_frames(frames: list[Any]) -> list[dict[str, Any]]:
    """The JSON part of every deflated manifest event received (``45<n>-/screen,["manifest",{…}]``)."""
    found = []
    for frame in list(frames):
        if isinstance(frame, str) and frame.startswith("451-/screen,") and '"manifest"' in frame:
            name, data = json.loads(frame[len("451-/screen,") :])
            if name == "manifest" and data.get("encoding") == "deflate":
                found.append(data)
    return found


def current_payload(server: ServerProcess, key: str) -> dict[str, Any]:
    response = requests.get(f"{server.url}/screen/{key}/manifest.json", timeout=10)
    response.raise_for_status()
    payload: dict[str, Any] = response.json()
    return payload


def test_a_wall_shows_an_emergency_that_came_as_a_deflated_manifest(live, wall_page) -> None:
    world, session, server = live
    page, frames, errors = wall_page
    key = world.wall_keys[0]
    page.goto(f"{server.url}/screen/{key}")
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=VACANCY, timeout=DEADLINE_MS)
    page.wait_for_function("() => window.__wall.store.welcome !== null", timeout=DEADLINE_MS)
    screenshot(page, "e2e-wall-deflated-board")

    title = "大厅临时停电检修通知"
    add_emergency(session, world, title, seconds=600)
    try:
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=title, timeout=DEADLINE_MS)
    except Exception as err:
        screenshot(page, "e2e-wall-deflated-missing")
        state = page.evaluate("JSON.stringify(document.querySelector('#wall').dataset)")
        raise AssertionError(f"the emergency was not shown; wall state {state}, page errors {errors}") from err
    screenshot(page, "e2e-wall-deflated-emergency")

    current = current_payload(server, key)
    pushed = [data for data in manifest_frames(frames) if data["version"] == current["version"]]
    assert pushed, "the new version reached the wall as a deflated manifest"
    assert pushed[0]["manifest"] == {"_placeholder": True, "num": 0}, "its manifest came as a binary attachment"
    assert any(isinstance(frame, bytes) for frame in frames), "the attachment arrived as a binary frame"
    wall = page.evaluate("() => ({...document.querySelector('#wall').dataset})")
    assert (wall["version"], wall["seq"], wall["layer"]) == (current["version"], str(current["seq"]), "emergency")
    # The last good manifest kept for an offline reload is the plain one, as the server serves it.
    stored = page.evaluate("k => JSON.parse(localStorage.getItem(`wall:${k}:manifest`))", key)
    assert stored == current
    assert not errors, f"uncaught errors in the page: {errors}"

    # Offline, a reload plays it from there (the service worker's manifest.json is older: dropped by seq).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=DEADLINE_MS)
    page.evaluate("window.__marker = 1")
    server.stop()
    page.reload()
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=title, timeout=DEADLINE_MS)
    assert page.evaluate("window.__marker") is None, "the page was reloaded"
    assert page.get_attribute("#wall", "data-version") == current["version"]
    assert page.get_attribute("#wall", "data-conn") != "online"
    screenshot(page, "e2e-wall-deflated-offline-reload")


def test_a_duplicate_is_dropped_and_broken_bytes_fall_back_to_manifest_json(live, wall_page) -> None:
    world, _, server = live
    page, _, errors = wall_page
    key = world.wall_keys[0]
    page.goto(f"{server.url}/screen/{key}")
    page.wait_for_function("() => window.__wall && window.__wall.store.welcome !== null", timeout=DEADLINE_MS)
    held = current_payload(server, key)
    page.wait_for_function("v => window.__wall.store.version === v", arg=held["version"], timeout=DEADLINE_MS)

    # The player's own reading of the wire form, on the bytes as the server would send them.
    outcome = page.evaluate(
        """async (held) => {
        const { plainManifest } = await import('/display-static/js/manifest-wire.js');
        const bytes = await new Response(new Blob([JSON.stringify(held.manifest)]).stream()
            .pipeThrough(new CompressionStream('deflate'))).arrayBuffer();
        const wire = (fields) => ({ stream: 'manifest', group: held.group, encoding: 'deflate', ...fields });
        const other = { ...held, seq: held.seq - 1, version: 'another' };
        return {
          inflated: await plainManifest(wire({ seq: 5, version: held.version, manifest: bytes }), null),
          duplicate: await plainManifest(wire({ seq: held.seq, version: 'x', manifest: 'not inflated' }), held),
          sameVersion: await plainManifest(wire({ seq: held.seq + 1, version: held.version, manifest: null }), held),
          newer: await plainManifest(wire({ seq: held.seq + 1, version: held.version, manifest: bytes }), other),
          broken: await plainManifest(wire({ seq: held.seq + 1, version: 'y', manifest: new Uint8Array([1, 2, 3]) }), held)
            .then(() => 'resolved', (err) => 'rejected'),
        };
    }""",
        held,
    )
    assert outcome["inflated"] == {**held, "seq": 5}
    assert outcome["duplicate"] is None, "a seq not newer than the held one is dropped without inflating"
    assert outcome["sameVersion"] == {**held, "seq": held["seq"] + 1}, "the held version keeps its manifest"
    assert outcome["newer"] == {**held, "seq": held["seq"] + 1}
    assert outcome["broken"] == "rejected"

    # Bytes that do not inflate, through the socket's own path: dropped, and manifest.json asked instead.
    with page.expect_request(lambda request: request.url.endswith("/manifest.json"), timeout=DEADLINE_MS):
        page.evaluate(
            """(held) => window.__wall.socket.onEvent('manifest', {
            stream: 'manifest', seq: held.seq + 1000, version: 'broken', group: held.group, encoding: 'deflate',
            manifest: new Uint8Array([120, 156, 1, 2, 3]).buffer })""",
            held,
        )
    assert page.evaluate("() => window.__wall.store.version") == held["version"]
    assert page.evaluate("() => document.body.innerText.includes('仓储管理员')")
    assert all("inflate" not in e for e in errors), errors
