"""The ID card reader driver end to end against the simulated reader on a real pseudo-terminal pair."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

import pytest

from devices.drivers.idcard_protocol import Command, Status
from devices.drivers.idcard_reader import IdCardReader
from devices.events import (
    CardRemoved,
    DeviceEvent,
    DocumentKind,
    IdCardRead,
    ReaderAttached,
    ReaderDetached,
    ReaderFault,
)
from devices.simulators.idcard_reader import SimCard, SimIdCardReader
from tests.support.driver_events import DEADLINE, Events
from tests.support.server import wait_for

RESIDENT = SimCard(name="李四", sex_code="2", nation_code="03", id_number="11010519491231002X")
PERMIT = SimCard(
    name="陈大文",
    kind="J",
    id_number="810000198505120022",
    permit_number="H60012345",
    issue_count="01",
    address="香港特别行政区",
)


@pytest.fixture
def sim() -> Iterator[SimIdCardReader]:
    with SimIdCardReader() as reader:
        yield reader


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def driver(sim: SimIdCardReader, events: Events) -> Iterator[IdCardReader]:
    reader = IdCardReader(
        sim.port, events, reader_id="kiosk-7/id", poll_interval=0.02, response_timeout=0.3, reopen_backoff=(0.05, 0.2)
    )
    reader.start()
    events.next(ReaderAttached)
    yield reader
    reader.stop()


def test_reads_a_resident_card_then_a_j_permit_with_removal_between(
    sim: SimIdCardReader, events: Events, driver: IdCardReader
) -> None:
    sim.present(RESIDENT)
    read = events.next(IdCardRead)
    assert (read.kind, read.name, read.sex, read.nation, read.id_number) == (
        DocumentKind.RESIDENT,
        "李四",
        "女",
        "回",
        "11010519491231002X",
    )
    assert read.reader_id == "kiosk-7/id"
    sim.remove()
    assert events.next(CardRemoved) == CardRemoved("kiosk-7/id")
    sim.present(PERMIT)
    permit = events.next(IdCardRead)
    assert (permit.kind, permit.permit_number, permit.issue_count, permit.address) == (
        DocumentKind.HK_MACAO_TAIWAN,
        "H60012345",
        "01",
        "香港特别行政区",
    )
    assert not [e for e in events.seen if isinstance(e, ReaderFault)]


def test_a_card_left_on_the_reader_is_read_once(sim: SimIdCardReader, events: Events, driver: IdCardReader) -> None:
    sim.present(RESIDENT)
    events.next(IdCardRead)
    before = len(sim.requests)
    deadline = time.monotonic() + DEADLINE
    while len(sim.requests) < before + 20:  # several polls while the card stays
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert Command.READ_TEXT_PHOTO not in sim.requests[before:]
    assert events.queue.empty()


@pytest.mark.parametrize("fault", ["garbage", "bad_checksum", "truncated"])
def test_spoiled_read_becomes_a_fault_and_the_card_is_read_after_it(
    sim: SimIdCardReader, events: Events, driver: IdCardReader, fault: str
) -> None:
    sim.inject(fault, on=Command.READ_TEXT_PHOTO)
    sim.present(RESIDENT)
    fault_event = events.next(ReaderFault)
    assert fault_event.message.startswith("READ_TEXT_PHOTO: ")
    assert {"garbage": "skipped", "bad_checksum": "checksum", "truncated": "truncated"}[fault] in fault_event.message
    assert events.next(IdCardRead).name == "李四"


def test_unexpected_status_byte_is_a_fault_that_names_it(
    sim: SimIdCardReader, events: Events, driver: IdCardReader
) -> None:
    sim.inject("status", on=Command.SELECT_CARD, sw3=Status.SAM_AUTH_CARD_FAILED)
    sim.present(RESIDENT)
    assert "32 机具认证证/卡失败 / SAM failed to authenticate the card" in events.next(ReaderFault).message
    events.next(IdCardRead)


def test_a_late_find_answer_read_as_selects_does_not_take_the_card_away(
    sim: SimIdCardReader, events: Events, driver: IdCardReader
) -> None:
    # A slow reader's "no card" to the find arrives after the deadline and is read as the answer to
    # the select that follows: that is no answer to select, and the card is still there.
    sim.present(RESIDENT)
    events.next(IdCardRead)
    sim.inject("status", on=Command.SELECT_CARD, sw3=Status.FIND_FAILED)
    wait_for(lambda: sim.pending_faults() == 0, DEADLINE, "the spoiled select answer")
    polls = len(sim.requests)
    wait_for(lambda: sim.requests[polls:].count(Command.SELECT_CARD) >= 2, DEADLINE, "the card asked for again")
    assert not [e for e in events.seen if isinstance(e, CardRemoved)], "the card never left"
    sim.remove()
    events.next(CardRemoved)


def test_card_with_an_invalid_id_number_is_a_fault_and_the_next_card_is_read(
    sim: SimIdCardReader, events: Events, driver: IdCardReader
) -> None:
    bad = SimCard(id_number="110105194912310021")
    sim.present(bad)
    message = events.next(ReaderFault).message
    assert "check character" in message and bad.id_number not in message
    sim.remove()
    sim.present(PERMIT)
    assert events.next(IdCardRead).kind is DocumentKind.HK_MACAO_TAIWAN
    assert not [e for e in events.seen if isinstance(e, CardRemoved)]  # nothing was read, nothing removed


def test_unplug_is_reported_and_the_reader_comes_back(
    sim: SimIdCardReader, events: Events, driver: IdCardReader
) -> None:
    sim.unplug()
    assert events.next(ReaderDetached).reader_id == "kiosk-7/id"
    sim.replug()
    events.next(ReaderAttached)
    sim.present(RESIDENT)
    assert events.next(IdCardRead).name == "李四"


def _fds_on(path: str) -> int:
    target = os.path.realpath(path)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") == target
        except OSError:
            pass
    return count


def test_start_and_stop_twice_are_harmless_and_stop_closes_the_port(sim: SimIdCardReader, events: Events) -> None:
    reader = IdCardReader(sim.port, events, poll_interval=0.02, response_timeout=0.3)
    reader.stop()  # before start: nothing to do
    open_before = _fds_on(sim.port)  # the simulator's own slave descriptor
    reader.start()
    reader.start()
    events.next(ReaderAttached)
    assert _fds_on(sim.port) == open_before + 1  # one thread, one port
    reader.stop()
    reader.stop()
    assert not reader.running
    assert _fds_on(sim.port) == open_before
    assert len([e for e in events.seen if isinstance(e, ReaderAttached)]) == 1


def test_a_failing_callback_does_not_kill_the_reader(sim: SimIdCardReader) -> None:
    received = Events()

    def callback(event: DeviceEvent) -> None:
        received(event)
        if isinstance(event, ReaderAttached):
            raise RuntimeError("consumer bug")

    reader = IdCardReader(sim.port, callback, poll_interval=0.02, response_timeout=0.3)
    reader.start()
    try:
        received.next(ReaderAttached)
        sim.present(RESIDENT)
        assert received.next(IdCardRead).name == "李四"
    finally:
        reader.stop()


def test_no_id_number_reaches_the_logs(sim: SimIdCardReader, events: Events, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="devices")
    reader = IdCardReader(sim.port, events, poll_interval=0.02, response_timeout=0.3)
    reader.start()
    try:
        events.next(ReaderAttached)
        invalid = SimCard(id_number="110105194912310021")
        for card in (RESIDENT, PERMIT, invalid):
            sim.present(card)
            events.next(IdCardRead if card is not invalid else ReaderFault)
            sim.remove()
        sim.inject("bad_checksum", on=Command.READ_TEXT_PHOTO)
        sim.present(RESIDENT)
        events.next(IdCardRead)
    finally:
        reader.stop()
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "IdCardRead" in text and "checksum" in text  # the reads and the fault were logged
    for number in (RESIDENT.id_number, PERMIT.id_number, invalid.id_number):
        assert number not in text and number[6:14] not in text
    assert "李四" not in text
