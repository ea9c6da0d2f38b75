"""Helpers for the API tests: a thin client wrapper, request-body factories with **overrides, row counts."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from content.accounts.audit import AuditEntry
from content.models import Base
from content.outbox import OutboxEvent
from kiosk_server.database import database

PREFIX = "/api/v1"


def future(days: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def past(days: int = 1) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def tiny_png() -> bytes:
    """A real 1×1 PNG (signature, IHDR, IDAT, IEND with correct CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class Api:
    """Calls the API with the test token and checks the status each call expects."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.client.open(f"{PREFIX}/{path}", method=method, headers=self.headers, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.get_data(as_text=True))
        return response.get_json() if response.data else None

    def get(self, path: str, expect: int = 200, **kwargs: Any) -> Any:
        return self.call("GET", path, expect, **kwargs)

    def post(self, path: str, body: Any = None, expect: int = 201, **kwargs: Any) -> Any:
        return self.call("POST", path, expect, json=body, **kwargs)

    def patch(self, path: str, body: Any, expect: int = 200) -> Any:
        return self.call("PATCH", path, expect, json=body)

    def delete(self, path: str, expect: int = 204) -> Any:
        return self.call("DELETE", path, expect)


class Factory:
    """Creates rows through the API; every body takes **overrides, missing parents are made on demand."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._cache: dict[str, int] = {}

    def _once(self, key: str, make: Any) -> int:
        if key not in self._cache:
            self._cache[key] = make()["id"]
        return self._cache[key]

    # ---- bodies -------------------------------------------------------------------------
    def province_id(self) -> int:
        return self._once("province", lambda: self.org_unit())

    def org_unit_body(self, **o: Any) -> dict[str, Any]:
        return {"name": "甘肃省", "level": "province", "division_code": "620000", **o}

    def hall_body(self, **o: Any) -> dict[str, Any]:
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "name": "兰州市人力资源市场",
            "address": "城关区庆阳路1号",
            **o,
        }

    def screen_group_body(self, **o: Any) -> dict[str, Any]:
        return {"org_unit_id": o.pop("org_unit_id", None) or self.province_id(), "name": "全省大厅入口屏", **o}

    def screen_body(self, **o: Any) -> dict[str, Any]:
        hall_id = o.pop("hall_id", None) or self._once("hall", lambda: self.hall())
        return {
            "hall_id": hall_id,
            "name": "一楼大屏",
            "kind": "wall",
            "width_px": 1920,
            "height_px": 1080,
            "tags": ["入口"],
            **o,
        }

    def employer_body(self, **o: Any) -> dict[str, Any]:
        return {"name": "兰州某某物流有限公司", "credit_code": "91620100MA71234567", "industry": "物流", **o}

    def vacancy_body(self, **o: Any) -> dict[str, Any]:
        employer_id = o.pop("employer_id", None) or self._once("employer", lambda: self.employer())
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "employer_id": employer_id,
            "title": "仓储物流专员",
            "occupation_code": "4-02-06-03",
            "headcount": 5,
            "salary_min": 4500,
            "salary_max": 6000,
            "education": "高中/中专",
            "district": "城关区",
            "valid_until": future(),
            **o,
        }

    def policy_notice_body(self, **o: Any) -> dict[str, Any]:
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "title": "失业保险金申领指南",
            "topic": "失业保险",
            "body_markdown": "## 申领条件\n\n- 已办理失业登记\n",
            **o,
        }

    def ticker_body(self, **o: Any) -> dict[str, Any]:
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "title": "本周六上午举办专场招聘会",
            **o,
        }

    def playlist_body(self, **o: Any) -> dict[str, Any]:
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "name": "上午岗位",
            "entries": [{"kind": "vacancy_board", "duration_seconds": 12, "params": {"page_size": 8}}],
            **o,
        }

    def layout_body(self, **o: Any) -> dict[str, Any]:
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "name": "大厅横屏",
            "regions": [
                {"name": "main", "x": 0.0, "y": 0.1, "w": 0.7, "h": 0.82},
                {"name": "ticker", "widget": "ticker", "x": 0.0, "y": 0.92, "w": 1.0, "h": 0.08},
            ],
            **o,
        }

    def schedule_body(self, **o: Any) -> dict[str, Any]:
        layout_id = o.pop("layout_id", None) or self._once("layout", lambda: self.layout())
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "name": "上午岗位专场",
            "layout_id": layout_id,
            "daypart_start": "08:30",
            "daypart_end": "12:00",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "targets": [{"kind": "org", "ref": str(self.province_id())}],
            **o,
        }

    def emergency_body(self, **o: Any) -> dict[str, Any]:
        return {
            "org_unit_id": o.pop("org_unit_id", None) or self.province_id(),
            "title": "暴雨停业通知",
            "body": "今日下午暂停对外服务",
            "severity": "warning",
            "expires_at": future(1),
            "targets": [{"kind": "org", "ref": str(self.province_id())}],
            **o,
        }

    # ---- creators -------------------------------------------------------------------------
    def org_unit(self, **o: Any) -> dict[str, Any]:
        return self.api.post("org-units", self.org_unit_body(**o))

    def hall(self, **o: Any) -> dict[str, Any]:
        return self.api.post("halls", self.hall_body(**o))

    def screen_group(self, **o: Any) -> dict[str, Any]:
        return self.api.post("screen-groups", self.screen_group_body(**o))

    def screen(self, **o: Any) -> dict[str, Any]:
        return self.api.post("screens", self.screen_body(**o))

    def employer(self, **o: Any) -> dict[str, Any]:
        return self.api.post("employers", self.employer_body(**o))

    def vacancy(self, **o: Any) -> dict[str, Any]:
        return self.api.post("vacancies", self.vacancy_body(**o))

    def policy_notice(self, **o: Any) -> dict[str, Any]:
        return self.api.post("policy-notices", self.policy_notice_body(**o))

    def ticker(self, **o: Any) -> dict[str, Any]:
        return self.api.post("tickers", self.ticker_body(**o))

    def playlist(self, **o: Any) -> dict[str, Any]:
        return self.api.post("playlists", self.playlist_body(**o))

    def layout(self, **o: Any) -> dict[str, Any]:
        return self.api.post("layouts", self.layout_body(**o))

    def schedule(self, **o: Any) -> dict[str, Any]:
        return self.api.post("schedules", self.schedule_body(**o))

    def emergency(self, **o: Any) -> dict[str, Any]:
        return self.api.post("emergencies", self.emergency_body(**o))

    def media(self, data: bytes | None = None, filename: str = "logo.png", **fields: Any) -> dict[str, Any]:
        from io import BytesIO

        form = {"org_unit_id": str(fields.pop("org_unit_id", None) or self.province_id()), **fields}
        form["file"] = (BytesIO(tiny_png() if data is None else data), filename)
        return self.api.post("media", data=form, content_type="multipart/form-data")


def row_counts(app: Flask) -> dict[str, int]:
    """Rows per table: compared before and after a refused request to prove nothing was written."""
    with database(app).engine.connect() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def last_outbox(app: Flask) -> dict[str, Any] | None:
    with database(app).session() as session:
        row = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(1)).first()
        return None if row is None else {"topic": row.topic, **row.payload}


def audit_rows(app: Flask, kind: str | None = None) -> list[AuditEntry]:
    with database(app).session() as session:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if kind is not None:
            stmt = stmt.where(AuditEntry.object_kind == kind)
        return list(session.scalars(stmt))


def field_errors(body: dict[str, Any]) -> dict[str, str]:
    assert body["error"] == "validation_failed", body
    return {e["field"]: e["message"] for e in body["errors"]}
