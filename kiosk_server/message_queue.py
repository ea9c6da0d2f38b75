"""The Socket.IO message queue over Redis, kept an accelerator: when Redis is away only cross-process push suffers.

python-socketio's ``RedisManager`` carries every emit to the other server processes. Its defaults
suit a Redis that is always there; ours must not be a dependency (docs/architecture.md, "Scale"):

- **Local clients first.** ``PubSubManager.emit`` delivers to this process's own clients before it
  publishes (python-socketio 5.x; ``tests/kiosk_server/test_message_queue.py`` holds it to that),
  so a failed publish loses nothing here. Screens on other processes miss the push and are made good
  by their next heartbeat or ``hello`` (docs/architecture.md, "Delivery").
- **Publishing never stalls an emit.** One attempt with short timeouts (redis-py would otherwise
  retry ten times, and a Redis that accepts but never answers would hold every emit); after a
  failure, publishing pauses for ``PUBLISH_PAUSE_SECONDS`` instead of paying the timeout per emit.
- **A publishing pool sized for the process.** Every emit publishes once, from the greenlet that
  emits (hello answers, heartbeat answers, the publisher), so a connect storm publishes from
  hundreds of greenlets at once. redis-py's default pool opens a connection per concurrent publish
  up to 100, then raises "Too many connections" (publishing then paused, pushes lost). Here
  ``PUBLISH_CONNECTIONS`` connections are shared and a publish waits up to ``POOL_WAIT_SECONDS``
  for one: a process is CPU-bound long before 32 connections are (measured: about 10,000
  publishes a second of 6.7 KB with 4 to 64 connections to a local Redis, 32 enough for a Redis
  1 ms away; docs/deployment.md, "Redis and PostgreSQL connections").
- **The listener comes back quickly.** Upstream backs off its reconnects up to 60 s; here it tries
  every ``LISTEN_RETRY_SECONDS``, so pushes from other processes flow again within about a second
  of Redis returning.

- **What was missed is made good at once.** When publishing works again, or the listener is back,
  the hooks added with ``on_recovery`` run (in a background task): the publisher re-emits every
  group's manifest, and the screen namespace sends this process's screens what they lack, so a
  push lost during the outage does not wait for a heartbeat (up to a minute in production).

``listening`` is what ``/healthz`` reports beside its own ping; ``publish_error`` is for the log.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, Final

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

from kiosk_server.fan_out import FanOutManager
from kiosk_server.manifest_pushes import ManifestPushes
from kiosk_server.room_index import IndexedRooms

log = logging.getLogger(__name__)

CHANNEL: Final = "kiosk-socketio"
CONNECT_TIMEOUT_SECONDS: Final = 1.0
PUBLISH_TIMEOUT_SECONDS: Final = 1.0
PUBLISH_PAUSE_SECONDS: Final = 1.0
PUBLISH_CONNECTIONS: Final = 32  # per process; the listener holds one more of its own
POOL_WAIT_SECONDS: Final = 1.0  # for a free publishing connection; an emit so waits at most this plus the timeout
LISTEN_RETRY_SECONDS: Final = 1.0
# The listener's connection: its read blocks until a message comes, so no socket timeout there.
_LISTEN_OPTIONS: Final[dict[str, Any]] = {
    "health_check_interval": 30,
    "socket_keepalive": True,
    "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
}


def _one_attempt() -> Retry:
    return Retry(NoBackoff(), 0)


class MessageQueue(ManifestPushes, IndexedRooms, socketio.RedisManager, FanOutManager):
    """A ``RedisManager`` that degrades to this process's own clients while Redis is unreachable.

    ``FanOutManager`` comes after ``RedisManager``: python-socketio's Redis manager delivers to this
    process's clients by calling the emit of the class after it, which is then ``FanOutManager``'s.
    """

    def __init__(self, url: str, *, channel: str = CHANNEL, monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(url, channel=channel, redis_options={**_LISTEN_OPTIONS, "retry": _one_attempt()})
        self._monotonic = monotonic
        self._publisher = redis.Redis.from_pool(
            redis.BlockingConnectionPool.from_url(
                url,
                max_connections=PUBLISH_CONNECTIONS,
                timeout=POOL_WAIT_SECONDS,
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                socket_timeout=PUBLISH_TIMEOUT_SECONDS,
                retry=_one_attempt(),
            )
        )
        self._paused_until = 0.0
        self.publish_error: str | None = None  # the error of the last publish, until one succeeds
        self.listening: bool | None = None  # None: not started (it starts with the first client)
        self._recovery_hooks: list[Callable[[], object]] = []

    def on_recovery(self, hook: Callable[[], object]) -> None:
        """Run ``hook`` (in a background task) whenever publishing or listening works again after failing."""
        self._recovery_hooks.append(hook)

    def _recovered(self) -> None:
        for hook in self._recovery_hooks:
            self.server.start_background_task(hook)

    def _publish(self, data: Any) -> Any:
        """Tell the other processes; on failure pause publishing a moment and carry on."""
        now = self._monotonic()
        if now < self._paused_until:
            return None
        try:
            received = self._publisher.publish(self.channel, self.json.dumps(data))
        except redis.RedisError as err:
            if self.publish_error is None:
                log.warning("message queue: cannot publish (%s); other processes' screens catch up by heartbeat", err)
            self.publish_error = type(err).__name__
            self._paused_until = now + PUBLISH_PAUSE_SECONDS
            return None
        if self.publish_error is not None:
            log.info("message queue: publishing again")
            self.publish_error = None
            self._recovered()
        return received

    def _handle_emit(self, message: Any) -> None:
        """Deliver an emit to this process's clients (its own, or another process's read from Redis)."""
        data = message.get("data")
        if isinstance(data, list) and data:
            # [argument], or for binary data [[argument with placeholders], attachments...]: the seq is plain.
            first = data[0][0] if message.get("binary") and isinstance(data[0], list) and data[0] else data[0]
            self.note_delivery(message.get("event"), first)
        super()._handle_emit(message)

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        """Subscribe and yield what comes; on any failure try again after ``LISTEN_RETRY_SECONDS``."""
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                self._listening(True)
                yield from self.pubsub.listen()
            except Exception as err:  # noqa: BLE001 - the listener is a supervisor loop: it must never end
                if self.listening is not False:
                    log.warning("message queue: not listening (%s); retrying every %.0f s", err, LISTEN_RETRY_SECONDS)
                self._listening(False)
                self._close_subscription()
                time.sleep(LISTEN_RETRY_SECONDS)

    def _close_subscription(self) -> None:
        """Drop the failed connection: each retry makes a new one (``_redis_connect``)."""
        if self.pubsub is None:
            return
        try:
            self.pubsub.close()
        except redis.RedisError:
            pass  # already broken; closing was a courtesy

    def _listening(self, now: bool) -> None:
        again = now and self.listening is False
        self.listening = now
        if again:
            log.info("message queue: listening again")
            self._recovered()
