"""Factories for manifest payloads as docs/protocol.md §2 describes them, for driving the wall player."""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

HALL = {"id": 1, "name": "兰州市城关区人力资源市场", "timezone": "Asia/Shanghai"}

# Header and clock on top, the playlist in the middle, the ticker at the bottom.
STANDARD_LAYOUT: dict[str, Any] = {
    "id": 1,
    "name": "大厅横屏",
    "background": "#0b1f3a",
    "regions": [
        {"name": "header", "widget": "header", "x": 0.0, "y": 0.0, "w": 0.62, "h": 0.1, "z": 0},
        {"name": "clock", "widget": "clock", "x": 0.62, "y": 0.0, "w": 0.38, "h": 0.1, "z": 0},
        {"name": "main", "widget": "playlist", "x": 0.0, "y": 0.1, "w": 1.0, "h": 0.82, "z": 0},
        {"name": "ticker", "widget": "ticker", "x": 0.0, "y": 0.92, "w": 1.0, "h": 0.08, "z": 0},
    ],
}

_VACANCIES = [
    ("仓储物流专员", "兰州某某物流有限公司", 5, 4500, 6000, "高中/中专", "城关区"),
    ("电商客服", "甘肃某某网络科技有限公司", 12, 3800, 5000, "大专", "七里河区"),
    ("数控车床操作工", "兰州某某机械制造有限公司", 8, 5500, 7500, "高中/中专", "西固区"),
    ("养老护理员", "城关区某某养老服务中心", 6, 4000, 5200, "初中", "城关区"),
    ("会计", "甘肃某某建设工程有限公司", 2, 5000, 7000, "本科", "安宁区"),
    ("送餐骑手", "兰州某某餐饮管理有限公司", 30, 6000, 9000, "不限", "城关区"),
    ("幼儿教师", "七里河区某某幼儿园", 4, 4200, 5500, "大专", "七里河区"),
    ("电工", "兰州某某物业服务有限公司", 3, 5000, 6500, "高中/中专", "红古区"),
    ("软件测试工程师", "甘肃某某信息技术股份有限公司", 5, 7000, 11000, "本科", "安宁区"),
    ("保安员", "兰州某某保安服务有限公司", 20, 3500, 4200, "初中", "西固区"),
    ("中式烹调师", "兰州某某酒店管理有限公司", 4, 5000, 8000, "不限", "城关区"),
    ("汽车维修工", "兰州某某汽车销售服务有限公司", 6, 5200, 7800, "高中/中专", "七里河区"),
]


def utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def vacancy(index: int, **overrides: Any) -> dict[str, Any]:
    title, employer, headcount, low, high, education, district = _VACANCIES[index % len(_VACANCIES)]
    item = {
        "kind": "vacancy",
        "id": 100 + index,
        "title": title,
        "employer": employer,
        "occupation_code": "4-02-06-03",
        "headcount": headcount,
        "salary": f"{low}-{high}元",
        "salary_min": low,
        "salary_max": high,
        "education": education,
        "district": district,
        "requirements": "吃苦耐劳，有相关经验者优先",
        "contact": "0931-1234567",
        "valid_until": "2027-12-31T16:00:00+00:00",
    }
    return {**item, **overrides}


def vacancies(count: int) -> dict[str, dict[str, Any]]:
    return {f"vacancy:{100 + i}": vacancy(i) for i in range(count)}


def notice(notice_id: int, **overrides: Any) -> dict[str, Any]:
    item = {
        "kind": "notice",
        "id": notice_id,
        "title": f"关于做好2026年失业保险稳岗返还工作的通知（{notice_id}）",
        "topic": "失业保险",
        "issuing_office": "兰州市人力资源和社会保障局",
        "effective_date": "2026-01-01",
        "html": "<p>各县区人社局、各有关单位：</p><p>为进一步发挥失业保险稳就业作用，"
        "现就稳岗返还有关事项通知如下。符合条件的参保单位无需申请，经审核后直接返还。</p>",
    }
    return {**item, **overrides}


def ticker(ticker_id: int, text: str) -> dict[str, Any]:
    return {"kind": "ticker", "id": ticker_id, "text": text}


def media(media_id: int, sha256: str, media_type: str = "image", **overrides: Any) -> dict[str, Any]:
    item = {
        "kind": "media",
        "id": media_id,
        "title": f"宣传图{media_id}",
        "media_type": media_type,
        "mime": "image/png" if media_type == "image" else "video/mp4",
        "url": f"/media/{sha256}",
        "sha256": sha256,
        "duration": None,
    }
    return {**item, **overrides}


def board(ids: list[str], page_size: int = 8, duration: float | None = 12) -> dict[str, Any]:
    return {"kind": "vacancy_board", "items": ids, "page_size": page_size, "duration": duration}


def entry(item_id: str, duration: float | None = 20) -> dict[str, Any]:
    return {"kind": "item", "item": item_id, "duration": duration}


def segment(
    start: datetime,
    end: datetime,
    regions: dict[str, list[dict[str, Any]]] | None = None,
    *,
    layer: str = "scheduled",
    layout: str | None = "1",
    emergencies: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "start": iso(start),
        "end": iso(end),
        "layer": layer,
        "source": None if layer == "none" else {"kind": "schedule", "id": 5, "name": "上午岗位专场", "priority": 0},
        "layout": layout,
        "regions": regions or {},
        "emergencies": emergencies or [],
    }


def emergency(
    emergency_id: int, starts: datetime, expires: datetime, severity: str = "critical", **overrides: Any
) -> dict[str, Any]:
    item = {
        "id": emergency_id,
        "title": "大厅临时停止对外服务",
        "body": "因供电线路检修，今日14:00至16:00暂停办理业务。\n请有序离开大厅，给您带来不便敬请谅解。",
        "severity": severity,
        "starts_at": iso(starts),
        "expires_at": iso(expires),
    }
    return {**item, **overrides}


def manifest(
    segments: list[dict[str, Any]],
    items: dict[str, dict[str, Any]],
    *,
    layouts: dict[str, Any] | None = None,
    group: str = "g-5c1e0a9b3f2d",
    timezone: str = "Asia/Shanghai",
) -> dict[str, Any]:
    return {
        "schema": 1,
        "group": group,
        "timezone": timezone,
        "horizon": {"from": segments[0]["start"], "until": segments[-1]["end"]},
        "layouts": layouts if layouts is not None else {"1": STANDARD_LAYOUT},
        "items": items,
        "segments": segments,
    }


def version_of(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def payload(body: dict[str, Any], seq: int) -> dict[str, Any]:
    return {"stream": "manifest", "seq": seq, "version": version_of(body), "group": body["group"], "manifest": body}


def simple(
    regions: dict[str, list[dict[str, Any]]], items: dict[str, dict[str, Any]], seq: int = 42, **manifest_args: Any
) -> dict[str, Any]:
    """A payload with one scheduled segment from the start of this day (UTC) for the next three days.

    The segment's times depend only on the day, as the resolver's do (a segment starts at a
    transition or at midnight), so two payloads built a few seconds apart share their segment.
    """
    day = utcnow().replace(hour=0, minute=0, second=0)
    return payload(manifest([segment(day, day + timedelta(days=3), regions)], items, **manifest_args), seq)


def standard_regions(main: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {"main": main, "ticker": [entry("ticker:1", 30)]}


def standard_items(**more: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"ticker:1": ticker(1, "即日起至12月31日，每周三上午举办民营企业专场招聘会，欢迎求职者参加。"), **more}


def png(width: int = 64, height: int = 36, rgb: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    """A solid-colour PNG, small enough to write by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
