"""The counter page's 暂停服务 (pause with a reason, resume), and transfer targets that are never the ticket's own."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.queue.board import board_state
from content.queue.models import Counter, QueueBoard
from kiosk_server.database import database
from tests.kiosk_server.test_counter_pages import NINE, Hall, act, hall, staff, state

__all__ = ["hall", "staff"]  # fixtures, used by name


def test_a_paused_counter_shows_its_reason_to_the_page_and_the_board(
    app: Flask, client: Any, hall: Hall, staff: str
) -> None:
    before = state(client, hall.window1)["version"]
    answer = act(client, staff, hall.window1, "pause", {"reason": "training"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    shown = answer.json["state"]
    assert shown["pause"] == {"since": NINE.isoformat(), "reason": "业务培训"}
    assert shown["version"] > before, "walls and strips are told"
    with Session(database(app).engine) as session:
        assert session.get(QueueBoard, hall.hall_id).version == shown["version"]
        [row] = [c for c in board_state(session, hall.hall_id, NINE)["counters"] if c["id"] == hall.window1]
        assert row["paused"] is True and row["pause_reason"] == "业务培训"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "counter.paused")).one()
        assert entry.actor == "wang" and entry.object_id == str(hall.window1)
        assert entry.summary["reason"] == {"before": None, "after": "业务培训"}


def test_a_paused_counter_calls_nobody_until_it_resumes(app: Flask, client: Any, hall: Hall, staff: str) -> None:
    assert act(client, staff, hall.window1, "pause", {"reason": "break"}).status_code == 200
    refused = act(client, staff, hall.window1, "call")
    assert refused.status_code == 409 and refused.json["error"] == "paused"
    assert "请先恢复服务" in refused.json["message"] and "resume" in refused.json["message_en"]
    assert state(client, hall.window1)["ticket"] is None, "nobody was called"
    resumed = act(client, staff, hall.window1, "resume")
    assert resumed.status_code == 200 and resumed.json["state"]["pause"] is None
    called = act(client, staff, hall.window1, "call")
    assert called.status_code == 200 and called.json["ticket"]["number"] == "A001"
    with Session(database(app).engine) as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions[-2:] == ["counter.paused", "counter.resumed"]
        counter = session.get(Counter, hall.window1)
        assert counter is not None and counter.paused_since is None and counter.pause_reason is None


def test_a_counter_with_a_ticket_open_cannot_pause(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "call")
    refused = act(client, staff, hall.window1, "pause", {"reason": "break"})
    assert refused.status_code == 409 and refused.json["error"] == "open_ticket"
    assert "A001" in refused.json["message"] and "A001" in refused.json["message_en"]
    assert state(client, hall.window1)["pause"] is None


def test_other_needs_its_own_words_of_at_most_sixty_characters(client: Any, hall: Hall, staff: str) -> None:
    empty = act(client, staff, hall.window1, "pause", {"reason": "other", "other": "  "})
    assert empty.status_code == 400 and "other" in empty.json["fields"]
    too_long = act(client, staff, hall.window1, "pause", {"reason": "other", "other": "临" * 61})
    assert too_long.status_code == 400 and "60" in too_long.json["message"]
    unknown = act(client, staff, hall.window1, "pause", {"reason": "lunch"})
    assert unknown.status_code == 400 and "reason" in unknown.json["fields"]
    assert act(client, staff, hall.window1, "pause", {"reason": 3}).status_code == 400
    assert state(client, hall.window1)["pause"] is None, "nothing changed"
    ok = act(client, staff, hall.window1, "pause", {"reason": "other", "other": "  协助 3号窗口  " + "临" * 48})
    assert ok.status_code == 200
    assert ok.json["state"]["pause"]["reason"] == "协助 3号窗口 " + "临" * 48


def test_pausing_again_changes_the_reason_and_keeps_the_start(client: Any, hall: Hall, staff: str) -> None:
    act(client, staff, hall.window1, "pause", {"reason": "break"})
    hall.clock.advance(minutes=5)
    again = act(client, staff, hall.window1, "pause", {"reason": "system"})
    assert again.json["state"]["pause"] == {"since": NINE.isoformat(), "reason": "系统故障"}


def test_transfer_offers_only_other_lines_and_other_counters(client: Any, hall: Hall, staff: str) -> None:
    called = act(client, staff, hall.window1, "call").json["state"]  # A001, of line A
    assert called["ticket"]["service"]["prefix"] == "A"
    assert [s["prefix"] for s in called["transfer"]["services"]] == ["B"], "never its own line"
    assert [c["name"] for c in called["transfer"]["counters"]] == ["2号窗口"], "never its own counter"
    back = act(client, staff, hall.window1, "transfer", {"service_type_id": hall.social})
    assert back.status_code == 400 and back.json["message"] == "该票已在这个业务的队列中，请选择其他业务或窗口"
    assert state(client, hall.window1)["ticket"]["number"] == "A001", "still at the counter"
