"""The ID card reader's faults on a real pseudo-terminal pair: unplug with a card on, probe, bad reads."""

from __future__ import annotations

import termios
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from devices.drivers.idcard_protocol import Command, Status
from devices.drivers.idcard_reader import IdCardReader, SerialPort, open_serial
from devices.events import (
    CardRemoved,
    IdCardRead,
    ReaderAttached,
    ReaderDetached,
    ReaderFault,
)
from devices.simulators.idcard_reader import SimCard, SimIdCardReader
from tests.support.driver_events import DEADLINE, Events

CARD = SimCard(name="李四", sex_code="2", nation_code="03", id_number="11010519491231002X")


def wait_for(predicate: Any, what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _after(requests: list[Command | None], command: Command) -> list[Command | None]:
    return requests[requests.index(command) + 1 :] if command in requests else []


def make_reader(sim: SimIdCardReader, events: Events, **overrides: Any) -> IdCardReader:
    settings: dict[str, Any] = {
        "reader_id": "kiosk-7/id",
        "poll_interval": 0.02,
        "response_timeout": 0.3,
        "reopen_backoff": (0.05, 0.2),
    }
    return IdCardReader(sim.port, events, **(settings | overrides))


@pytest.fixture
def sim() -> Iterator[SimIdCardReader]:
    with SimIdCardReader() as reader:
        yield reader


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
def running() -> Iterator[Any]:
    readers: list[IdCardReader] = []

    def start(reader: IdCardReader) -> IdCardReader:
        readers.append(reader)
        reader.start()
        return reader

    yield start
    for reader in readers:
        reader.stop()


class HeldPort:
    """The real pyserial port, except that ``reset_input_buffer`` can be held at its door by the test.

    Holding it lets the test pull the pseudo-terminal away exactly before the driver's next
    ``tcflush``, the call that fails with ``termios.error`` (not an ``OSError``) on a vanished tty.
    """

    def __init__(self, port: SerialPort) -> None:
        self._port = port
        self.hold = threading.Event()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.errors: list[BaseException] = []

    def reset_input_buffer(self) -> None:
        if self.hold.is_set():
            self.hold.clear()
            self.entered.set()
            self.release.wait(DEADLINE)
        try:
            self._port.reset_input_buffer()
        except BaseException as err:
            self.errors.append(err)
            raise

    def write(self, data: bytes) -> int | None:
        return self._port.write(data)

    def read(self, size: int = 1) -> bytes:
        return self._port.read(size)

    def close(self) -> None:
        self._port.close()

    @property
    def in_waiting(self) -> int:
        return self._port.in_waiting


def test_unplug_with_a_card_on_reports_the_detach_at_once(sim: SimIdCardReader, events: Events, running) -> None:
    ports: list[HeldPort] = []

    def opener(path: str, baudrate: int) -> SerialPort:
        ports.append(HeldPort(open_serial(path, baudrate)))
        return ports[-1]

    running(make_reader(sim, events, opener=opener))
    events.next(ReaderAttached)
    sim.present(CARD)
    events.next(IdCardRead)
    port = ports[-1]
    port.hold.set()
    assert port.entered.wait(DEADLINE), "the driver polls the card's presence"
    sim.unplug()
    port.release.set()
    detached = events.next(ReaderDetached)
    assert detached.reader_id == "kiosk-7/id"
    assert not [e for e in events.seen if isinstance(e, CardRemoved)], "the detach stands for the card too"
    assert [type(e) for e in port.errors] == [termios.error], "the vanished tty failed in tcflush"
    assert not [e for e in events.seen if isinstance(e, ReaderFault)], "a lost port is a detach, not a fault"


def test_unplug_with_no_card_detaches_without_a_removal(sim: SimIdCardReader, events: Events, running) -> None:
    running(make_reader(sim, events))
    events.next(ReaderAttached)
    sim.unplug()
    events.next(ReaderDetached)
    assert not [e for e in events.drain() if isinstance(e, CardRemoved)]


def test_every_unplug_after_a_replug_is_reported(sim: SimIdCardReader, events: Events, running) -> None:
    running(make_reader(sim, events))
    events.next(ReaderAttached)
    for _ in range(3):
        sim.unplug()
        events.next(ReaderDetached)
        sim.replug()
        events.next(ReaderAttached)
    assert [type(e).__name__ for e in events.seen] == ["ReaderAttached", "ReaderDetached"] * 3 + ["ReaderAttached"]


def test_a_silent_device_is_not_announced_as_a_reader(events: Events, running) -> None:
    with SimIdCardReader(silent=True) as sim:
        running(make_reader(sim, events, response_timeout=0.05))
        fault = events.next(ReaderFault)
        assert fault.reason == "probe_failed" and "SAM status" in fault.message
        wait_for(lambda: sim.requests.count(Command.SAM_STATUS) >= 3, "the probe to be retried")
        assert Command.FIND_CARD not in sim.requests, "no card is polled on a device that never answered"
        seen = events.drain()
        assert not [e for e in seen if isinstance(e, ReaderAttached)]
        assert len([e for e in seen if isinstance(e, ReaderFault)]) == 1, "a silent device is reported once"
        sim.silent = False  # the SAM finished starting up
        assert events.next(ReaderAttached).sam_id == bytes(range(16)).hex().upper()


def test_a_broken_sam_is_a_sam_fault_and_not_attached(sim: SimIdCardReader, events: Events, running) -> None:
    sim.inject("status", on=Command.SAM_STATUS, sw3=Status.SAM_SELF_TEST_FAILED)
    running(make_reader(sim, events))
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.message) == ("sam_fault", "SAM status: 60 SAM自检失败 / SAM self-test failed")
    assert isinstance(events.next(ReaderAttached), ReaderAttached), "it attaches once the SAM answers"
    assert [type(e).__name__ for e in events.seen] == ["ReaderFault", "ReaderAttached"]


