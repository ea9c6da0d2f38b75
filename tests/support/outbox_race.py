"""The pieces of an outbox race: transactions that commit late, each on its own connection, and a wall that keeps score.

``Writer`` stages a vacancy with its outbox row on its own connection and thread, then commits or
rolls back when told, so a test decides the order of commits while every transaction is real.
``Wall`` is an in-process screen (Flask-SocketIO's test client) that applies manifests by ``seq``
as the player does (docs/protocol.md §1).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from content import outbox
from content.library.items import Vacancy
from kiosk_server.manifest_wire import decode_message
from kiosk_server.settings_access import runtime
from tests.support.world import World

STEP_SECONDS: Final = 10.0  # a step that takes longer is stuck (a lock nobody releases)


def stage_vacancy(session: Session, world: World, title: str) -> int:
    """Add a vacancy visible to the city and its outbox row, flushed but not committed; returns the row's id."""
    vacancy = Vacancy(
        org_unit_id=world.city_id,
        title=title,
        employer_id=world.employer_id,
        occupation_code="4-01-02-01",
        headcount=1,
        salary_min=5000,
        salary_max=7000,
        education="大专",
        district="城关区",
        contact="0931-8000000",
        valid_until=datetime.now(UTC) + timedelta(days=30),
    )
    session.add(vacancy)
    session.flush()
    event = outbox.add_event(session, "content", kind="vacancy", id=vacancy.id, action="created")
    session.flush()
    return event.id


class Writer:
    """One transaction on its own connection and thread, driven step by step by the test."""

    def __init__(self, engine: Engine, world: World, title: str) -> None:
        self.title = title
        self.outbox_id: int | None = None
        self._engine = engine
        self._world = world
        self._steps: queue.Queue[Callable[[Session], Any] | None] = queue.Queue()
        self._results: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=f"writer {title}", daemon=True)
        self._thread.start()

    def stage(self) -> int:
        self.outbox_id = self._do(lambda s: stage_vacancy(s, self._world, self.title))
        return self.outbox_id

    def commit(self) -> None:
        self._do(lambda s: s.commit())

    def rollback(self) -> None:
        self._do(lambda s: s.rollback())

    def close(self) -> None:
        """Roll back whatever is open and end the thread."""
        self._steps.put(None)
        self._thread.join(STEP_SECONDS)
        assert not self._thread.is_alive(), f"writer {self.title} did not end"

    def _do(self, step: Callable[[Session], Any]) -> Any:
        self._steps.put(step)
        try:
            value, error = self._results.get(timeout=STEP_SECONDS)
        except queue.Empty:
            raise AssertionError(f"writer {self.title}: a step took over {STEP_SECONDS}s") from None
        if error is not None:
            raise error
        return value

    def _run(self) -> None:
        with Session(self._engine) as session:
            while (step := self._steps.get()) is not None:
                try:
                    self._results.put((step(session), None))
                except BaseException as err:  # noqa: BLE001 - handed to the test thread, which raises it
                    self._results.put((None, err))


class Wall:
    """A screen in the app's own process that keeps a manifest only if its ``seq`` is newer."""

    def __init__(self, app: Flask, key: str) -> None:
        self.held: dict[str, Any] | None = None
        self.seqs: list[int] = []  # every manifest's seq, in the order received
        self._client = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": key})
        assert self._client.is_connected("/screen"), f"screen {key} was refused"
        self._client.emit("hello", {"held": {}}, namespace="/screen")
        self.take()

    def take(self) -> list[dict[str, Any]]:
        """Apply the manifests received since the last call; returns them."""
        received = self._client.get_received("/screen")
        payloads = [decode_message(e["args"][0]) for e in received if e["name"] == "manifest"]
        for payload in payloads:
            self.seqs.append(payload["seq"])
            if self.held is None or payload["seq"] > self.held["seq"]:
                self.held = payload
        return payloads

    def titles(self) -> set[str]:
        if self.held is None:
            return set()
        return {item.get("title", "") for item in self.held["manifest"]["items"].values()}

    def close(self) -> None:
        self._client.disconnect(namespace="/screen")
