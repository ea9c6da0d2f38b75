"""A paused counter's strip (暂停服务): its number, 暂停服务 and the reason staff gave, on one line that fits."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from wall_support import Harness

from tests.display_client.test_queue_board import (
    QueueLink,
    assert_fits,
    board,
    call,
    counter,
    open_queue,
    queue_payload,
    wait_version,
)

pytestmark = pytest.mark.browser
__all__ = ["open_queue"]  # a fixture, used by name


def paused_board(version: int, reason: str | None) -> dict[str, Any]:
    mine = counter(5, 42) | {"status": "paused" if reason is not None else "idle", "paused": reason is not None}
    mine["pause_reason"] = reason
    return board(version, [call(100, "A023", 5)], counters=[counter(3, 41, "B002", "serving"), mine])


def test_a_paused_strip_keeps_its_number_and_shows_the_reason(harness: Harness, open_queue: Any) -> None:
    harness.screen("strip", queue_payload(), id=42, low_resolution=True, width=640, height=64)
    link = QueueLink(paused_board(1, "业务培训"), kind="counter")
    page = open_queue("strip", link, width=640, height=64)
    strip = page.locator(".strip")
    wait_version(page, ".strip", 1)
    expect(strip).to_have_attribute("data-state", "paused")
    expect(strip).to_have_attribute("data-reason", "业务培训")
    expect(strip.locator(".strip__line")).to_have_text("5号窗口暂停服务 · 业务培训")
    assert assert_fits(page, ".strip__line")["font"] >= 30, "a short reason is read from afar"
    # Sixty characters of its own words: the start of them with "…", the number still first.
    long = "协助3号窗口办理" + "社保卡挂失补办业务" * 6
    link.push(paused_board(2, long[:60]))
    expect(strip).to_have_attribute("data-reason", long[:60])
    text = strip.locator(".strip__line").inner_text()
    assert text.startswith("5号窗口暂停服务 · 协助3号窗口") and text.endswith("…"), text
    assert_fits(page, ".strip__line")
    link.push(paused_board(3, None))
    expect(strip.locator(".strip__line")).to_have_text("5号窗口欢迎光临")
