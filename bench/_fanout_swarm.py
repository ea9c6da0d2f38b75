"""A swarm of raw Engine.IO v4 / Socket.IO v5 screen clients over ``websockets``: one asyncio task per screen.

Each screen does what the player does (docs/protocol.md §3, display_client/static/js/socket.js):
open ``/socket.io/?EIO=4&transport=websocket``, answer pings, connect to ``/screen`` with its key,
send ``hello`` asking for an ack, take the snapshots and ``welcome``, beat every
``heartbeat_seconds`` ± 20 % from connect on, and reconnect with the player's backoff when refused
or dropped. python-socketio's client is far too heavy for 5,000 of these on one core.

A ``manifest`` counts as received when its event packet arrived: a text packet
(``42/screen,["manifest",{…}]``) or a binary one (``45<n>-/screen,["manifest",{…}]``) with its n
attachment frames. Only ``seq`` and ``version`` are read: a 132 KiB JSON parse per screen would make
the swarm, not the server, the bottleneck, so large text packets are scanned with a regular
expression (checked against a full parse on the first packets). Raw mode is for the ``websockets``
reference: every frame is a message carrying ``seq`` and ``version``.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Final

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

NAMESPACE: Final = "/screen"
HANDSHAKE_TIMEOUT: Final = 30.0
DEFAULT_HEARTBEAT: Final = 45.0
# Frames larger than this are scanned, not parsed (every manifest of the province world is).
PARSE_LIMIT: Final = 16_384
CHECKED_SCANS: Final = 20  # large packets whose scan is compared with a full parse

_SEQ = re.compile(rb'"seq":\s*(\d+)')
_VERSION = re.compile(rb'"version":\s*"([^"]*)"')


@dataclass(frozen=True)
class SwarmStatus:
    """A swarm's counters at one instant (summed over the processes of a ``SwarmGroup``)."""

    welcomed: int  # screens welcomed at least once
    failures: int  # attempts refused, timed out or dropped before welcome
    drops: int  # connections lost after welcome
    bytes_in: int  # read off all sockets so far
    cpu: float  # the swarm's own CPU seconds so far
    errors: dict[str, int]  # failure reasons, counted

    @staticmethod
    def total(parts: list[SwarmStatus]) -> SwarmStatus:
        errors: dict[str, int] = {}
        for part in parts:
            for reason, count in part.errors.items():
                errors[reason] = errors.get(reason, 0) + count
        return SwarmStatus(
            welcomed=sum(p.welcomed for p in parts),
            failures=sum(p.failures for p in parts),
            drops=sum(p.drops for p in parts),
            bytes_in=sum(p.bytes_in for p in parts),
            cpu=sum(p.cpu for p in parts),
            errors=errors,
        )


class ProtocolMismatch(Exception):
    """The server spoke something the swarm does not understand: the benchmark stops rather than guess."""


@dataclass(slots=True)
class Screen:
    """What one simulated screen saw."""

    key: str
    url: str  # the server this screen connects to
    receipts: list[tuple[float, int, str, int]] = field(default_factory=list)  # (arrived, seq, version, bytes)
    welcomed_at: float | None = None  # first welcome (raw mode: socket open)
    failures: int = 0  # attempts refused, timed out or dropped before welcome
    drops: int = 0  # connections lost after welcome
    seq: int = -1
    version: str | None = None
    queue: Any = None
    heartbeat: float = DEFAULT_HEARTBEAT


@dataclass(slots=True)
class _Link:
    """One connection's state while it lives."""

    ws: ClientConnection
    welcomed: bool = False
    beats: asyncio.Task[None] | None = None
    pending: list[bytes] | None = None  # a binary event's header and the attachments collected so far
    wanted: int = 0  # attachments still missing

    def close(self) -> None:
        if self.beats is not None:
            self.beats.cancel()
        self.ws.transport.abort()


def header(frame: bytes) -> tuple[int, int, str, int | None, int]:
    """Split a Socket.IO packet (the Engine.IO "4" included): type, attachments, namespace, ack id, data start."""
    kind = frame[1] - 48
    i = 2
    attachments = 0
    if kind in (5, 6):
        dash = frame.index(b"-", i)
        attachments = int(frame[i:dash])
        i = dash + 1
    nsp = "/"
    if frame[i : i + 1] == b"/":
        comma = frame.find(b",", i)
        end = len(frame) if comma == -1 else comma
        nsp = frame[i:end].decode()
        i = end if comma == -1 else comma + 1
    j = i
    while j < len(frame) and 48 <= frame[j] <= 57:
        j += 1
    return kind, attachments, nsp, (int(frame[i:j]) if j > i else None), j


def event_name(frame: bytes, start: int) -> str:
    """The event name of an event packet whose JSON array starts at ``start``."""
    if frame[start : start + 2] != b'["':
        raise ProtocolMismatch(f"event packet without a name: {frame[:80]!r}")
    return frame[start + 2 : frame.index(b'"', start + 2)].decode()


