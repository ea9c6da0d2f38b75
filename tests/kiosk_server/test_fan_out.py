"""Room emits written once per websocket: real python-socketio servers and clients, websocket and long-polling."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from kiosk_server.direct_websocket import DirectSocket
from kiosk_server.room_index import IndexedManager
from tests.support.server import wait_for
from tests.support.socketio_rooms import serving

DEADLINE = 10  # seconds to wait for a condition, never a timing asserted


@pytest.fixture
def served() -> Iterator[tuple[socketio.Server, str, list[str]]]:
    sio = socketio.Server(async_mode="threading", client_manager=IndexedManager())
    with serving(sio, "hall") as (url, joined):
        yield sio, url, joined


def clients(url: str, transports: list[list[str]]) -> list[tuple[socketio.Client, list[Any]]]:
    made = []
    for transport in transports:
        client = socketio.Client()
        got: list[Any] = []
        client.on("manifest", lambda *args, got=got: got.append(args))
        client.connect(url, transports=transport, wait_timeout=DEADLINE)
        made.append((client, got))
    return made


def test_a_room_emit_reaches_websockets_and_long_polling_clients_alike(served: Any) -> None:
    sio, url, joined = served
    made = clients(url, [["websocket"], ["websocket"], ["polling"]])
    try:
        wait_for(lambda: len(joined) == 3, DEADLINE, "three clients in the room")
        kinds = {type(sio.eio.sockets[sio.manager.eio_sid_from_sid(sid, "/")]) is DirectSocket for sid in joined}
        assert kinds == {True, False}, "both kinds of socket are in the room"
        sio.emit("manifest", {"seq": 1, "text": "招聘"}, to="hall")
        sio.emit("manifest", {"seq": 2, "manifest": b"\x78\x9c" + bytes(range(256)) * 40}, to="hall")  # binary
        sio.emit("manifest", ({"seq": 3}, "second argument"), to="hall")  # a tuple: two arguments
        for _client, got in made:
            wait_for(lambda got=got: len(got) == 3, DEADLINE, "every emit at every client")
            assert got[0] == ({"seq": 1, "text": "招聘"},)
            assert got[1] == ({"seq": 2, "manifest": b"\x78\x9c" + bytes(range(256)) * 40},)
            assert got[2] == ({"seq": 3}, "second argument")
    finally:
        for client, _got in made:
            client.disconnect()


def test_skip_sid_and_a_single_recipient_are_kept(served: Any) -> None:
    sio, url, joined = served
    made = clients(url, [["websocket"], ["websocket"]])
    try:
        wait_for(lambda: len(joined) == 2, DEADLINE, "two clients in the room")
        first, second = joined
        sio.emit("manifest", {"seq": 1}, to="hall", skip_sid=first)
        sio.emit("manifest", {"seq": 2}, to=first)
        by_sid = {client.get_sid(): got for client, got in made}
        assert set(by_sid) == {first, second}
        wait_for(lambda: len(by_sid[first]) == 1 and len(by_sid[second]) == 1, DEADLINE, "one emit each")
        assert by_sid[first] == [({"seq": 2},)] and by_sid[second] == [({"seq": 1},)]
    finally:
        for client, _got in made:
            client.disconnect()


def test_an_event_with_an_attachment_is_one_write_per_websocket(served: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sio, url, joined = served
    made = clients(url, [["websocket"], ["websocket"]])
    writes: list[bytes] = []
    write_frames = DirectSocket.write_frames

    def counted(self: DirectSocket, data: bytes) -> bool:
        writes.append(data)
        return write_frames(self, data)

    monkeypatch.setattr(DirectSocket, "write_frames", counted)
    try:
        wait_for(lambda: len(joined) == 2, DEADLINE, "two clients in the room")
        sio.emit("manifest", {"seq": 1, "manifest": b"\x00" * 100}, to="hall")
        for _client, got in made:
            wait_for(lambda got=got: len(got) == 1, DEADLINE, "the emit")
        assert len(writes) == 2, "one write per websocket for the event and its attachment"
        assert writes[0] is writes[1], "the frames are built once for every recipient"
    finally:
        for client, _got in made:
            client.disconnect()