def test_a_malformed_sam_id_is_a_fault_that_says_so_and_cards_still_read(events: Events, running) -> None:
    with SimIdCardReader(sam_id=b"\x05\x01") as sim:
        running(make_reader(sim, events))
        fault = events.next(ReaderFault)
        assert fault.reason == "protocol_error"
        assert fault.message == "READ_SAM_ID: a SAM id has 16 bytes, the reader sent 2"
        sim.present(CARD)
        assert events.next(IdCardRead).name == "李四"
        assert not [e for e in events.seen if isinstance(e, ReaderAttached)], "no reader with a made-up SAM id"


@pytest.mark.parametrize("sw3", [Status.READ_FAILED, Status.CARD_AUTH_SAM_FAILED, Status.VERIFY_ERROR])
def test_a_failed_read_is_an_unreadable_card_asking_to_reposition(
    sim: SimIdCardReader, events: Events, running, sw3: int
) -> None:
    running(make_reader(sim, events))
    events.next(ReaderAttached)
    sim.inject("status", on=Command.READ_TEXT_PHOTO, sw3=sw3)
    sim.present(CARD)
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint, fault.card_lost) == ("unreadable_card", "reposition", False)
    assert f"{sw3:02X}" in fault.message
    assert events.next(IdCardRead).name == "李四", "the card is read at the next try"


def test_a_card_pulled_during_the_read_was_removed_too_early(sim: SimIdCardReader, events: Events, running) -> None:
    running(make_reader(sim, events))
    events.next(ReaderAttached)
    sim.inject("status", on=Command.READ_TEXT_PHOTO, sw3=Status.READ_FAILED, remove_card=True)
    sim.present(CARD)
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint, fault.card_lost) == ("unreadable_card", "removed_too_early", True)
    sim.present(CARD)
    events.next(IdCardRead)
    assert not [e for e in events.seen if isinstance(e, CardRemoved)], "nothing was read, nothing removed"


def test_a_card_that_never_reads_is_reported_once_and_left_alone_until_it_leaves(
    sim: SimIdCardReader, events: Events, running
) -> None:
    running(make_reader(sim, events))
    events.next(ReaderAttached)
    for _ in range(3):
        sim.inject("status", on=Command.READ_TEXT_PHOTO, sw3=Status.READ_FAILED)
    sim.present(CARD)
    wait_for(lambda: sim.pending_faults() == 0, "three failed reads")
    reads = sim.requests.count(Command.READ_TEXT_PHOTO)
    polls = len(sim.requests)
    wait_for(lambda: len(sim.requests) >= polls + 20, "more polls while the card stays")
    assert sim.requests.count(Command.READ_TEXT_PHOTO) == reads == 3, "no read after the third failure"
    assert len([e for e in events.drain() if isinstance(e, ReaderFault)]) == 1, "one fault for one placement"
    sim.remove()
    since = len(sim.requests)
    # Gone is find and select both failing; the find after that is the driver looking for a new card.
    wait_for(lambda: Command.FIND_CARD in _after(sim.requests[since:], Command.SELECT_CARD), "it to be seen gone")
    sim.present(CARD)
    assert events.next(IdCardRead).name == "李四"


def test_a_noisy_line_gives_identical_fault_messages(sim: SimIdCardReader, events: Events, running) -> None:
    running(make_reader(sim, events))
    events.next(ReaderAttached)
    for n in range(12):
        sim.inject(("garbage", "bad_checksum", "truncated")[n % 3], on=Command.FIND_CARD)
    faults = [events.next(ReaderFault) for _ in range(12)]
    wait_for(lambda: sim.requests.count(Command.FIND_CARD) >= 14, "two clean polls after the noise")
    assert [e for e in events.drain() if isinstance(e, ReaderFault)] == faults, "one fault per spoiled answer"
    assert {(f.reason, f.message) for f in faults} == {
        ("protocol_error", "FIND_CARD: skipped bytes that were not part of a frame"),
        ("protocol_error", "FIND_CARD: frame checksum mismatch"),
        ("protocol_error", "FIND_CARD: frame truncated"),
    }


def test_two_readers_of_the_same_kind_each_read_their_own_card(events: Events, running) -> None:
    other = SimCard(name="陈大文", kind="J", id_number="810000198505120022", permit_number="H60012345")
    with SimIdCardReader() as left, SimIdCardReader() as right:
        running(make_reader(left, events, reader_id="usb-left"))
        running(make_reader(right, events, reader_id="usb-right"))
        attached = {events.next(ReaderAttached).reader_id, events.next(ReaderAttached).reader_id}
        assert attached == {"usb-left", "usb-right"}
        left.present(CARD)
        right.present(other)
        reads = {(e.reader_id, e.name) for e in (events.next(IdCardRead), events.next(IdCardRead))}
        assert reads == {("usb-left", "李四"), ("usb-right", "陈大文")}
        right.remove()
        assert events.next(CardRemoved) == CardRemoved("usb-right")
        left.unplug()
        assert events.next(ReaderDetached).reader_id == "usb-left"