class Scanner:
    """Reads ``seq`` and ``version`` from a packet's JSON, scanning big ones (checked on the first few)."""

    def __init__(self) -> None:
        self.checked = 0

    def seq_version(self, data: bytes) -> tuple[int, str]:
        if len(data) <= PARSE_LIMIT:
            return self._parsed(data)
        seq, version = _SEQ.search(data), _VERSION.search(data)
        if seq is None or version is None:
            raise ProtocolMismatch(f"no seq/version in a {len(data)}-byte packet: {data[:120]!r}")
        found = int(seq.group(1)), version.group(1).decode()
        if self.checked < CHECKED_SCANS:
            self.checked += 1
            if self._parsed(data) != found:
                raise ProtocolMismatch(f"scanning found {found}, parsing {self._parsed(data)}")
        return found

    @staticmethod
    def _parsed(data: bytes) -> tuple[int, str]:
        value = json.loads(data)
        payload = value[1] if isinstance(value, list) else value
        return int(payload["seq"]), str(payload["version"])


def _counting(counter: list[int]) -> type[ClientConnection]:
    """A connection class that adds every byte it reads off its socket to ``counter[0]``."""

    class Counting(ClientConnection):
        def data_received(self, data: bytes) -> None:
            counter[0] += len(data)
            super().data_received(data)

    return Counting


