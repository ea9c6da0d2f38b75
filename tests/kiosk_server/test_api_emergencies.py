"""Emergency notices: a required future expiry, targets, ending by hand, and an audit row for every action."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import (
    Api,
    Factory,
    audit_rows,
    field_errors,
    future,
    last_outbox,
    past,
    row_counts,
)


def test_emergency_is_created_active_audited_and_published(api: Api, make: Factory, app: Any) -> None:
    emergency = make.emergency()
    assert emergency["active"] is True and emergency["ended_at"] is None
    assert emergency["created_by"] == "api-token"
    assert emergency["targets"] == [{"mode": "include", "kind": "org", "ref": str(make.province_id())}]
    assert last_outbox(app) == {"topic": "content", "kind": "emergency", "id": emergency["id"], "action": "created"}
    (entry,) = audit_rows(app, "emergency")
    assert (entry.actor, entry.action, entry.object_id) == ("api-token", "created", str(emergency["id"]))
    assert entry.summary["after"]["title"] == "暴雨停业通知"


def test_expiry_is_required_and_must_be_in_the_future(api: Api, make: Factory, app: Any) -> None:
    body = make.emergency_body()
    before = row_counts(app)
    del body["expires_at"]
    assert field_errors(api.post("emergencies", body, expect=422)) == {"expires_at": "Field required"}
    assert (
        "not in the future"
        in field_errors(api.post("emergencies", make.emergency_body(expires_at=past()), expect=422))["expires_at"]
    )
    assert list(
        field_errors(api.post("emergencies", make.emergency_body(expires_at="2030-01-01T00:00:00"), expect=422))
    ) == ["expires_at"]
    assert row_counts(app) == before


def test_expiry_must_follow_the_start(api: Api, make: Factory) -> None:
    body = make.emergency_body(starts_at=future(3), expires_at=future(2))
    assert "is not after starts_at" in field_errors(api.post("emergencies", body, expect=422))["expires_at"]


def test_targets_are_required(api: Api, make: Factory, app: Any) -> None:
    body = make.emergency_body()
    before = row_counts(app)
    del body["targets"]
    assert list(field_errors(api.post("emergencies", body, expect=422))) == ["targets"]
    assert list(field_errors(api.post("emergencies", make.emergency_body(targets=[]), expect=422))) == ["targets"]
    assert row_counts(app) == before


def test_ending_now_is_audited_and_published(api: Api, make: Factory, app: Any) -> None:
    emergency = make.emergency()
    ended = api.post(f"emergencies/{emergency['id']}/end", expect=200)
    assert ended["active"] is False and ended["ended_at"] is not None
    assert api.get(f"emergencies/{emergency['id']}") == ended
    assert last_outbox(app) == {"topic": "content", "kind": "emergency", "id": emergency["id"], "action": "ended"}
    actions = [(row.action, row.actor) for row in audit_rows(app, "emergency")]
    assert actions == [("created", "api-token"), ("ended", "api-token")]
    assert audit_rows(app, "emergency")[-1].summary["before"]["ended_at"] is None


def test_an_ended_emergency_cannot_end_again_or_change(api: Api, make: Factory, app: Any) -> None:
    emergency = make.emergency()
    api.post(f"emergencies/{emergency['id']}/end", expect=200)
    before = row_counts(app)
    assert api.post(f"emergencies/{emergency['id']}/end", expect=409)["error"] == "conflict"
    assert api.patch(f"emergencies/{emergency['id']}", {"title": "改"}, expect=409)["error"] == "conflict"
    assert row_counts(app) == before


def test_update_extends_and_is_audited(api: Api, make: Factory, app: Any) -> None:
    emergency = make.emergency()
    later = future(2)
    changed = api.patch(f"emergencies/{emergency['id']}", {"expires_at": later, "severity": "critical"})
    assert changed["severity"] == "critical"
    assert [row.action for row in audit_rows(app, "emergency")] == ["created", "updated"]
    assert set(audit_rows(app, "emergency")[-1].summary["after"]) >= {"expires_at", "severity"}


def test_emergencies_are_ended_not_deleted(api: Api, make: Factory) -> None:
    emergency = make.emergency()
    api.delete(f"emergencies/{emergency['id']}", expect=405)
    api.get(f"emergencies/{emergency['id']}")


def test_filter_active(api: Api, make: Factory) -> None:
    running = make.emergency()
    ended = make.emergency(title="已解除")
    api.post(f"emergencies/{ended['id']}/end", expect=200)
    assert [e["id"] for e in api.get("emergencies?active=true")["items"]] == [running["id"]]
    assert [e["id"] for e in api.get("emergencies?active=false")["items"]] == [ended["id"]]


def test_unknown_emergency_end_is_404(api: Api) -> None:
    api.post("emergencies/4242/end", expect=404)
