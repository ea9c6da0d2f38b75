"""REST API v1 for service guides, and the kiosk's guide search and detail (/kiosk/api/guides)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from content.library.guides.fields import GuideFields
from content.library.guides.service_guides import ServiceGuide
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.kiosk_server.api_factories import Api, Factory, field_errors, last_outbox, row_counts
from tests.support.citizens import add_kiosk
from tests.support.world import build_world


def guide_body(make: Factory, **o: Any) -> dict[str, Any]:
    return {
        "org_unit_id": make.province_id(),
        "title": "失业保险金申领",
        "category": "社会保险",
        "conditions": "非因本人意愿中断就业",
        "materials": [{"name": "居民身份证", "copies": 1, "original": True}],
        "steps": ["网上或窗口申请", "审核", "按月发放"],
        "time_limit": "即时办结",
        "online_url": "https://example.gov.cn/sybx",
        **o,
    }


def test_a_guide_round_trips_and_records_the_change(api: Api, make: Factory, app: Flask) -> None:
    created = api.post("service-guides", guide_body(make))
    assert created["kind"] == "guide" and created["fee"] == "不收费" and created["revision"] == 1
    assert created["materials"] == [{"name": "居民身份证", "copies": 1, "original": True, "note": ""}]
    assert last_outbox(app) == {"topic": "content", "kind": "guide", "id": created["id"], "action": "created"}
    changed = api.patch(f"service-guides/{created['id']}", {"steps": ["网上申请<script>x()</script>"]})
    assert changed["steps"] == ["网上申请"] and changed["revision"] == 2 and changed["time_limit"] == "即时办结"
    listed = api.get("service-guides", query_string={"category": "社会保险"})
    assert [g["id"] for g in listed["items"]] == [created["id"]]
    api.delete(f"service-guides/{created['id']}")
    api.get(f"service-guides/{created['id']}", expect=404)


def test_bad_guide_fields_are_named_and_nothing_is_stored(api: Api, make: Factory, app: Flask) -> None:
    make.province_id()
    before = row_counts(app)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"steps": ["一步"] * 10_000}, "steps"),
        ({"steps": []}, "steps"),
        ({"conditions": "持证\u0000"}, "conditions"),
        ({"materials": [{"name": "证", "copies": 99}]}, "materials.0.copies"),
    ]
    for override, field in cases:
        assert field in field_errors(api.post("service-guides", guide_body(make, **override), expect=422)), field
    assert row_counts(app) == before


def test_openapi_describes_service_guides(api: Api) -> None:
    spec = api.get("openapi.json")
    assert any("service-guides" in path for path in spec["paths"])
    assert "steps" in spec["components"]["schemas"]["GuideCreate"]["properties"]


def kiosk_site(app: Flask) -> tuple[str, str, int, int]:
    """A kiosk in 城关区 and one in 天水; a county guide, a Tianshui guide and a draft."""
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, runtime(app).policy.credential_key)
        other = add_kiosk(session, world.other_hall_id, runtime(app).policy.credential_key, name="天水终端")
        rows = []
        for org, title, status in [
            (world.county_id, "失业保险金申领", "published"),
            (world.county_id, "就业创业证申领", "published"),
            (world.county_id, "退休申请", "draft"),
        ]:
            fields = GuideFields.parse(
                {"title": title, "category": "社会保险" if "保险" in title else "就业服务", "steps": ["申请", "审核"]}
            )
            row = ServiceGuide(**{**fields.columns(), "org_unit_id": org, "status": status})
            row.online_url = "https://example.gov.cn/a"
            session.add(row)
            rows.append(row)
        session.commit()
        return kiosk.key, other.key, rows[0].id, rows[2].id


def test_the_kiosk_finds_guides_by_initials_and_category(app: Flask, client: Any) -> None:
    key, other_key, first, draft = kiosk_site(app)
    everything = client.get("/kiosk/api/guides", headers={"X-Screen-Key": key}).get_json()
    assert everything["total"] == 2
    assert everything["categories"] == [{"value": "就业服务", "count": 1}, {"value": "社会保险", "count": 1}]
    found = client.get("/kiosk/api/guides?initials=sybx", headers={"X-Screen-Key": key}).get_json()
    assert [g["id"] for g in found["items"]] == [first]
    assert client.get("/kiosk/api/guides?category=就业服务", headers={"X-Screen-Key": key}).get_json()["total"] == 1
    bad = client.get("/kiosk/api/guides?initials=<b>", headers={"X-Screen-Key": key})
    assert bad.status_code == 400 and bad.headers["Cache-Control"] == "no-store"
    assert client.get("/kiosk/api/guides", headers={"X-Screen-Key": other_key}).get_json()["total"] == 0


def test_the_kiosk_detail_carries_every_field_and_the_qr(app: Flask, client: Any) -> None:
    key, other_key, first, draft = kiosk_site(app)
    detail = client.get(f"/kiosk/api/guides/{first}", headers={"X-Screen-Key": key})
    assert detail.status_code == 200 and detail.headers["Cache-Control"] == "no-store"
    body = detail.get_json()
    assert body["steps"] == ["申请", "审核"] and len(body["qr"]) >= 21
    assert client.get(f"/kiosk/api/guides/{draft}", headers={"X-Screen-Key": key}).status_code == 404
    assert client.get(f"/kiosk/api/guides/{first}", headers={"X-Screen-Key": other_key}).status_code == 404
    assert client.get(f"/kiosk/api/guides/{first}").status_code == 404  # no kiosk named
