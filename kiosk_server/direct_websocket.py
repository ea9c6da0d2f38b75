"""Websockets written to directly: one frame built per emit, no writer task, queue or reader thread per connection.

Upstream, each websocket of python-engineio has a queue and a writer task, and simple-websocket
adds a reader thread and frames every message again with wsproto for each connection; with a
sleeping task per connection for its next ping, a screen costs four tasks and a send costs a queue
hand-over, a task switch and a framing: about 200 µs a delivered message and 75 KB a connection at
5,000 screens (docs/benchmarks.md, "Fan-out"). Here, for a client that opens its Engine.IO session
on a websocket (every screen, kiosk page and counter strip does: docs/protocol.md §3):

- the server's frames are unmasked, so one emit's frame is the same bytes for every screen:
  it is built once and cached on the emit's Engine.IO packet (``frame_of``);
- a send writes those bytes to the socket at once, without blocking, and the request's own task
  reads it (kiosk_server/websocket_connection.py: a slow screen's bytes wait in its own backlog);
- pings of every connection come from one task (``Pinger``).

A client that started on long-polling and upgrades keeps python-engineio's own socket; only the
transport under it is this one. ``install`` puts it in place for one Socket.IO server.
"""

from __future__ import annotations

import io
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Final

from engineio import exceptions as engine_exceptions
from engineio import packet as engine_packet
from engineio.server import Server as EngineServer
from engineio.socket import Socket as EngineSocket

from kiosk_server import websocket_frames as frames
from kiosk_server.websocket_connection import Connection

log = logging.getLogger(__name__)

_PING: Final = engine_packet.Packet(engine_packet.PING)
# How often the sweep of closed and silent sockets wakes; each wake takes its share of the sockets.
SWEEP_STEP_SECONDS: Final = 1.0
# How late a ping may go out so that it shares the pinger's wake with others (the interval is 25 s).
PING_BATCH_SECONDS: Final = 0.25


def install(sio_server: Any) -> None:
    """Serve ``sio_server``'s websockets with ``DirectWebSocket`` (python-socketio's ``Server``, after init_app)."""
    engine = sio_server.eio
    upstream = engine._async["websocket"]
    # The drivers' table is shared by every server of that async mode: give this one its own copy.
    engine._async = {**engine._async, "websocket": _Factory(upstream)}
    engine.__class__ = _PingingEngine
    engine.pinger = Pinger(engine)


