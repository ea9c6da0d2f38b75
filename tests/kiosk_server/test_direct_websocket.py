"""Websockets written to directly: real sockets, a real Engine.IO / Socket.IO server and clients.

The connection is tested on a socket pair (writes that the kernel does not take, a slow reader,
a client that breaks RFC 6455); the transport inside a python-socketio server served by werkzeug's
threads, with python-socketio's own client and a raw websocket client that answers no ping.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import socketio
from websockets.sync.client import connect

from kiosk_server import direct_websocket
from kiosk_server import websocket_frames as frames
from kiosk_server.direct_websocket import DirectSocket, frame_of
from kiosk_server.websocket_connection import Connection
from tests.support.server import wait_for
from tests.support.socketio_rooms import serving


def spawn(target: Any) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server_end, client_end = socket.socketpair()
    server_end.settimeout(5)  # as the transport does: the descriptor is then non-blocking
    client_end.settimeout(5)
    yield server_end, client_end
    server_end.close()
    client_end.close()


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def client_frame(first: int, payload: bytes) -> bytes:
    """A masked client frame with the zero key (the payload unchanged; RFC 6455 §5.3), up to 125 bytes."""
    assert len(payload) < 126
    return bytes([first, 0x80 | len(payload)]) + b"\x00\x00\x00\x00" + payload


# -- the connection on a socket pair ------------------------------------------------------------


def test_frames_arrive_whole_and_in_order_when_the_kernel_takes_them_in_parts(pair: Any) -> None:
    server_end, client_end = pair
    server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    connection = Connection(server_end, spawn, max_message=1 << 20, max_backlog=1 << 26)
    sent = [frames.frame(bytes([n % 251]) * (10_000 + n)) for n in range(60)]  # ~640 KB: far past the buffers
    received: list[bytes] = []
    reader = spawn(lambda: received.append(read_all(client_end)))
    for data in sent:
        assert connection.write(data)
    connection.close()
    reader.join(timeout=20)
    assert received and received[0] == b"".join(sent) + frames.close_frame(), "every byte, in order, then the close"


def test_a_client_that_stops_reading_is_dropped_once_its_backlog_passes_the_limit(pair: Any) -> None:
    server_end, _client_end = pair
    connection = Connection(server_end, spawn, max_message=1 << 20, max_backlog=256 * 1024)
    data = frames.frame(bytes(64 * 1024))
    results = [connection.write(data) for _ in range(400)]  # 25 MB, more than any socket buffer holds
    assert results[0] is True
    assert results[-1] is False and connection.closed
    assert results.index(False) < 400, "writes never blocked: the caller got an answer for each"


def test_a_write_never_blocks_the_caller_while_the_peer_reads_nothing(pair: Any) -> None:
    server_end, _client_end = pair
    connection = Connection(server_end, spawn, max_message=1 << 20, max_backlog=1 << 30)
    done = threading.Event()

    def write_lots() -> None:
        for _ in range(200):
            connection.write(frames.frame(bytes(64 * 1024)))
        done.set()

    spawn(write_lots)
    assert done.wait(10), "12 MB queued for a reader that never reads, without waiting on it"
    connection.close()


def test_a_ping_is_answered_with_a_pong_and_text_comes_out_decoded(pair: Any) -> None:
    server_end, client_end = pair
    connection = Connection(server_end, spawn, max_message=1 << 20)
    client_end.sendall(client_frame(0x89, b"hi") + client_frame(0x81, "42/screen,岗位".encode()))
    assert connection.wait() == "42/screen,岗位"
    assert client_end.recv(4) == frames.frame(b"hi", frames.PONG)


def test_a_close_from_the_client_is_answered_and_ends_the_wait(pair: Any) -> None:
    server_end, client_end = pair
    connection = Connection(server_end, spawn, max_message=1 << 20)
    client_end.sendall(client_frame(0x88, struct.pack("!H", 1001)))
    assert connection.wait() is None and connection.closed
    assert read_all(client_end) == frames.close_frame(1001)


def test_a_client_breaking_the_protocol_gets_a_close_with_the_reason(pair: Any) -> None:
    server_end, client_end = pair
    connection = Connection(server_end, spawn, max_message=1 << 20)
    client_end.sendall(bytes([0x81, 0x02]) + b"hi")  # not masked
    assert connection.wait() is None
    answer = read_all(client_end)
    assert answer[0] == 0x88 and struct.unpack("!H", answer[2:4])[0] == frames.PROTOCOL_ERROR
    assert b"masked" in answer


def test_a_message_over_the_limit_is_refused_with_1009(pair: Any) -> None:
    server_end, client_end = pair
    connection = Connection(server_end, spawn, max_message=100)
    client_end.sendall(bytes([0x82, 0x80 | 126]) + struct.pack("!H", 1000) + b"\x00" * 4)
    assert connection.wait() is None
    assert struct.unpack("!H", read_all(client_end)[2:4])[0] == frames.TOO_BIG


def test_the_peer_going_away_ends_the_wait(pair: Any) -> None:
    server_end, client_end = pair
    connection = Connection(server_end, spawn, max_message=1 << 20)
    client_end.shutdown(socket.SHUT_WR)
    assert connection.wait() is None
    assert connection.write(b"x") is False


def test_a_frame_is_built_once_per_packet() -> None:
    from engineio import packet

    pkt = packet.Packet(packet.MESSAGE, data='2/screen,["manifest",{}]')
    first = frame_of(pkt)
    assert frame_of(pkt) is first and first == frames.frame('42/screen,["manifest",{}]')
    binary = packet.Packet(packet.MESSAGE, data=b"\x78\x9c")
    assert frame_of(binary) == frames.frame(b"\x78\x9c")


# -- the transport inside a Socket.IO server ----------------------------------------------------


@pytest.fixture
def sio_server() -> Iterator[tuple[socketio.Server, str]]:
    sio = socketio.Server(async_mode="threading", ping_interval=1, ping_timeout=1)
    with serving(sio, "wall") as (url, joined):
        sio.joined = joined
        yield sio, url


def engine_socket(sio: socketio.Server, sid: str) -> Any:
    return sio.eio.sockets[sio.manager.eio_sid_from_sid(sid, "/")]


def test_a_websocket_client_is_served_directly_and_receives_room_emits(sio_server: Any) -> None:
    sio, url = sio_server
    got: list[Any] = []
    client = socketio.Client()
    client.on("manifest", got.append)
    client.connect(url, transports=["websocket"], wait_timeout=10)
    try:
        wait_for(lambda: sio.joined, 10, "the connect handler")
        assert isinstance(engine_socket(sio, sio.joined[0]), DirectSocket)
        sio.emit("manifest", {"seq": 1, "text": "招聘"}, to="wall")
        sio.emit("manifest", {"seq": 2, "blob": b"\x00\xff" * 5000}, to="wall")  # a binary attachment
        wait_for(lambda: len(got) == 2, 10, "both emits")
        assert got[0] == {"seq": 1, "text": "招聘"} and got[1]["blob"] == b"\x00\xff" * 5000
    finally:
        client.disconnect()


def test_a_client_answering_pings_stays_and_one_that_does_not_is_closed(sio_server: Any) -> None:
    sio, url = sio_server
    client = socketio.Client()
    client.connect(url, transports=["websocket"], wait_timeout=10)
    assert len(direct_websocket.pinger_of(sio.eio)) == 1, (
        "its next ping waits in the one pinger, not in a task of its own"
    )
    raw_url = url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket"
    with connect(raw_url, open_timeout=10) as raw:
        assert str(raw.recv(timeout=5)).startswith("0{")
        raw.send("40")
        assert str(raw.recv(timeout=5)).startswith("40")
        assert raw.recv(timeout=5) == "2", "pinged after the interval"
        # No pong: closed once the ping timeout has passed (an Engine.IO close, then the websocket's).
        wait_for(lambda: len(sio.eio.sockets) == 1, 10, "the silent client to be dropped")
    try:
        assert client.connected, "the client that answers pings is still there"
    finally:
        client.disconnect()


def test_a_client_that_upgrades_from_polling_still_works(sio_server: Any) -> None:
    sio, url = sio_server
    got: list[Any] = []
    client = socketio.Client()
    client.on("manifest", got.append)
    client.connect(url, transports=["polling", "websocket"], wait_timeout=10)
    try:
        wait_for(lambda: client.transport() == "websocket", 10, "the upgrade")
        sio.emit("manifest", {"seq": 3}, to="wall")
        wait_for(lambda: got == [{"seq": 3}], 10, "the emit over the upgraded websocket")
        assert not isinstance(engine_socket(sio, sio.joined[0]), DirectSocket), "python-engineio's own socket"
    finally:
        client.disconnect()


def test_a_handshake_without_a_proper_key_is_refused(sio_server: Any) -> None:
    import requests

    _sio, url = sio_server
    answer = requests.get(
        f"{url}/socket.io/?EIO=4&transport=websocket",
        headers={
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "x",
        },
        timeout=10,
    )
    assert answer.status_code == 400 and "base64" in answer.text


class SweptSocket:
    """What the sweep reads and calls of an Engine.IO socket, nothing more."""

    def __init__(self, sid: str, *, closed: bool = False, closing: bool = False) -> None:
        self.sid, self.closed, self.closing = sid, closed, closing
        self.checks = 0

    def check_ping_timeout(self) -> bool:
        self.checks += 1
        return True


class CountedWaits:
    """The sweep's event: records each timed wait, and is set after ``waits`` of them."""

    def __init__(self, waits: int) -> None:
        self.timeouts: list[float] = []
        self._waits = waits

    def is_set(self) -> bool:
        return len(self.timeouts) >= self._waits

    def wait(self, timeout: float) -> bool:
        self.timeouts.append(timeout)
        return self.is_set()


