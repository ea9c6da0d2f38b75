"""Behaviour every API collection shares: round trips, the change record, refused writes leave no trace."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kiosk_server.api_factories import Api, Factory, audit_rows, field_errors, last_outbox, row_counts

# path, factory name, outbox/audit kind, a valid change, the field it changes, an invalid body override
RESOURCES: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    ("org-units", "org_unit", "org_unit", {"name": "甘肃省（新）"}, {"level": "planet"}),
    ("halls", "hall", "hall", {"address": "七里河区西津西路2号"}, {"timezone": "Mars/Olympus"}),
    ("screen-groups", "screen_group", "screen_group", {"name": "全省窗口屏"}, {"name": ""}),
    ("screens", "screen", "screen", {"name": "二楼大屏", "tags": ["二楼", "LED"]}, {"width_px": 0}),
    ("employers", "employer", "employer", {"industry": "仓储"}, {"credit_code": "123"}),
    ("vacancies", "vacancy", "vacancy", {"salary_max": 7000}, {"salary_min": 8000, "salary_max": 5000}),
    ("policy-notices", "policy_notice", "policy_notice", {"topic": "养老保险"}, {"status": "gone"}),
    ("tickers", "ticker", "ticker", {"title": "下周一恢复正常服务"}, {"title": ""}),
    ("layouts", "layout", "layout", {"background": "#000000"}, {"regions": [{"name": "a", "w": 1.5}]}),
    ("playlists", "playlist", "playlist", {"name": "下午政策"}, {"entries": [{"kind": "item"}]}),
    ("schedules", "schedule", "schedule", {"priority": 5}, {"rrule": "FREQ=SOMETIMES"}),
]
IDS = [r[0] for r in RESOURCES]


@pytest.mark.parametrize(("path", "factory", "kind", "change", "invalid"), RESOURCES, ids=IDS)
def test_create_list_get_update_delete_round_trip(
    api: Api,
    make: Factory,
    app: Any,
    path: str,
    factory: str,
    kind: str,
    change: dict[str, Any],
    invalid: dict[str, Any],
) -> None:
    created = getattr(make, factory)()
    ident = created["id"]
    assert last_outbox(app) == {"topic": "content", "kind": kind, "id": ident, "action": "created"}
    assert api.get(f"{path}/{ident}") == created

    listed = api.get(path)
    assert ident in [row["id"] for row in listed["items"]]
    assert listed["total"] >= 1 and listed["page"] == 1

    updated = api.patch(f"{path}/{ident}", change)
    for name, value in change.items():
        assert updated[name] == (sorted(value) if name == "tags" else value)
    assert api.get(f"{path}/{ident}") == updated
    assert last_outbox(app) == {"topic": "content", "kind": kind, "id": ident, "action": "updated"}

    api.delete(f"{path}/{ident}")
    api.get(f"{path}/{ident}", expect=404)
    assert last_outbox(app) == {"topic": "content", "kind": kind, "id": ident, "action": "deleted"}

    trail = [(row.action, row.actor) for row in audit_rows(app, kind) if row.object_id == str(ident)]
    assert trail == [("created", "api-token"), ("updated", "api-token"), ("deleted", "api-token")]


@pytest.mark.parametrize(("path", "factory", "kind", "change", "invalid"), RESOURCES, ids=IDS)
def test_invalid_create_is_422_and_writes_nothing(
    api: Api,
    make: Factory,
    app: Any,
    path: str,
    factory: str,
    kind: str,
    change: dict[str, Any],
    invalid: dict[str, Any],
) -> None:
    body = getattr(make, f"{factory}_body")(**invalid)  # parents are made here, before counting
    before = row_counts(app)
    answer = api.post(path, body, expect=422)
    assert field_errors(answer), answer
    assert row_counts(app) == before


@pytest.mark.parametrize(("path", "factory", "kind", "change", "invalid"), RESOURCES, ids=IDS)
def test_invalid_update_is_422_and_changes_nothing(
    api: Api,
    make: Factory,
    app: Any,
    path: str,
    factory: str,
    kind: str,
    change: dict[str, Any],
    invalid: dict[str, Any],
) -> None:
    created = getattr(make, factory)()
    before = row_counts(app)
    if path == "org-units":  # the level of a node cannot change at all
        invalid = {"name": ""}
    answer = api.patch(f"{path}/{created['id']}", invalid, expect=422)
    assert field_errors(answer)
    assert row_counts(app) == before
    assert api.get(f"{path}/{created['id']}") == created


def test_unknown_field_is_refused_by_name(api: Api, make: Factory) -> None:
    answer = api.post("halls", make.hall_body(colour="red"), expect=422)
    assert field_errors(answer) == {"colour": "not a field of this request"}


def test_body_that_is_not_json_is_refused(api: Api) -> None:
    answer = api.call("POST", "employers", 422, data="{name: 1", content_type="application/json")
    assert list(field_errors(answer)) == ["body"]


def test_missing_reference_is_422_on_its_field(api: Api, make: Factory, app: Any) -> None:
    body = make.hall_body(org_unit_id=4242)
    before = row_counts(app)
    answer = api.post("halls", body, expect=422)
    assert field_errors(answer) == {"org_unit_id": "no org unit with id 4242"}
    assert row_counts(app) == before


def test_unknown_id_is_404_json(api: Api) -> None:
    answer = api.get("vacancies/99999", expect=404)
    assert answer == {"error": "not_found", "message": "vacancy 99999 not found"}
    api.patch("vacancies/99999", {"title": "x"}, expect=404)
    api.delete("vacancies/99999", expect=404)


def test_item_of_another_kind_is_not_found_under_this_collection(api: Api, make: Factory) -> None:
    notice = make.policy_notice()
    api.get(f"vacancies/{notice['id']}", expect=404)
    api.get(f"policy-notices/{notice['id']}")


def test_paging_and_filters(api: Api, make: Factory) -> None:
    city = make.org_unit(name="兰州市", level="city", parent_id=make.province_id(), division_code="620100")
    for n in range(5):
        make.ticker(title=f"滚动通知 {n}", org_unit_id=city["id"] if n % 2 else None)
    first = api.get("tickers?per_page=2&page=1")
    third = api.get("tickers?per_page=2&page=3")
    assert (first["total"], len(first["items"]), len(third["items"])) == (5, 2, 1)
    assert [r["title"] for r in first["items"]] == ["滚动通知 0", "滚动通知 1"]
    in_city = api.get(f"tickers?org_unit_id={city['id']}")
    assert [r["title"] for r in in_city["items"]] == ["滚动通知 1", "滚动通知 3"]


def test_bad_paging_or_unknown_filter_is_422(api: Api) -> None:
    assert "per_page" in field_errors(api.get("tickers?per_page=1000", expect=422))
    assert "page" in field_errors(api.get("tickers?page=0", expect=422))
    assert field_errors(api.get("tickers?colour=red", expect=422)) == {"colour": "not a field of this request"}


def test_delete_of_a_row_still_in_use_is_409_and_keeps_it(api: Api, make: Factory, app: Any) -> None:
    hall = make.hall()
    make.screen(hall_id=hall["id"])
    before = row_counts(app)
    answer = api.delete(f"halls/{hall['id']}", expect=409)
    assert answer["error"] == "conflict" and f"hall {hall['id']}" in answer["message"]
    assert row_counts(app) == before


def test_audit_summary_names_what_changed(api: Api, make: Factory, app: Any) -> None:
    hall = make.hall()
    api.patch(f"halls/{hall['id']}", {"name": "兰州新区人力资源市场"})
    update = audit_rows(app, "hall")[-1]
    assert update.summary == {"before": {"name": "兰州市人力资源市场"}, "after": {"name": "兰州新区人力资源市场"}}
    assert audit_rows(app, "hall")[0].summary["after"]["name"] == "兰州市人力资源市场"