class _PingingEngine(EngineServer):
    """python-engineio's server, whose sockets' pings are sent by its ``Pinger`` instead of a task each,
    and whose sweep of silent and closed sockets wakes once a second instead of once per socket.

    Upstream, every socket starts a task that sleeps a ping interval and pings (at connect, and after
    each pong): at 5,000 screens, 5,000 sleeping tasks. Those tasks are started here, so this is the
    one place that sees them all, for long-polling sockets as well as websockets.
    """

    pinger: Pinger  # set by ``install``
    service_task_event: Any

    def _service_task(self) -> None:
        """Close sockets whose client stopped answering pings and forget closed ones, every socket once per ping timeout.

        Upstream walks the sockets one at a time with a timed wait after each (the ping timeout ÷
        the number of sockets: 4 ms at 5,000 screens), so an idle process woke 250 times a second,
        each wake a timer made, started and expired: most of an idle process's CPU and a tenth of a
        busy one's (docs/benchmarks.md, "Fan-out"). Here each wake takes its share of the sockets.
        """
        self.service_task_event = self.create_event()
        while not self.service_task_event.is_set():
            sockets = list(self.sockets.values())
            if not sockets:
                if self.service_task_event.wait(timeout=self.ping_timeout):
                    return
                continue
            steps = max(1, int(self.ping_timeout / SWEEP_STEP_SECONDS))
            share = math.ceil(len(sockets) / steps)
            for start in range(0, len(sockets), share):
                for engine_socket in sockets[start : start + share]:
                    self._sweep(engine_socket)
                if self.service_task_event.wait(timeout=SWEEP_STEP_SECONDS):
                    return

    def _sweep(self, engine_socket: Any) -> None:
        """What upstream's service task does for one socket."""
        try:
            if engine_socket.closed:
                self.sockets.pop(engine_socket.sid, None)
            elif not engine_socket.closing:
                engine_socket.check_ping_timeout()
        except Exception:  # noqa: BLE001 - the sweep must go on for the other sockets
            log.exception("sweeping an Engine.IO socket failed")

    def start_background_task(self, target: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        owner = getattr(target, "__self__", None)
        if isinstance(owner, EngineSocket) and getattr(target, "__func__", None) is EngineSocket._send_ping:
            self.pinger.add(owner)
            return None
        return super().start_background_task(target, *args, **kwargs)


class _Factory:
    """What python-engineio calls as ``_async['websocket'](handler, server)``."""

    def __init__(self, upstream: Any) -> None:
        self.upstream = upstream

    def __call__(self, handler: Callable[[Any], Any], server: Any) -> DirectWebSocket:
        return DirectWebSocket(handler, server, self.upstream)


def frame_of(pkt: engine_packet.Packet) -> bytes:
    """The websocket frame of an Engine.IO packet, built once per packet object (one emit: every recipient)."""
    cached: bytes | None = pkt.__dict__.get("_websocket_frame")
    if cached is None:
        # Not ``encode()`` for bytes: python-engineio caches a packet's first encoding whatever its
        # form, and a long-polling recipient of the same emit needs the base64 one.
        cached = frames.frame(pkt.data if pkt.binary else pkt.encode())
        pkt._websocket_frame = cached
    return cached


def send_to_each(
    engine: Any, eio_sids: Iterable[str], packets: list[engine_packet.Packet], send: Callable[[str, Any], None]
) -> None:
    """Send ``packets`` to each Engine.IO session: one write of their frames, built once, per websocket served here.

    A session not served here (long-polling, an upgraded one, one not yet or no longer open) gets
    each packet through ``send``, the Socket.IO server's own way (which tests' clients replace).
    """
    frames_of_all = b"".join(frame_of(pkt) for pkt in packets)
    sockets = engine.sockets
    for eio_sid in eio_sids:
        engine_socket = sockets.get(eio_sid)
        if type(engine_socket) is DirectSocket and engine_socket.write_frames(frames_of_all):
            continue
        for pkt in packets:
            send(eio_sid, pkt)


class DirectWebSocket:
    """python-engineio's websocket transport: takes the connection over from the WSGI server."""

    def __init__(self, handler: Callable[[Any], Any], server: Any, upstream: Any) -> None:
        self._handler = handler
        self._server = server
        self._upstream = upstream

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sock, after = _lent_socket(environ)
        if sock is None:  # a server that lends no socket (eventlet): python-engineio's own transport
            return self._upstream(self._handler, self._server)(environ, start_response)
        if environ.get("HTTP_SEC_WEBSOCKET_VERSION", "").strip() != "13":
            start_response("426 Upgrade Required", [("Sec-WebSocket-Version", "13"), ("Content-Type", "text/plain")])
            return [b"websocket version 13 only"]
        try:
            accept = frames.accept_key(environ.get("HTTP_SEC_WEBSOCKET_KEY", ""))
        except frames.HandshakeRefused as err:
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [str(err).encode()]
        server = self._server
        sock.settimeout(server.ping_interval + server.ping_timeout)  # a peer silent that long is gone
        sock.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept.encode("ascii") + b"\r\n\r\n"
        )
        _release_request_buffer(environ)
        connection = Connection(sock, server.start_background_task, server.max_http_buffer_size)
        engine_socket: Any = getattr(self._handler, "__self__", None)
        if type(engine_socket) is EngineSocket and not engine_socket.connected:
            # Opened on this websocket (not an upgrade from polling): served directly from here on.
            engine_socket.__class__ = DirectSocket
            engine_socket.serve(connection)
        else:
            self._handler(_Transport(connection))
        raise after()


def _release_request_buffer(environ: dict[str, Any]) -> None:
    """Free the HTTP request's read buffer (8 KiB a connection under gevent's server) for the websocket's life.

    From the handshake on the connection reads the socket itself, and the client sends nothing
    past its request before the server's answer (RFC 6455 §4.1), so the buffer holds nothing.
    Closing the buffered reader leaves the socket open.
    """
    rfile = getattr(environ.get("wsgi.input"), "rfile", None)
    if isinstance(rfile, io.BufferedReader):
        rfile.close()


def _lent_socket(environ: dict[str, Any]) -> tuple[Any, Callable[[], BaseException]]:
    """The connection's socket the WSGI server lends, and what to raise to tell it the websocket has ended."""
    if "gunicorn.socket" in environ:  # gunicorn, and kiosk serve's gevent server (kiosk_server/http_server.py)
        return environ["gunicorn.socket"], StopIteration
    if "werkzeug.socket" in environ:  # the development server and tests' threads
        return environ["werkzeug.socket"], ConnectionError
    return None, ConnectionError