def test_the_sweep_visits_every_socket_once_per_ping_timeout_waking_once_a_second() -> None:
    sio = socketio.Server(async_mode="threading", ping_interval=25, ping_timeout=20)
    direct_websocket.install(sio)
    engine = sio.eio
    live = [SweptSocket(f"live-{n}") for n in range(4_990)]
    gone = [SweptSocket(f"gone-{n}", closed=True) for n in range(5)]
    leaving = [SweptSocket(f"leaving-{n}", closing=True) for n in range(5)]
    engine.sockets = {s.sid: s for s in live + gone + leaving}
    waits = CountedWaits(waits=20)  # one whole pass over the sockets
    engine.create_event = lambda: waits

    engine._service_task()

    assert waits.timeouts == [direct_websocket.SWEEP_STEP_SECONDS] * 20, (
        "20 wakes for 5,000 sockets in a 20 s ping timeout, not one per socket"
    )
    assert all(s.checks == 1 for s in live), "every live socket's pings checked once in the pass"
    assert not any(s.checks for s in leaving), "a closing socket is left to close"
    assert set(engine.sockets) == {s.sid for s in live + leaving}, "closed sockets are forgotten"


class PingedSocket:
    """What the pinger reads and calls of an Engine.IO socket: records when it was pinged."""

    def __init__(self, clock: list[float]) -> None:
        self.closing = self.closed = False
        self.last_ping: float | None = None
        self.pinged_at: list[float] = []
        self._clock = clock

    def send(self, pkt: Any) -> None:
        assert pkt.packet_type == direct_websocket.engine_packet.PING
        self.pinged_at.append(self._clock[0])


