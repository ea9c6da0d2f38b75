"""The agent's link to the server: one authenticated Socket.IO connection, kept up by itself.

python-socketio's own reconnection is switched off: this thread connects, says ``agent_hello``
(built fresh each time, so the server always gets the current reader status), waits until the
connection drops, then backs off exponentially with jitter (``content.backoff.RECONNECT``, the
browser's rule too) and tries again, for as long as the agent runs. A refused credential is logged
once per change of reason, not once per attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from content.backoff import RECONNECT, RECONNECT_STABLE_SECONDS
from devices.agent.sio_disconnect import disconnect_promptly
from devices.agent.wire import AGENT_HELLO, NAMESPACE

log = logging.getLogger(__name__)


# The client libraries log whole packets (which carry ID numbers) at INFO/DEBUG: keep them quiet.
for _name in ("socketio", "engineio", "socketio.client", "engineio.client", "websocket"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class ServerLink:
    """Keeps one connection to ``/agent`` up; ``send`` delivers an event and returns the server's ack."""

    def __init__(
        self,
        url: str,
        device_key: str,
        credential: str,
        hello: Callable[[], dict[str, Any]],
        *,
        on_hello_ack: Callable[[Any], None] | None = None,
        handlers: Mapping[str, Callable[[Any], Any]] | None = None,
        backoff: tuple[float, float] = (RECONNECT.base, RECONNECT.cap),  # seconds: first delay, longest delay
        ack_timeout: float = 5.0,
        client_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.url = url
        self._auth = {"device": device_key, "credential": credential}
        self._hello = hello
        self._on_hello_ack = on_hello_ack
        self._backoff = replace(RECONNECT, base=backoff[0], cap=backoff[1])
        self._ack_timeout = ack_timeout
        self._client_factory = client_factory or _default_client
        self._client: Any = None
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # Server → agent events, registered on each new client; they run on its thread and must not block.
        self._handlers = dict(handlers or {})
        self.attempts = 0  # connection attempts so far
        self.connects = 0  # how many of them came up and were greeted

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def start(self) -> None:
        """Start the connect loop; a second call while running does nothing."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name="agent-link", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and stop reconnecting; safe to call twice."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        client = self._client
        if client is not None:
            _drop(client)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def send(self, event: str, payload: dict[str, Any]) -> Any:
        """Send ``event`` and wait for its ack; None when not connected or no ack came in time."""
        client = self._client
        if client is None or not self._connected.is_set():
            return None
        try:
            return client.call(event, payload, namespace=NAMESPACE, timeout=self._ack_timeout)
        except Exception as err:  # TimeoutError, BadNamespaceError, a socket closing under us
            log.info("agent link: %s not acknowledged: %s", event, type(err).__name__)
            return None

    # the loop -------------------------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        attempt = 0  # retries since the last stable connection
        last_problem = ""
        while not stop.is_set():
            self.attempts += 1
            client = self._client_factory()
            dropped = threading.Event()
            client.on("disconnect", lambda *_args, dropped=dropped: dropped.set(), namespace=NAMESPACE)
            for event, handler in self._handlers.items():
                client.on(event, handler, namespace=NAMESPACE)
            try:
                client.connect(
                    self.url,
                    auth=self._auth,
                    transports=["websocket"],
                    namespaces=[NAMESPACE],
                    wait_timeout=max(self._ack_timeout, 1.0),
                )
            except Exception as err:  # socketio.exceptions.ConnectionError and whatever the transport raised
                problem = str(err) or type(err).__name__
                if problem != last_problem:
                    log.warning("agent link: cannot connect to %s: %s (retrying with backoff)", self.url, problem)
                    last_problem = problem
                _drop(client)
                stop.wait(self._backoff.delay(attempt))
                attempt += 1
                continue
            self._client = client
            up_since = time.monotonic()
            try:
                if self._say_hello(client):
                    self.connects += 1
                    last_problem = ""
                    log.info("agent link: connected to %s", self.url)
                    self._connected.set()
                    while not stop.is_set() and not dropped.is_set() and client.connected:
                        dropped.wait(0.5)
            finally:
                self._connected.clear()
                self._client = None
                _drop(client)
            if stop.is_set():
                break
            log.warning("agent link: connection to %s lost; reconnecting", self.url)
            if time.monotonic() - up_since >= RECONNECT_STABLE_SECONDS:  # stable: start over
                attempt = 0
            stop.wait(self._backoff.delay(attempt))
            attempt += 1

    def _say_hello(self, client: Any) -> bool:
        try:
            ack = client.call(AGENT_HELLO, self._hello(), namespace=NAMESPACE, timeout=self._ack_timeout)
        except Exception as err:
            log.warning("agent link: hello not acknowledged: %s", type(err).__name__)
            return False
        if not (isinstance(ack, dict) and ack.get("ok")):
            log.warning("agent link: server refused hello: %s", ack.get("message") if isinstance(ack, dict) else ack)
            return False
        if self._on_hello_ack is not None:
            self._on_hello_ack(ack)
        return True


def _default_client() -> Any:
    import socketio

    return socketio.Client(reconnection=False, handle_sigint=False, logger=False, engineio_logger=False)


def _drop(client: Any) -> None:
    """Disconnect ``client`` at once, whatever state its connection is in."""
    _quietly(lambda: disconnect_promptly(client))


def _quietly(call: Callable[[], Any]) -> None:
    try:
        call()
    except Exception:  # tearing down a connection that is already gone
        log.debug("agent link: teardown raised", exc_info=True)
