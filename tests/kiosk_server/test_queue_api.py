"""The queue API of a hall: setup, the board, ingest (400 / 409, all or nothing), statistics as JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask

from content.queue.ingest import EVENT_FIELDS
from kiosk_server.api._queue_schemas import BoardOut, IngestEventIn, StatsOut
from kiosk_server.settings_access import runtime
from tests.kiosk_server.api_factories import Api, Factory, audit_rows, field_errors, row_counts

# 10:00 on Wednesday 2 December 2026 in Lanzhou (UTC+8): the app's clock in these tests.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def ev(event_id: str, kind: str, clock: str, ticket: str = "A023", **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "type": kind, "at": f"2026-12-02T{clock}:00+08:00", "ticket": ticket, **fields}


def batch(*events: dict[str, Any]) -> dict[str, Any]:
    return {"source": "hallq", "events": list(events)}


@pytest.fixture
def hall(app: Flask, api: Api, make: Factory) -> dict[str, Any]:
    """A hall in Asia/Shanghai with lines A and B and counters 1 (A), 5 (A, B); the clock stands at NOW."""
    runtime(app).clock = lambda: NOW
    hall = make.hall(timezone="Asia/Shanghai")
    base = f"halls/{hall['id']}/queue"
    social = api.post(f"{base}/service-types", {"prefix": "A", "name": "社保业务", "name_en": "Social security"})
    jobs = api.post(f"{base}/service-types", {"prefix": "B", "name": "就业登记"})
    api.post(f"{base}/counters", {"number": 1, "service_type_ids": [social["id"]]})
    api.post(f"{base}/counters", {"number": 5, "name": "综合窗口", "service_type_ids": [social["id"], jobs["id"]]})
    return hall


def _queue(hall: dict[str, Any], rest: str) -> str:
    return f"halls/{hall['id']}/queue/{rest}"


# ---- setup -------------------------------------------------------------------------------


def test_service_types_and_counters_are_listed_as_created(api: Api, app: Flask, hall: dict[str, Any]) -> None:
    lines = api.get(_queue(hall, "service-types"))["items"]
    assert [(s["prefix"], s["name"], s["position"], s["active"]) for s in lines] == [
        ("A", "社保业务", 0, True),
        ("B", "就业登记", 1, True),
    ]
    counters = api.get(_queue(hall, "counters"))["items"]
    assert [(c["number"], c["name"], len(c["service_type_ids"])) for c in counters] == [
        (1, "1号窗口", 1),
        (5, "综合窗口", 2),
    ]
    assert [row.action for row in audit_rows(app, "queue_counter")] == ["created", "created"]
    assert api.get(_queue(hall, "board"))["version"] == 4  # every setup change moved the board


def test_setup_errors_name_the_field(api: Api, make: Factory, hall: dict[str, Any]) -> None:
    taken = api.post(_queue(hall, "service-types"), {"prefix": "a", "name": "重复"}, expect=422)
    assert field_errors(taken) == {"prefix": "the letter A is already used in this hall"}
    other = make.hall(name="另一个大厅")
    foreign = api.post(f"halls/{other['id']}/queue/service-types", {"prefix": "C", "name": "外厅业务"})
    wrong = api.post(_queue(hall, "counters"), {"number": 2, "service_type_ids": [foreign["id"], 999]}, expect=422)
    assert field_errors(wrong) == {"service_type_ids": "no service type with id 999"}
    wrong = api.post(_queue(hall, "counters"), {"number": 2, "service_type_ids": [foreign["id"]]}, expect=422)
    assert field_errors(wrong) == {"service_type_ids": "every service type must belong to this hall"}
    api.get("halls/999999/queue/counters", expect=404)


def test_the_queue_needs_the_token(client: Any, hall: dict[str, Any]) -> None:
    for path in ("board", "stats", "stats.csv", "counters"):
        assert client.get(f"/api/v1/{_queue(hall, path)}").status_code == 401
    assert client.post(f"/api/v1/{_queue(hall, 'events')}", json=batch()).status_code == 401


# ---- ingest ------------------------------------------------------------------------------


def test_a_good_batch_shows_on_the_board_newest_call_first(api: Api, hall: dict[str, Any]) -> None:
    answer = api.post(
        _queue(hall, "events"),
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "arrive", "09:01", "B007", service="B"),
            ev("e3", "call", "09:02", counter=1),
            ev("e4", "call", "09:03", "B007", counter=5),
            ev("e5", "recall", "09:04", counter=1),
        ),
        expect=200,
    )
    board = api.get(_queue(hall, "board"))
    assert answer == {"source": "hallq", "accepted": 5, "version": board["version"]}
    assert [(c["ticket"], c["counter"], c["recall"]) for c in board["calls"]] == [
        ("A023", 1, True),
        ("B007", 5, False),
        ("A023", 1, False),
    ]
    assert {c["number"]: c["ticket"] for c in board["counters"]} == {1: "A023", 5: "B007"}
    BoardOut.model_validate(board)  # the documented shape is the real one


def test_a_malformed_event_is_400_naming_index_and_field(api: Api, app: Flask, hall: dict[str, Any]) -> None:
    before = row_counts(app)
    body = api.post(
        _queue(hall, "events"),
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "call", "09:02", counter=9),
            {**ev("e3", "serve", "09:03", counter=1), "at": "9 o'clock"},
        ),
        expect=400,
    )
    assert body["error"] == "invalid_batch"
    assert body["errors"] == [
        {
            "field": "events.2.at",
            "message": 'an ISO-8601 instant with its offset, e.g. 2026-12-02T09:15:00+08:00, got "9 o\'clock"',
        }
    ]
    assert body["message"].startswith("events[2].at: an ISO-8601 instant")
    unknown = api.post(_queue(hall, "events"), batch(ev("e2", "call", "09:02", counter=9)), expect=400)
    assert unknown["message"] == "events[0].counter: counter 9 does not exist in this hall"
    not_json = api.call("POST", _queue(hall, "events"), 400, data=b"{oops", content_type="application/json")
    assert not_json["errors"][0]["field"] == "body"
    assert row_counts(app) == before


def test_a_mixed_batch_with_one_bad_event_commits_nothing(api: Api, app: Flask, hall: dict[str, Any]) -> None:
    before = row_counts(app)
    body = api.post(
        _queue(hall, "events"),
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "call", "09:02", counter=1),
            ev("e3", "no_show", "09:05", counter=5),
        ),
        expect=400,
    )
    assert body["errors"] == [{"field": "events.2.counter", "message": "A023 is at counter 1, not counter 5"}]
    assert row_counts(app) == before
    assert api.get(_queue(hall, "board"))["calls"] == []


def test_a_replayed_batch_is_409_and_changes_nothing(api: Api, app: Flask, hall: dict[str, Any]) -> None:
    first = batch(ev("e1", "arrive", "09:00", service="A"), ev("e2", "call", "09:02", counter=1))
    api.post(_queue(hall, "events"), first, expect=200)
    before = row_counts(app)
    body = api.post(_queue(hall, "events"), first, expect=409)
    assert body["error"] == "replayed_events"
    assert [e["field"] for e in body["errors"]] == ["events.0.id", "events.1.id"]
    assert body["errors"][0]["message"] == "'e1' from 'hallq' was already ingested; the batch was refused"
    assert row_counts(app) == before


def test_the_documented_event_fields_are_the_checked_ones() -> None:
    assert set(IngestEventIn.model_fields) == EVENT_FIELDS


# ---- statistics --------------------------------------------------------------------------


@pytest.fixture
def recorded(api: Api, hall: dict[str, Any]) -> dict[str, Any]:
    """A023 waits 300 s and is served 240 s; A024 waits 360 s and is a no-show; B001 is not called."""
    api.post(
        _queue(hall, "events"),
        batch(
            ev("e1", "arrive", "09:00", service="A"),
            ev("e2", "arrive", "09:01", "A024", service="A"),
            ev("e3", "arrive", "09:02", "B001", service="B"),
            ev("e4", "call", "09:05", counter=1),
            ev("e5", "serve", "09:06", counter=1),
            ev("e6", "end", "09:10", counter=1),
            ev("e7", "call", "09:07", "A024", counter=5),
            ev("e8", "no_show", "09:09", "A024", counter=5),
        ),
        expect=200,
    )
    return hall


def test_stats_as_json_per_day_service_and_counter(api: Api, recorded: dict[str, Any]) -> None:
    stats = api.get(_queue(recorded, "stats?from=2026-12-02&to=2026-12-02"))
    StatsOut.model_validate(stats)
    rows = [
        (
            r["service"],
            r["counter"],
            r["issued"],
            r["called"],
            r["done"],
            r["no_shows"],
            r["wait_mean_seconds"],
            r["service_mean_seconds"],
            r["no_show_rate"],
        )
        for r in stats["rows"]
    ]
    assert rows == [
        ("A", 1, 1, 1, 1, 0, 300, 240, 0.0),
        ("A", 5, 1, 1, 0, 1, 360, None, 1.0),
        ("B", None, 1, 0, 0, 0, None, None, None),
    ]
    assert (stats["from"], stats["to"], stats["timezone"]) == ("2026-12-02", "2026-12-02", "Asia/Shanghai")
    assert stats["total"]["no_show_rate"] == 0.5 and stats["total"]["wait_p90_seconds"] == 360
    assert api.get(_queue(recorded, "stats"))["rows"] == stats["rows"]  # today (hall-local) by default
    assert api.get(_queue(recorded, "stats?from=2026-12-03"))["rows"] == []


def test_stats_query_errors_name_the_parameter(api: Api, hall: dict[str, Any]) -> None:
    reversed_range = api.get(_queue(hall, "stats?from=2026-12-02&to=2026-12-01"), expect=422)
    assert field_errors(reversed_range) == {"to": "2026-12-01 is before from 2026-12-02"}
    assert "from" in field_errors(api.get(_queue(hall, "stats?from=2026-13-01"), expect=422))


def test_stats_csv_downloads_with_bom_and_parses_back(
    client: Any, auth_headers: dict[str, str], recorded: dict[str, Any]
) -> None:
    response = client.get(
        f"/api/v1/{_queue(recorded, 'stats.csv')}?from=2026-12-02&to=2026-12-02", headers=auth_headers
    )
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="queue-stats-hall{recorded["id"]}-2026-12-02-2026-12-02.csv"'
    )
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [
        (r["业务 service"], r["窗口 counter"], r["平均等待(秒) mean wait (s)"], r["过号率 no-show rate"]) for r in rows
    ] == [("A", "1", "300", "0.0000"), ("A", "5", "360", "1.0000"), ("B", "", "", "")]


def test_the_queue_routes_are_in_the_openapi_document(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    events = paths["/api/v1/halls/{ident}/queue/events"]["post"]
    assert events["tags"] == ["queue"] and {"400", "404", "409"} <= set(events["responses"])
    stats = paths["/api/v1/halls/{ident}/queue/stats"]["get"]
    assert [p["name"] for p in stats["parameters"]] == ["ident", "from", "to"]
    for path in ("service-types", "counters", "board", "stats.csv"):
        assert f"/api/v1/halls/{{ident}}/queue/{path}" in paths
