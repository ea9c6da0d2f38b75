"""Remote-care commands in the domain: who executes what, the state machine, timeouts, screenshots kept."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org import device_commands as dc
from content.org.device_commands import Answer, BadPng, Command, DeviceCommand, Executor, State, UnsupportedCommand

DATABASES = ("sqlite", "postgres")
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def png(width: int = 4, height: int = 3) -> bytes:
    """A real, minimal RGB PNG of ``width``×``height``."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x10\x20\x30" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return dc.PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("kind", "command", "executor"),
    [
        ("wall", Command.RELOAD, Executor.PLAYER),
        ("wall", Command.SCREENSHOT, Executor.PLAYER),
        ("counter", Command.IDENTIFY, Executor.PLAYER),
        ("counter", Command.SCREENSHOT, Executor.PLAYER),
        ("kiosk", Command.IDENTIFY, Executor.PLAYER),
        ("kiosk", Command.SCREENSHOT, Executor.AGENT),
        ("kiosk", Command.REBOOT, Executor.AGENT),
        ("kiosk", Command.DOCTOR, Executor.AGENT),
    ],
)
def test_each_command_goes_to_the_executor_the_contract_names(kind: str, command: Command, executor: Executor) -> None:
    assert dc.executor_for(kind, command) is executor


@pytest.mark.parametrize("command", [Command.REBOOT, Command.RESTART_AGENT, Command.DOCTOR])
def test_a_wall_cannot_be_given_an_agents_command(command: Command) -> None:
    with pytest.raises(UnsupportedCommand, match="needs a kiosk device agent"):
        dc.executor_for("wall", command)
    assert command not in dc.commands_for("wall")
    assert command in dc.commands_for("kiosk")


def test_an_unknown_command_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnsupportedCommand, match="unknown command 'format_disk'; use one of reload"):
        dc.parse_command("format_disk")


def test_identify_carries_the_screens_name_and_number(session: Session, make: Factory) -> None:
    screen = make.screen(name="一楼大屏")
    row = dc.request(session, screen, Command.IDENTIFY, requested_by="tech", now=T0)
    assert row.state == State.PENDING
    assert row.wire() == {
        "id": row.id,
        "command": "identify",
        "args": {"seconds": 30, "label": f"一楼大屏  #{screen.id}"},
    }


def test_a_command_is_sent_once_and_answered_once(session: Session, make: Factory) -> None:
    screen = make.screen()
    row = dc.request(session, screen, Command.RELOAD, requested_by="tech", now=T0)
    assert dc.mark_sent(session, row.id, T0) is not None
    assert dc.mark_sent(session, row.id, T0) is None  # another process lost the race
    done = dc.answer(session, row.id, Answer(True, {"reloading": True}), T0 + timedelta(seconds=1))
    assert done is not None and done.state == State.DONE and done.result == {"reloading": True}
    assert dc.answer(session, row.id, Answer(False, error="late"), T0 + timedelta(seconds=2)) is None


def test_only_the_device_it_was_sent_to_may_answer(session: Session, make: Factory) -> None:
    kiosk, wall = make.screen(kind="kiosk"), make.screen()
    row = dc.request(session, kiosk, Command.SCREENSHOT, requested_by="tech", now=T0)
    assert dc.answerable(session, row.id, kiosk.id, Executor.AGENT) is None  # not sent yet
    dc.mark_sent(session, row.id, T0)
    assert dc.answerable(session, row.id, kiosk.id, Executor.AGENT) is not None
    assert dc.answerable(session, row.id, kiosk.id, Executor.PLAYER) is None  # the kiosk page is not its executor
    assert dc.answerable(session, row.id, wall.id, Executor.AGENT) is None


def test_timeouts_fail_or_expire_what_waited_too_long(session: Session, make: Factory) -> None:
    wall, kiosk = make.screen(), make.screen(kind="kiosk")
    shot = dc.request(session, wall, Command.SCREENSHOT, requested_by="t", now=T0)
    reload_sent = dc.request(session, wall, Command.RELOAD, requested_by="t", now=T0)
    identify_waiting = dc.request(session, wall, Command.IDENTIFY, requested_by="t", now=T0)
    reboot_waiting = dc.request(session, kiosk, Command.REBOOT, requested_by="t", now=T0)
    dc.mark_sent(session, shot.id, T0)
    dc.mark_sent(session, reload_sent.id, T0)

    assert dc.expire(session, T0 + timedelta(seconds=5)) == []
    ended = dc.expire(session, T0 + timedelta(seconds=31))
    assert [(r.id, r.state, r.error) for r in ended] == [
        (shot.id, "failed", "no_answer"),
        (identify_waiting.id, "failed", "not_connected"),
    ]
    ended = dc.expire(session, T0 + timedelta(seconds=61))
    assert [(r.id, r.state, r.error) for r in ended] == [(reload_sent.id, "failed", "no_answer")]
    assert dc.expire(session, T0 + timedelta(minutes=9)) == []
    ended = dc.expire(session, T0 + timedelta(minutes=10, seconds=1))
    assert [(r.id, r.state) for r in ended] == [(reboot_waiting.id, "expired")]
    assert dc.pending(session) == []


def test_a_held_command_says_why_until_it_is_sent(session: Session, make: Factory) -> None:
    kiosk = make.screen(kind="kiosk")
    row = dc.request(session, kiosk, Command.REBOOT, requested_by="t", now=T0)
    dc.hold(session, row.id, dc.SESSION_OPEN)
    session.refresh(row)
    assert row.error == "session_open" and row.state == "pending"
    sent = dc.mark_sent(session, row.id, T0)
    assert sent is not None and sent.error == ""


def test_only_the_last_screenshots_of_a_screen_are_kept(session: Session, make: Factory) -> None:
    wall = make.screen()
    ids = []
    for n in range(dc.KEEP_SCREENSHOTS + 2):
        row = dc.request(session, wall, Command.SCREENSHOT, requested_by="t", now=T0)
        dc.mark_sent(session, row.id, T0)
        dc.answer(session, row.id, Answer(True, {"width": 4, "height": 3}, png=png()), T0 + timedelta(seconds=n))
        ids.append(row.id)
    kept = session.scalars(select(DeviceCommand.id).where(DeviceCommand.screenshot.is_not(None))).all()
    assert sorted(kept) == ids[-dc.KEEP_SCREENSHOTS :]
    assert dc.latest_screenshot_id(session, wall.id) == ids[-1]
    assert session.get(DeviceCommand, ids[-1]).screenshot == png()  # type: ignore[union-attr]


def test_png_size_reads_the_header() -> None:
    assert dc.png_size(png(640, 64)) == (640, 64)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"GIF89a" + b"\x00" * 64, "no PNG signature"),
        (png()[:-12], "no IEND"),
        (dc.PNG_SIGNATURE + struct.pack(">I4s", 13, b"IDAT") + b"\x00" * 60, "no IHDR"),
        (png(4, 3).replace(struct.pack(">II", 4, 3), struct.pack(">II", 0, 3), 1), "implausible size"),
        (b"\x00" * (dc.MAX_PNG_BYTES + 1), "at most"),
    ],
    ids=["gif", "truncated", "no-ihdr", "zero-width", "huge"],
)
def test_png_size_refuses_what_is_not_a_png(data: bytes, why: str) -> None:
    with pytest.raises(BadPng, match=why):
        dc.png_size(data)