class ClockedServer:
    """The pinger's server: a ping interval, and a sleep that moves a fake monotonic clock."""

    ping_interval = 25

    def __init__(self, clock: list[float]) -> None:
        self.sleeps: list[float] = []
        self._clock = clock

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._clock[0] += seconds

    def start_background_task(self, target: Any) -> None:
        pass  # the test runs the pinger's loop itself


def test_the_pinger_sends_due_pings_in_batches_not_a_wake_per_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(direct_websocket.time, "monotonic", lambda: clock[0])
    server = ClockedServer(clock)
    pinger = direct_websocket.Pinger(server)
    sockets = []
    for n in range(1_000):  # connected over one second
        clock[0] = 1000.0 + n / 1_000
        sockets.append(PingedSocket(clock))
        pinger.add(sockets[-1])
    closed = PingedSocket(clock)
    closed.closed = True
    pinger.add(closed)

    pinger._run()

    assert all(len(s.pinged_at) == 1 for s in sockets), "every socket pinged once"
    assert not closed.pinged_at, "a closed socket is not pinged"
    lateness = [s.pinged_at[0] - (1025.0 + n / 1_000) for n, s in enumerate(sockets)]
    assert min(lateness) >= 0, "no ping before its interval has passed"
    assert max(lateness) <= direct_websocket.PING_BATCH_SECONDS + 1e-9, "none later than a batch"
    assert len(server.sleeps) <= 30, f"{len(server.sleeps)} wakes for 1,000 pings"
