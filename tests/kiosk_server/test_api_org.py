"""Org units and halls through the API."""

from __future__ import annotations

from typing import Any

from tests.kiosk_server.api_factories import Api, Factory, field_errors, row_counts


def test_org_tree_paths_follow_the_parents(api: Api, make: Factory) -> None:
    province = make.org_unit()
    city = make.org_unit(name="兰州市", level="city", parent_id=province["id"], division_code="620100")
    county = make.org_unit(name="城关区", level="county", parent_id=city["id"], division_code="620102")
    assert county["path"] == f"/{province['id']}/{city['id']}/{county['id']}/"
    children = api.get(f"org-units?parent_id={province['id']}")["items"]
    assert [c["name"] for c in children] == ["兰州市"]


def test_a_level_that_does_not_fit_below_its_parent_is_refused(api: Api, make: Factory, app: Any) -> None:
    city = make.org_unit(name="兰州市", level="city", parent_id=make.province_id())
    body = make.org_unit_body(name="甘肃省", level="province", parent_id=city["id"])
    before = row_counts(app)
    assert field_errors(api.post("org-units", body, expect=422)) == {"level": "a province cannot sit below a city"}
    assert row_counts(app) == before


def test_a_node_cannot_be_moved_or_relevelled(api: Api, make: Factory) -> None:
    city = make.org_unit(name="兰州市", level="city", parent_id=make.province_id())
    errors = field_errors(api.patch(f"org-units/{city['id']}", {"parent_id": None, "level": "province"}, expect=422))
    assert set(errors) == {"parent_id", "level"}


def test_deleting_a_node_with_children_is_409(api: Api, make: Factory) -> None:
    province_id = make.province_id()
    make.org_unit(name="兰州市", level="city", parent_id=province_id)
    assert api.delete(f"org-units/{province_id}", expect=409)["error"] == "conflict"


def test_hall_time_zone_defaults_and_is_checked(api: Api, make: Factory) -> None:
    hall = make.hall()
    assert hall["timezone"] == "Asia/Shanghai"
    urumqi = make.hall(name="乌鲁木齐人力资源市场", timezone="Asia/Urumqi")
    assert urumqi["timezone"] == "Asia/Urumqi"
    errors = field_errors(api.patch(f"halls/{hall['id']}", {"timezone": "Beijing"}, expect=422))
    assert "Beijing" in errors["timezone"]
    assert api.get(f"halls/{hall['id']}")["timezone"] == "Asia/Shanghai"


def test_halls_filter_by_org_unit(api: Api, make: Factory) -> None:
    city = make.org_unit(name="天水市", level="city", parent_id=make.province_id())
    make.hall()
    make.hall(name="天水市人力资源市场", org_unit_id=city["id"])
    assert [h["name"] for h in api.get(f"halls?org_unit_id={city['id']}")["items"]] == ["天水市人力资源市场"]
