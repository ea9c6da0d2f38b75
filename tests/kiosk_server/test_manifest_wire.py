"""The manifest event's wire form: small manifests plain, large ones deflated once per version (protocol.md §3)."""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from sqlalchemy.orm import Session

from content.signage.manifest import Manifest, canonical_json, version_of
from kiosk_server import manifest_wire
from kiosk_server.database import make_engine
from kiosk_server.manifest_wire import DEFLATE, DEFLATE_FROM, MIN_ENTRIES, decode_message, manifest_message
from kiosk_server.manifests import Snapshot
from kiosk_server.socketio_packets import EncodedObject
from tests.conftest import POSTGRES_SKIP, POSTGRES_UP, REDIS_SKIP, REDIS_UP, REDIS_URL
from tests.support import migrated_schema
from tests.support.screen_client import ScreenClient
from tests.support.server import ServerProcess, wait_for
from tests.support.world import World, add_vacancy, build_world

# Enough vacancies on the board that the world's manifests pass DEFLATE_FROM (40 make about 16 KB).
MANY_VACANCIES = 40
DEADLINE = 30  # seconds; a deadline to wait on, never a timing asserted


def body_of(group: str, size: int, salt: str = "") -> dict[str, Any]:
    """A manifest body of about ``size`` bytes of JSON, as varied as real text (so it deflates like one)."""
    filler = " ".join(f"岗位{n}:{hashlib.sha256(f'{salt}{n}'.encode()).hexdigest()[:6]}" for n in range(size // 14))
    return {"schema": 1, "group": group, "items": {"ticker:1": {"kind": "ticker", "text": filler}}, "segments": []}


def snapshot(revision: int, bodies: dict[str, dict[str, Any]]) -> Snapshot:
    manifests = {group: Manifest(group, version_of(body), body) for group, body in bodies.items()}
    return Snapshot(
        revision=revision,
        computed_at=datetime(2026, 11, 23, 2, 30, tzinfo=UTC),
        valid_until=None,
        manifests=manifests,
        screen_groups={},
    )


def group_key() -> str:
    return f"g-{uuid.uuid4().hex[:12]}"  # the cache is process-wide: no test meets another's entries


def test_a_small_manifest_goes_as_the_plain_payload() -> None:
    group = group_key()
    snap = snapshot(7, {group: body_of(group, DEFLATE_FROM // 2)})
    message = manifest_message(snap, group)
    assert message == snap.payload(group)
    assert "encoding" not in message
    assert isinstance(message, EncodedObject) and json.loads(message.text) == snap.payload(group), (
        "the text sent is the payload, written around the manifest's canonical JSON"
    )
    assert decode_message(message) == snap.payload(group)


def test_a_large_manifest_goes_deflated_with_the_fields_a_client_drops_duplicates_by() -> None:
    group = group_key()
    snap = snapshot(42, {group: body_of(group, 4 * DEFLATE_FROM)})
    message = manifest_message(snap, group)
    assert message["encoding"] == DEFLATE
    assert {k: message[k] for k in ("stream", "seq", "version", "group")} == {
        "stream": "manifest",
        "seq": 42,
        "version": snap.manifests[group].version,
        "group": group,
    }
    assert isinstance(message["manifest"], bytes)
    assert len(message["manifest"]) < len(canonical_json(snap.manifests[group].body).encode()) / 2
    assert decode_message(message) == snap.payload(group)


def test_the_inflated_bytes_are_the_text_the_version_is_computed_over() -> None:
    group = group_key()
    snap = snapshot(3, {group: body_of(group, 2 * DEFLATE_FROM)})
    inflated = zlib.decompress(manifest_message(snap, group)["manifest"])
    assert hashlib.sha256(inflated).hexdigest()[:16] == snap.manifests[group].version


def test_a_version_is_deflated_once_and_reused_under_every_later_seq() -> None:
    group, other = group_key(), group_key()
    bodies = {group: body_of(group, 3 * DEFLATE_FROM), other: body_of(other, 3 * DEFLATE_FROM)}
    first = manifest_message(snapshot(10, bodies), group)
    again = manifest_message(snapshot(10, bodies), group)  # a hello answered from the same snapshot
    later = manifest_message(snapshot(11, bodies), group)  # another group changed: same version, newer seq
    assert again["manifest"] is first["manifest"]
    assert later["manifest"] is first["manifest"] and later["seq"] == 11
    changed = manifest_message(snapshot(12, {**bodies, group: body_of(group, 3 * DEFLATE_FROM, salt="new")}), group)
    assert changed["version"] != first["version"]
    assert decode_message(changed)["manifest"] == body_of(group, 3 * DEFLATE_FROM, salt="new")


def test_the_cache_keeps_recent_versions_only() -> None:
    group = group_key()
    versions = [snapshot(n, {group: body_of(group, DEFLATE_FROM, salt=str(n))}) for n in range(MIN_ENTRIES + 8)]
    first = manifest_message(versions[0], group)["manifest"]
    for snap in versions[1:]:
        manifest_message(snap, group)
    assert len(manifest_wire._deflated) <= MIN_ENTRIES
    newest = manifest_message(versions[-1], group)["manifest"]
    assert manifest_message(versions[-1], group)["manifest"] is newest, "a recent version stays cached"
    again = manifest_message(versions[0], group)["manifest"]
    assert again == first and again is not first, "the oldest version was dropped, and is deflated anew"


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError, match="brotli"):
        decode_message({"stream": "manifest", "seq": 1, "version": "v", "encoding": "brotli", "manifest": b""})


# A real server process and a real Socket.IO client over a websocket: the attachment as sent.


@pytest.fixture
def large_world(database_url: str) -> Iterator[tuple[str, World, Session]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=MANY_VACANCIES)
        yield database_url, world, session
    engine.dispose()


def plain_payload(server: ServerProcess, key: str) -> dict[str, Any]:
    """The screen's current payload as manifest.json serves it (always plain)."""
    response = requests.get(f"{server.url}/screen/{key}/manifest.json", timeout=10)
    response.raise_for_status()
    payload: dict[str, Any] = response.json()
    return payload


@pytest.mark.slow
def test_a_screen_applies_a_deflated_push_from_the_publisher(large_world, tmp_path: Path) -> None:
    database_url, world, session = large_world
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    client = ScreenClient(server.url, world.wall_keys[0]).connect()
    try:
        wait_for(lambda: client.welcomes, DEADLINE, "welcome")
        assert len(canonical_json(plain_payload(server, world.wall_keys[0])["manifest"]).encode()) >= DEFLATE_FROM
        add_vacancy(session, world, "跨境电商运营（压缩推送）")
        wait_for(lambda: "跨境电商运营（压缩推送）" in client.titles(), DEADLINE, "the new vacancy on the screen")
        assert client.encodings[-1] == DEFLATE, f"the push went as {client.encodings}"
        current = plain_payload(server, world.wall_keys[0])
        assert client.held is not None
        assert (client.held["seq"], client.held["version"]) == (current["seq"], current["version"])
        assert client.held["manifest"] == current["manifest"]
    finally:
        client.close()
        server.stop()


@pytest.mark.slow
@pytest.mark.isolated  # one Redis database and Socket.IO channel for two servers, as tests/kiosk_server/test_multiprocess.py
@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_UP, reason=POSTGRES_SKIP)
@pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP)
def test_a_deflated_push_crosses_the_message_queue_to_another_process(postgres_url: str, tmp_path: Path) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    engine = make_engine(postgres_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=MANY_VACANCIES)
    env = {"KIOSK_MESSAGE_QUEUE_URL": REDIS_URL, "KIOSK_SECRET_KEY": "shared-secret"}
    servers = [ServerProcess(tmp_path / name, postgres_url, extra_env=env) for name in ("a", "b")]
    clients: list[ScreenClient] = []
    try:
        for server in servers:
            server.start()
        # One screen on each process: whichever leads publishes, the other gets the push through Redis.
        clients = [ScreenClient(s.url, key).connect() for s, key in zip(servers, world.wall_keys, strict=True)]
        for client in clients:
            wait_for(lambda c=client: c.welcomes, DEADLINE, "welcome")
        with Session(engine) as session:
            add_vacancy(session, world, "冷链仓储主管（跨进程压缩）")
        for client in clients:
            wait_for(lambda c=client: "冷链仓储主管（跨进程压缩）" in c.titles(), DEADLINE, "the new vacancy")
            assert client.encodings[-1] == DEFLATE, f"the push went as {client.encodings}"
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.stop()
        engine.dispose()


class OldPlayer(ScreenClient):
    """A player from before the compressed form: its hello lists nothing in "accept"."""

    def hello_payload(self) -> dict[str, Any]:
        payload = super().hello_payload()
        del payload["accept"]
        return payload


@pytest.mark.slow
def test_a_player_that_does_not_accept_deflate_gets_plain_answers(large_world, tmp_path: Path) -> None:
    """Walls running an older page until it reloads: hello answers and beat resends stay plain for them."""
    database_url, world, _session = large_world
    server = ServerProcess(tmp_path / "server", database_url)
    server.start()
    old = OldPlayer(server.url, world.wall_keys[0]).connect()
    new = ScreenClient(server.url, world.wall_keys[1]).connect()
    try:
        wait_for(lambda: old.welcomes and new.welcomes, DEADLINE, "both welcomed")
        assert old.encodings == [None], f"the old player's hello answer went as {old.encodings}"
        assert new.encodings == [DEFLATE], f"the new player's hello answer went as {new.encodings}"
        assert old.held is not None and old.held["manifest"] == plain_payload(server, world.wall_keys[0])["manifest"]
    finally:
        old.close()
        new.close()
        server.stop()
