"""The ticket slip's ESC/POS bytes, checked byte for byte where a printer would misread them."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest

from kiosk_server.ticket_slip import Paper, SlipContent, SlipError, qr_store, slip_bytes

ISSUED = datetime(2026, 12, 2, 1, 5, tzinfo=UTC)  # 09:05 in Lanzhou
URL = "https://hall.example.cn/q/Zk3f9Q_x2LmN8pWa"


def content(**overrides: Any) -> SlipContent:
    fields: dict[str, Any] = {
        "hall_name": "城关区公共就业服务中心",
        "service_name": "社保业务",
        "number": "A023",
        "ahead": 4,
        "wait_minutes": 12,
        "issued_at": ISSUED,
        "timezone": "Asia/Shanghai",
        "status_url": URL,
    }
    return SlipContent(**{**fields, **overrides})


def gb(text: str) -> bytes:
    return text.encode("gb18030")


def test_the_job_starts_with_reset_and_chinese_mode_and_ends_with_a_feed_and_a_partial_cut() -> None:
    job = slip_bytes(content())
    assert job.startswith(b"\x1b\x40" + b"\x1c\x26")  # ESC @, FS &
    assert job.endswith(b"\x1b\x64\x04" + b"\x1d\x56\x42\x00")  # ESC d 4, GS V 66 0
    assert job.count(b"\x1b\x40") == 1 and job.count(b"\x1d\x56") == 1


def test_the_text_is_gb18030_and_says_the_queue_the_wait_and_the_rule() -> None:
    job = slip_bytes(content())
    for text in (
        "城关区公共就业服务中心",
        "社保业务",
        "您前面还有 4 人",
        "预计等候约 12 分钟",
        "取号时间：2026-12-02 09:05",
        "过号无效，请重新取号",
    ):
        assert gb(text) in job, text
    assert "您前面".encode() not in job, "no UTF-8 text: the printer reads GB18030"


def test_the_hall_name_is_centred_and_the_number_is_printed_at_four_times_size() -> None:
    job = slip_bytes(content())
    assert job.index(b"\x1b\x61\x01") < job.index(gb("城关区"))
    assert b"\x1d\x21\x33A023\n\x1d\x21\x00" in job  # GS ! 0x33 (4x width and height), then back to normal


def test_the_issue_time_is_in_the_halls_time_zone() -> None:
    assert gb("取号时间：2026-12-02 07:05") in slip_bytes(content(timezone="Asia/Urumqi"))
    with pytest.raises(SlipError, match="aware"):
        slip_bytes(content(issued_at=datetime(2026, 12, 2, 9, 5)))


def test_the_qr_code_is_the_model_2_sequence_with_store_size_level_and_print() -> None:
    job = slip_bytes(content(), Paper.MM80)
    data = URL.encode()
    size = len(data) + 3
    expected = (
        b"\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"  # model 2
        + b"\x1d\x28\x6b\x03\x00\x31\x43\x07"  # module size 7 dots on 80 mm
        + b"\x1d\x28\x6b\x03\x00\x31\x45\x31"  # error correction M
        + b"\x1d\x28\x6b"
        + bytes((size, 0))
        + b"\x31\x50\x30"
        + data  # store
        + b"\x1d\x28\x6b\x03\x00\x31\x51\x30"
    )  # print
    assert expected in job
    assert b"\x1d\x28\x6b\x03\x00\x31\x43\x05" in slip_bytes(content(), Paper.MM58), "smaller modules on 58 mm"


def test_the_store_length_of_a_long_address_spills_into_ph() -> None:
    long_url = "https://hall.example.cn/q/" + "x" * 600
    stored = qr_store(long_url.encode())
    k = len(long_url) + 3  # 629 = 0x0275
    assert stored[:5] == b"\x1d\x28\x6b\x75\x02" and k == 0x0275
    assert stored[5:8] == b"\x31\x50\x30" and stored[8:] == long_url.encode()
    assert long_url.encode() in slip_bytes(content(status_url=long_url))
    with pytest.raises(SlipError, match="at most 2331"):
        qr_store(b"x" * 2332)


def test_control_characters_in_names_cannot_inject_printer_commands() -> None:
    job = slip_bytes(content(hall_name="城关区\x1d\x56\x00中心", service_name="社保\x1b@业务"))
    assert job.count(b"\x1d\x56") == 1, "only the cut at the end"
    assert job.count(b"\x1b\x40") == 1, "only the reset at the start"
    assert gb("城关区V中心") in job and gb("社保@业务") in job


def test_nobody_ahead_says_the_call_is_near_and_priority_is_marked() -> None:
    job = slip_bytes(content(ahead=0, wait_minutes=0, priority=True))
    assert gb("您前面还有 0 人") in job and gb("即将叫号") in job and gb("预计等候") not in job
    assert gb("绿色通道") in job


def test_the_slip_carries_nothing_personal() -> None:
    # Nothing about a person can reach the printer: the content has no field for it.
    assert {f.name for f in fields(SlipContent)} == {
        "hall_name",
        "service_name",
        "number",
        "ahead",
        "wait_minutes",
        "issued_at",
        "timezone",
        "status_url",
        "priority",
        "wait_minutes_low",
        "wait_minutes_high",
    }
    decoded = slip_bytes(content()).decode("gb18030", errors="replace")
    for word in ("姓名", "身份证", "社会保障号", "卡号"):
        assert word not in decoded
    assert not re.search(r"\d{15,}", decoded), "no ID or card number"
