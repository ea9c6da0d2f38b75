"""An uncertain wait estimate is printed and shown as a range (约10–15分钟), a sure one as one number."""

from __future__ import annotations

from datetime import UTC, datetime

from kiosk_server.kiosk_queue_api import line_json
from kiosk_server.ticket_slip import SlipContent, slip_bytes

ISSUED = datetime(2026, 12, 2, 1, 5, tzinfo=UTC)


def slip(**estimate: int) -> str:
    content = SlipContent(
        hall_name="城关区公共就业服务中心",
        service_name="社保业务",
        number="A023",
        ahead=8,
        issued_at=ISSUED,
        timezone="Asia/Shanghai",
        status_url="https://hall.example.cn/q/x",
        **estimate,  # type: ignore[arg-type]
    )
    return slip_bytes(content).decode("gb18030", errors="replace")


def test_the_slip_prints_a_range_when_the_estimate_is_uncertain() -> None:
    assert "预计等候约 10–15 分钟" in slip(wait_minutes=12, wait_minutes_low=10, wait_minutes_high=15)


def test_the_slip_prints_one_number_when_the_estimate_is_sure_or_has_no_range() -> None:
    assert "预计等候约 12 分钟" in slip(wait_minutes=12, wait_minutes_low=12, wait_minutes_high=12)
    assert "预计等候约 12 分钟" in slip(wait_minutes=12)


def test_the_kiosk_lines_carry_the_range_and_fall_back_to_the_estimate() -> None:
    row = {"id": 1, "prefix": "A", "name": "社保业务", "name_en": "", "waiting": 8, "wait_seconds": 720}
    ranged = line_json({**row, "wait_minutes": 12, "wait_minutes_low": 10, "wait_minutes_high": 15})
    assert (ranged["wait_minutes_low"], ranged["wait_minutes_high"]) == (10, 15)
    plain = line_json({**row, "wait_minutes": 12})
    assert (plain["wait_minutes_low"], plain["wait_minutes_high"]) == (12, 12)