class _Transport:
    """The ``ws`` python-engineio's own socket expects after an upgrade: send, wait, close."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def send(self, message: str | bytes) -> None:
        self._connection.send(message)

    def wait(self) -> str | bytes | None:
        return self._connection.wait()

    def close(self) -> None:
        self._connection.close()


class DirectSocket(EngineSocket):
    """An Engine.IO socket whose sends are frames written at once.

    python-engineio creates every socket as its own class; ``DirectWebSocket`` turns one into this
    class when its websocket takes over, before anything else can use it as a websocket.
    """

    _connection: Connection | None = None
    # Set by python-engineio's socket (declared for the type checker: the library ships no types).
    server: Any
    sid: str
    queue: Any
    connected: bool
    upgraded: bool
    closing: bool
    closed: bool
    last_ping: float | None

    def serve(self, connection: Connection) -> None:
        """Send what was queued before the websocket (the OPEN packet), then read until the connection ends."""
        self.connected = self.upgraded = True
        self._flush_queue(connection)
        self._connection = connection
        self._flush_queue(connection)  # a send that raced the line above (threads) went to the queue
        self.queue = None  # never used again: sends go to the connection (gevent's queue takes 8 KiB)
        try:
            while True:
                data = connection.wait()
                if data is None:
                    break
                try:
                    self.receive(engine_packet.Packet(encoded_packet=data))
                except (engine_exceptions.UnknownPacketError, ValueError):
                    log.info("websocket: an Engine.IO packet that cannot be read was ignored")
                except engine_exceptions.SocketIsClosedError:
                    break
        finally:
            connection.close()
            self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
            self.server.sockets.pop(self.sid, None)  # what python-engineio does when its handler returns

    def _flush_queue(self, connection: Connection) -> None:
        empty = self.server.get_queue_empty_exception()
        while True:
            try:
                pkt = self.queue.get(block=False)
            except empty:
                return
            self.queue.task_done()
            if pkt is not None:
                connection.write(frame_of(pkt))

    def send(self, pkt: engine_packet.Packet) -> None:
        connection = self._connection
        if connection is None:
            super().send(pkt)
        elif self.check_ping_timeout():
            connection.write(frame_of(pkt))  # a failed write has shut the socket: the reader ends the session

    def write_frames(self, data: bytes) -> bool:
        """Write whole frames to the websocket; False when this socket is not served directly (yet) or is closed."""
        connection = self._connection
        if connection is None or self.closed:
            return False
        if self.check_ping_timeout():
            connection.write(data)  # a failed write has shut the socket: the reader ends the session
        return True

    def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        connection = self._connection
        if connection is None:
            super().close(wait=wait, abort=abort, reason=reason)
            return
        if self.closed or self.closing:
            return
        self.closing = True
        self.server._trigger_event(
            "disconnect", self.sid, reason or self.server.reason.SERVER_DISCONNECT, run_async=False
        )
        if not abort:
            connection.write(frame_of(engine_packet.Packet(engine_packet.CLOSE)))
        self.closed = True
        connection.close()


class Pinger:
    """Pings every socket of one Engine.IO server when due, from one task instead of a task each.

    Every socket waits the same interval, so the queue stays in order by appending. The task wakes
    at most four times a second and sends every ping then due (5,000 screens: 200 pings a second).
    """

    def __init__(self, server: Any) -> None:
        self._server = server
        self._due: deque[tuple[float, Any]] = deque()
        self._lock = threading.Lock()
        self._running = False

    def add(self, engine_socket: Any) -> None:
        with self._lock:
            self._due.append((time.monotonic() + self._server.ping_interval, engine_socket))
            if not self._running:
                self._running = True
                self._server.start_background_task(self._run)

    def __len__(self) -> int:
        return len(self._due)

    def _run(self) -> None:
        while True:
            due: list[Any] = []
            with self._lock:
                if not self._due:
                    self._running = False  # started again by the next add
                    return
                now = time.monotonic()
                while self._due and self._due[0][0] <= now:
                    due.append(self._due.popleft()[1])
                wait = self._due[0][0] - now if self._due else 0.0
            for engine_socket in due:
                self._ping(engine_socket)
            if not due:
                # Pings due within the batch go out together: a wake per batch, not one per socket.
                self._server.sleep(min(max(wait, PING_BATCH_SECONDS), 1.0))

    @staticmethod
    def _ping(engine_socket: Any) -> None:
        if engine_socket.closing or engine_socket.closed:
            return
        engine_socket.last_ping = time.time()
        try:
            engine_socket.send(_PING)  # closes the socket if its last ping went unanswered
        except Exception:  # noqa: BLE001 - one socket's failure must not stop every other socket's pings
            log.exception("pinging an Engine.IO socket failed")


def pinger_of(server: Any) -> Pinger:
    """The one ``Pinger`` of an Engine.IO server ``install`` prepared."""
    pinger: Pinger = server.pinger
    return pinger
