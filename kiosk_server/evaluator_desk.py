"""The server's side of a 好差评 evaluator tablet on the ``/screen`` namespace: its state, and its answers.

An evaluator is a screen of kind ``evaluator`` bound to one counter (content/queue/evaluations.py).
What it shows is a snapshot, never a series of events to replay (docs/protocol.md, "Evaluators"):

- after its ``hello`` it gets ``evaluator_state`` (before ``welcome``): its counter, the staff member
  on duty and the evaluation it should ask now, if any;
- every queue change of its hall pushes the hall's board to it (it is in the room ``hall:<id>``
  like every screen); a newer board makes it ask ``evaluation_sync``, whose ack is its state now,
  so a 办结 shows at once and the next call takes the question away at once;
- ``evaluation_answer`` carries a rating (or ``level: null`` for 未评价) and is acknowledged with
  what became of it, or why it was refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from content.queue.evaluations import REASONS, EvaluationRefused, answer, evaluator_state
from kiosk_server.database import Database
from kiosk_server.settings_access import runtime, settings

log = logging.getLogger(__name__)


class EvaluatorDesk:
    """Reads an evaluator's state and keeps its answers, each in its own short transaction."""

    def __init__(self, db: Database, clock: Callable[[], datetime], wait_seconds: int, answer_seconds: int) -> None:
        self._db = db
        self._clock = clock
        self._wait = timedelta(seconds=wait_seconds)
        self._answer_seconds = answer_seconds

    def state(self, screen_id: int) -> dict[str, Any]:
        """The ``evaluator_state`` payload for this screen now (a stale pending evaluation is expired on the way)."""
        with self._db.session() as session:
            found = evaluator_state(session, screen_id, self._clock(), self._wait)
            session.commit()
        return {**found, "answer_seconds": self._answer_seconds, "reasons": list(REASONS)}

    def answer(self, screen_id: int, data: Any) -> dict[str, Any]:
        """Keep ``{"evaluation": id, "level": 1…5 | null, "reasons": [...]}``; the ack, with the state after it."""
        if not isinstance(data, dict):
            return {"ok": False, "error": "invalid", "message": 'expected {"evaluation": id, "level": 1-5 or null}'}
        with self._db.session() as session:
            try:
                done = answer(
                    session,
                    screen_id,
                    data.get("evaluation"),
                    data.get("level"),
                    data.get("reasons"),
                    self._clock(),
                    self._wait,
                )
            except EvaluationRefused as err:
                session.commit()  # a stale pending evaluation expired on the way stays expired
                log.info("evaluator %s: answer refused (%s)", screen_id, err.code)
                return {"ok": False, "error": err.code, "message": str(err), "state": self.state(screen_id)}
            session.commit()
        return {
            "ok": True,
            "evaluation": done.evaluation_id,
            "result": done.state,
            "duplicate": done.duplicate,
            "state": self.state(screen_id),
        }


def init_app(app: Flask) -> None:
    """Give the app's ``/screen`` namespace its evaluator desk, with the settings' windows."""
    rt = runtime(app)
    conf = settings(app)
    rt.screens.evaluations = EvaluatorDesk(
        rt.db, lambda: rt.clock(), conf.evaluation_wait_seconds, conf.evaluation_answer_seconds
    )
