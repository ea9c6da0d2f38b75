"""The Redis message queue is an accelerator: without Redis, local clients still get every emit."""

from __future__ import annotations

import threading
from typing import Any

import redis
import socketio

from kiosk_server.message_queue import CHANNEL, PUBLISH_PAUSE_SECONDS, MessageQueue
from tests.support.redis_server import StoppableRedis
from tests.support.server import free_port, wait_for


def nobody_listening() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def test_an_emit_reaches_this_process_clients_while_redis_is_down() -> None:
    queue = MessageQueue(nobody_listening())
    server = socketio.Server(client_manager=queue, async_mode="threading")
    sent: list[str] = []
    server._send_eio_packet = lambda eio_sid, _packet: sent.append(eio_sid)  # type: ignore[method-assign]
    sid = queue.connect("eio-1", "/screen")
    queue.enter_room(sid, "/screen", "group:a")

    queue.emit("manifest", {"seq": 7}, namespace="/screen", room="group:a")

    assert sent == ["eio-1"], "the local screen gets the emit although it could not be published"
    assert queue.publish_error == "ConnectionError"


class FailingRedis:
    """A Redis client whose publish fails; it knows nothing else."""

    def __init__(self) -> None:
        self.attempts = 0
        self.fail = True

    def publish(self, _channel: str, _message: str) -> int:
        self.attempts += 1
        if self.fail:
            raise redis.ConnectionError("Redis is away")
        return 1


def test_after_a_failed_publish_publishing_pauses_a_moment_then_resumes() -> None:
    now = [100.0]
    queue = MessageQueue(nobody_listening(), monotonic=lambda: now[0])
    queue.set_server(socketio.Server(async_mode="threading"))
    fake = FailingRedis()
    queue._publisher = fake
    message = {"method": "emit", "event": "manifest"}

    queue._publish(message)
    queue._publish(message)
    assert fake.attempts == 1, "while paused, an emit does not wait on Redis again"

    now[0] += PUBLISH_PAUSE_SECONDS
    fake.fail = False
    assert queue._publish(message) == 1
    assert fake.attempts == 2 and queue.publish_error is None


def test_the_recovery_hooks_run_once_when_publishing_or_listening_works_again() -> None:
    queue = MessageQueue(nobody_listening())
    queue.set_server(socketio.Server(async_mode="threading"))
    ran = threading.Semaphore(0)
    queue.on_recovery(ran.release)
    fake = FailingRedis()
    queue._publisher = fake
    message = {"method": "emit", "event": "manifest"}

    queue._publish(message)  # fails: pushes to other processes are lost from here
    queue._paused_until = 0.0
    fake.fail = False
    queue._publish(message)
    queue._publish(message)
    assert ran.acquire(timeout=5), "publishing again runs the hooks"
    assert not ran.acquire(timeout=0.2), "once per recovery, not per publish"

    queue._listening(True)  # a first subscription is no recovery
    queue._listening(False)
    queue._listening(True)
    assert ran.acquire(timeout=5), "listening again runs the hooks"
    assert not ran.acquire(timeout=0.2)


def test_the_listener_is_back_within_seconds_of_redis_returning(own_redis: StoppableRedis) -> None:
    queue = MessageQueue(own_redis.url)
    queue.set_server(socketio.Server(async_mode="threading"))
    received: list[Any] = []
    done = threading.Event()

    def listen() -> None:
        for message in queue._listen():
            received.append(message)
            if done.is_set():
                return

    threading.Thread(target=listen, daemon=True).start()
    wait_for(lambda: queue.listening, 5, "the listener to subscribe")
    own_redis.stop()
    wait_for(lambda: queue.listening is False, 5, "the listener to notice Redis went away")
    own_redis.start()
    # Upstream backs off up to 60 s; the bound here leaves room for a busy machine, not for backoff.
    wait_for(lambda: queue.listening, 3, "the listener to subscribe again after Redis returned")

    done.set()
    sender = redis.Redis.from_url(own_redis.url)
    sender.publish(CHANNEL, b"after the outage")
    wait_for(lambda: received, 5, "a message published after the outage to arrive")
    sender.close()
    assert received == [b"after the outage"]


def test_every_manifest_delivered_notes_its_seq_plain_or_with_deflated_bytes(own_redis: StoppableRedis) -> None:
    # A hello that joined its room late compares with this (kiosk_server/manifest_pushes.py). A large
    # manifest travels deflated, as a binary attachment, and its seq must still be read.
    queue = MessageQueue(own_redis.url)
    queue.set_server(socketio.Server(async_mode="threading"))
    assert queue.newest_manifest_seq == 0
    queue.emit("manifest", {"seq": 7, "version": "a", "manifest": {}}, namespace="/screen", room="group:x")
    assert queue.newest_manifest_seq == 7
    queue.emit("manifest", {"seq": 9, "encoding": "deflate", "manifest": b"\x78\x9c"}, namespace="/screen", room="g")
    assert queue.newest_manifest_seq == 9
    queue.emit("manifest", {"seq": 8, "version": "b", "manifest": {}}, namespace="/screen", room="group:x")
    queue.emit("queue_board", {"seq": 50, "version": 50}, namespace="/screen", room="hall:1")
    assert queue.newest_manifest_seq == 9, "an older manifest or another stream moves nothing"