class Swarm:
    """N screens against one server or several; ``connect_all`` opens them at a bounded concurrency, then they live on.

    With several ``urls`` (one per server process) screen i connects to ``urls[i % len(urls)]``.
    """

    def __init__(
        self, urls: str | list[str], keys: list[str], *, concurrency: int, deflate: bool, raw: bool = False
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        self.keys = list(keys)
        self.screens = [Screen(key, self.urls[i % len(self.urls)]) for i, key in enumerate(keys)]
        self.raw = raw
        self.deflate = deflate
        self.scanner = Scanner()
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._welcomed = 0
        self._all_welcomed = asyncio.Event()
        self.errors: dict[str, int] = {}  # failure reasons, counted
        self._bytes_in = [0]
        self._connection = _counting(self._bytes_in)
        self.fatal: BaseException | None = None

    async def connect_all(self, deadline: float) -> float:
        """Start every screen; return the seconds until all were welcomed (or the deadline passed)."""
        started = time.monotonic()
        self._tasks = [asyncio.create_task(self._live(screen)) for screen in self.screens]
        try:
            await asyncio.wait_for(self._all_welcomed.wait(), timeout=deadline)
        except TimeoutError:
            pass
        if self.fatal is not None:
            raise self.fatal
        return time.monotonic() - started

    async def status(self) -> SwarmStatus:
        """The counters now; bytes are what the servers put on the wire, after any compression."""
        return SwarmStatus(
            welcomed=self._welcomed,
            failures=sum(s.failures for s in self.screens),
            drops=sum(s.drops for s in self.screens),
            bytes_in=self._bytes_in[0],
            cpu=time.process_time(),
            errors=dict(self.errors),
        )

    async def behind(self, seq: int) -> int:
        """How many screens hold no payload at or past ``seq``."""
        return sum(1 for screen in self.screens if screen.seq < seq)

    async def collect(self) -> list[Screen]:
        """Every screen with its receipts, in key order."""
        return self.screens

    async def close(self) -> None:
        # Cancelled until ended, and a flag: Python 3.11's wait_for can swallow a cancellation that meets
        # a handshake's end, and that screen would go on for ever (a close that hung after a --restart).
        self._closing = True
        pending = set(self._tasks)
        while pending:  # cancelled again until each has ended
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=1.0)

    def _failed(self, screen: Screen, reason: str) -> None:
        screen.failures += 1
        self.errors[reason] = self.errors.get(reason, 0) + 1

    async def _live(self, screen: Screen) -> None:
        """Connect, serve, and reconnect with the player's backoff (docs/protocol.md §6) until cancelled."""
        attempt = 0
        while not self._closing:
            link: _Link | None = None
            try:
                async with self._slots:
                    link = await asyncio.wait_for(self._open(screen), HANDSHAKE_TIMEOUT)
                attempt = 0
                await self._serve(screen, link)
                screen.drops += 1
            except ProtocolMismatch as err:
                self.fatal = err
                self._all_welcomed.set()
                return
            except (OSError, TimeoutError, ConnectionClosed, _Refused) as err:
                self._failed(screen, _reason(err))
            finally:
                if link is not None:
                    link.close()
            await asyncio.sleep(min(60.0, 2.0**attempt) * random.uniform(0.5, 1.5))
            attempt += 1

    async def _open(self, screen: Screen) -> _Link:
        """A websocket, and for a screen the handshake up to welcome; returns the live link."""
        ws = await connect(
            screen.url,
            compression="deflate" if self.deflate else None,
            max_size=None,
            ping_interval=None,  # Engine.IO pings at its own level
            open_timeout=HANDSHAKE_TIMEOUT,
            close_timeout=1,
            user_agent_header="fanout-bench",
            create_connection=self._connection,
        )
        link = _Link(ws)
        try:
            if self.raw:
                self._greeted(screen, link)
                return link
            while not link.welcomed:
                frame = await ws.recv(decode=False)
                await self._frame(screen, link, frame)
            return link
        except BaseException:
            link.close()
            raise

    async def _serve(self, screen: Screen, link: _Link) -> None:
        try:
            while True:
                await self._frame(screen, link, await link.ws.recv(decode=False))
        except ConnectionClosed:
            return

    def _greeted(self, screen: Screen, link: _Link) -> None:
        link.welcomed = True
        if screen.welcomed_at is None:
            screen.welcomed_at = time.time()
            self._welcomed += 1
            if self._welcomed == len(self.screens):
                self._all_welcomed.set()

    async def _frame(self, screen: Screen, link: _Link, frame: bytes | str) -> None:
        if isinstance(frame, str):  # websockets gives bytes for both kinds with decode=False; be safe
            frame = frame.encode()
        if self.raw:
            seq, version = self.scanner.seq_version(frame)
            screen.receipts.append((time.time(), seq, version, len(frame)))
            screen.seq, screen.version = max(seq, screen.seq), version
            return
        if link.pending is not None:  # an attachment of the binary event before it
            link.pending.append(frame)
            link.wanted -= 1
            if link.wanted == 0:
                parts, link.pending = link.pending, None
                await self._event(screen, link, parts[0], sum(len(p) for p in parts))
            return
        kind = frame[:1]
        if kind == b"2":  # Engine.IO ping
            await link.ws.send("3" + frame[1:].decode())
        elif kind == b"0":  # Engine.IO open: connect to the namespace with the screen's key
            await link.ws.send(f"40{NAMESPACE}," + json.dumps({"key": screen.key}))
        elif kind == b"1":
            raise _Refused("engine.io close")
        elif kind == b"4":
            await self._packet(screen, link, frame)

    async def _packet(self, screen: Screen, link: _Link, frame: bytes) -> None:
        sio, attachments, nsp, _, start = header(frame)
        if nsp != NAMESPACE:
            return
        if sio == 0:  # connected: beat from now on, and say what we hold, asking for an ack
            link.beats = asyncio.create_task(self._beat(screen, link))
            await link.ws.send(
                f"42{NAMESPACE},0" + json.dumps(["hello", {"held": self._held(screen), "accept": ["deflate"]}])
            )
        elif sio == 4:
            raise _Refused(f"connect error {frame[start : start + 80].decode(errors='replace')}")
        elif sio == 1:
            raise _Refused("namespace disconnect")
        elif sio == 3 and b'"ok":false' in frame[start:].replace(b" ", b""):
            self.errors["hello answered not ok"] = self.errors.get("hello answered not ok", 0) + 1
        elif sio in (2, 5):
            if attachments:
                link.pending, link.wanted = [frame], attachments
            else:
                await self._event(screen, link, frame, len(frame))

    async def _event(self, screen: Screen, link: _Link, frame: bytes, size: int) -> None:
        arrived = time.time()
        _, _, _, ack, start = header(frame)
        if ack is not None:
            await link.ws.send(f"43{NAMESPACE},{ack}[]")
        name = event_name(frame, start)
        if name == "manifest":
            seq, version = self.scanner.seq_version(frame[start:])
            screen.receipts.append((arrived, seq, version, size))
            if seq > screen.seq:
                screen.seq, screen.version = seq, version
        elif name == "queue_board":
            screen.queue = json.loads(frame[start:])[1].get("version")
        elif name == "welcome":
            welcome = json.loads(frame[start:])[1]
            screen.heartbeat = float(welcome.get("heartbeat_seconds") or DEFAULT_HEARTBEAT)
            self._greeted(screen, link)

    def _held(self, screen: Screen) -> dict[str, Any]:
        held: dict[str, Any] = {}
        if screen.version is not None:
            held["manifest"] = {"seq": screen.seq, "version": screen.version}
        if screen.queue is not None:
            held["queue"] = {"version": screen.queue}
        return held

    async def _beat(self, screen: Screen, link: _Link) -> None:
        """Heartbeats from connect on, every period ± 20 %, saying what the screen shows."""
        while True:
            await asyncio.sleep(screen.heartbeat * random.uniform(0.8, 1.2))
            showing: dict[str, Any] = {"manifest": screen.version}
            if screen.queue is not None:
                showing["queue"] = screen.queue
            beat = ["heartbeat", {"showing": showing, "seq": {"manifest": screen.seq}}]
            try:
                await link.ws.send(f"42{NAMESPACE}," + json.dumps(beat))
            except ConnectionClosed:
                return


class _Refused(Exception):
    """The server refused or closed the namespace connection."""


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.errno is not None:
        return f"OSError errno {err.errno} ({err.strerror})"
    if isinstance(err, _Refused):
        return str(err)[:60]
    return type(err).__name__
