"""The vendor-library ID card driver, against a stand-in shared library compiled here from C.

The stand-in (``vendor_standin.c``) behaves as the test's control files say: no card, a card with a
text block, a failing read, a reader that is not there. The text block is built in this file from
the field offsets of docs/cards.md §2, not with the project's simulator or encoder.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from devices.agent.config import AgentConfigError, parse_agent_config
from devices.drivers.vendor_idcard import (
    OUTPUT_BUFFER,
    LibraryUnavailable,
    VendorIdCardReader,
    VendorLibrarySettings,
    VendorSymbols,
    check_library,
)
from devices.events import CardRemoved, DocumentKind, IdCardRead, ReaderAttached, ReaderDetached, ReaderFault

SOURCE = Path(__file__).with_name("vendor_standin.c")
DEADLINE = 5.0

# GB 11643-1999's own example number (check character X) and a second valid one.
ID_NUMBER = "11010519491231002X"
OTHER_ID_NUMBER = "440524188001010014"


def text_block(
    name: str = "李四", sex: str = "2", nation: str = "03", birth: str = "19491231", id_number: str = ID_NUMBER
) -> bytes:
    """A resident card's 256-byte text block, laid out by hand from docs/cards.md §2 (UCS-2LE, space-padded)."""
    fields = [  # (offset, length in bytes, text)
        (0, 30, name),
        (30, 2, sex),
        (32, 4, nation),
        (36, 16, birth),
        (52, 70, "北京市朝阳区建国路8号"),
        (122, 36, id_number),
        (158, 30, "北京市公安局朝阳分局"),
        (188, 16, "20100101"),
        (204, 16, "长期"),
        (220, 36, ""),
    ]
    block = b""
    for offset, length, text in fields:
        assert len(block) == offset
        raw = text.encode("utf-16-le")
        block += raw + b"\x20\x00" * ((length - len(raw)) // 2)
    assert len(block) == 256
    return block


class StandIn:
    """A freshly compiled stand-in library and its control directory."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("cc") is None:
            pytest.skip("no C compiler (cc) to build the stand-in vendor library")
        self.folder = folder
        self.library = folder / "libstandin.so"
        define = f'-DSTANDIN_DIR="{folder}"'
        subprocess.run(
            ["cc", "-shared", "-fPIC", "-O1", define, "-o", str(self.library), str(SOURCE)],
            check=True,
            capture_output=True,
        )
        self.set("none")

    def set(self, state: str, card: bytes | None = None) -> None:
        if card is not None:
            (self.folder / "card.bin.new").write_bytes(card)
            os.replace(self.folder / "card.bin.new", self.folder / "card.bin")
        (self.folder / "state.new").write_text(state)
        os.replace(self.folder / "state.new", self.folder / "state")

    def calls(self) -> list[str]:
        try:
            return (self.folder / "calls").read_text().splitlines()
        except FileNotFoundError:
            return []

    def settings(self, **overrides) -> VendorLibrarySettings:
        values = {"library": str(self.library), "poll_seconds": 0.02, "workdir": str(self.folder), "name": "vendor-1"}
        values.update(overrides)
        return VendorLibrarySettings(**values)


@pytest.fixture
def standin(tmp_path):
    return StandIn(tmp_path)


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.seen: list = []

    def __call__(self, event) -> None:
        self.queue.put(event)

    def next(self, kind: type, timeout: float = DEADLINE):
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.queue.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(event)
            if isinstance(event, kind):
                return event
        raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {self.seen!r}")

    def drain(self) -> list:
        items = []
        while True:
            try:
                items.append(self.queue.get_nowait())
            except queue.Empty:
                return items


@pytest.fixture
def run_reader():
    readers = []

    def start(settings: VendorLibrarySettings) -> tuple[VendorIdCardReader, Events]:
        events = Events()
        reader = VendorIdCardReader(settings, events, reopen_backoff=(0.02, 0.1))
        reader.start()
        readers.append(reader)
        return reader, events

    yield start
    for reader in readers:
        reader.stop()


def test_card_on_a_files_style_library_is_read_and_its_files_deleted(standin, run_reader, caplog):
    caplog.set_level(logging.DEBUG)
    reader, events = run_reader(standin.settings())
    events.next(ReaderAttached)
    standin.set("card", text_block())
    read = events.next(IdCardRead)
    assert (read.kind, read.name, read.id_number, read.sex, read.nation) == (
        DocumentKind.RESIDENT,
        "李四",
        ID_NUMBER,
        "女",
        "回",
    )
    assert (read.birth_date, read.valid_to, read.reader_id) == ("19491231", "长期", "vendor-1")
    assert "InitComm 1001" in standin.calls() and "Read_Content 1" in standin.calls()
    # The text and the photo the library wrote do not outlive the read.
    assert not (standin.folder / "wz.txt").exists() and not (standin.folder / "zp.wlt").exists()
    assert ID_NUMBER not in caplog.text and "李四" not in caplog.text
    assert reader.last_read_seconds is not None


def test_card_taken_away_is_reported_once_after_the_configured_misses(standin, run_reader):
    _reader, events = run_reader(standin.settings(removal_misses=3))
    standin.set("card", text_block())
    events.next(IdCardRead)
    standin.set("none")
    events.next(CardRemoved)
    calls = standin.calls()
    last_read = max(i for i, call in enumerate(calls) if call.startswith("Read_Content"))
    assert calls[last_read + 1 :].count("Authenticate 0") >= 3
    standin.set("card", text_block())
    assert isinstance(events.next(IdCardRead), IdCardRead)
    assert [e for e in events.seen if isinstance(e, CardRemoved)] == [CardRemoved("vendor-1")]


def test_a_card_lying_still_is_read_once(standin, run_reader):
    _reader, events = run_reader(standin.settings())
    standin.set("card", text_block())
    events.next(IdCardRead)
    before = len(standin.calls())
    # Wait for ten more polls of the same card, then check nothing more was reported.
    deadline = time.monotonic() + DEADLINE
    while standin.calls()[before:].count("Authenticate 0") < 10 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert standin.calls()[before:].count("Authenticate 0") >= 10
    assert [e for e in events.drain() if not isinstance(e, ReaderAttached)] == []


def test_a_card_swapped_between_two_polls_is_a_removal_then_a_new_read(standin, run_reader):
    _reader, events = run_reader(standin.settings())
    standin.set("card", text_block())
    events.next(IdCardRead)
    standin.set("card", text_block(name="王五", sex="1", birth="18800101", id_number=OTHER_ID_NUMBER))
    events.next(CardRemoved)
    second = events.next(IdCardRead)
    assert (second.name, second.id_number) == ("王五", OTHER_ID_NUMBER)


def test_the_buffer_style_reads_through_caller_buffers(standin, run_reader):
    settings = standin.settings(output=OUTPUT_BUFFER, symbols=VendorSymbols(read="ReadBaseMsg"), read_mode=3)
    _reader, events = run_reader(settings)
    standin.set("card", text_block())
    assert events.next(IdCardRead).id_number == ID_NUMBER
    assert "ReadBaseMsg 3" in standin.calls()


def test_a_buffer_length_beyond_the_buffer_is_a_fault_not_a_crash(standin, run_reader):
    settings = standin.settings(output=OUTPUT_BUFFER, symbols=VendorSymbols(read="ReadBaseMsg"))
    reader, events = run_reader(settings)
    standin.set("huge_length", text_block())
    fault = events.next(ReaderFault)
    assert "1000000 bytes" in fault.message and fault.hint == "reposition"
    assert reader.running


@pytest.mark.parametrize(
    ("state", "card", "expected"),
    [
        ("fail_read", text_block(), "Read_Content(1) returned -4"),
        ("no_file", text_block(), "wz.txt cannot be read"),
        ("short", text_block(), "gave 100 bytes of text, expected 256"),
        ("card", b"\x00\xd8" * 128, "not valid UCS-2LE"),  # unpaired surrogates: garbage from the library
        ("card", text_block(id_number="110105194912310021"), "id_number"),  # wrong check character
        ("crazy_codes", text_block(), None),  # Authenticate answers nonsense: treated as no card
    ],
)
def test_garbage_from_the_library_is_a_fault_and_the_reader_carries_on(standin, run_reader, state, card, expected):
    reader, events = run_reader(standin.settings())
    events.next(ReaderAttached)
    standin.set(state, card)
    if expected is None:
        deadline = time.monotonic() + DEADLINE
        while standin.calls().count("Authenticate 0") < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert standin.calls().count("Authenticate 0") >= 5
        assert not any(isinstance(e, IdCardRead | ReaderFault) for e in events.drain())
    else:
        fault = events.next(ReaderFault)
        assert expected in fault.message and fault.reason == "unreadable_card"
        assert ID_NUMBER not in fault.message
    # the same reader then reads a good card
    standin.set("card", text_block(name="王五", id_number=OTHER_ID_NUMBER))
    assert events.next(IdCardRead).name == "王五"
    assert reader.running


def test_a_text_file_left_from_before_never_passes_for_a_read(standin, run_reader):
    (standin.folder / "wz.txt").write_bytes(text_block())  # left by another program or an earlier crash
    _reader, events = run_reader(standin.settings())
    events.next(ReaderAttached)
    standin.set("no_file", text_block())  # the library says it read, but writes nothing
    assert "wz.txt cannot be read" in events.next(ReaderFault).message
    assert not any(isinstance(e, IdCardRead) for e in events.seen)


def test_a_reader_that_is_not_there_is_detached_once_and_attaches_when_it_comes(standin, run_reader):
    standin.set("no_reader")
    _reader, events = run_reader(standin.settings())
    detached = events.next(ReaderDetached)
    assert "InitComm(1001) returned 0" in detached.reason
    deadline = time.monotonic() + DEADLINE
    while sum(c.startswith("InitComm") for c in standin.calls()) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    standin.set("none")
    events.next(ReaderAttached)
    assert [e for e in events.seen if isinstance(e, ReaderDetached)] == [detached]


def test_a_library_that_cannot_load_is_one_fault_naming_its_path(tmp_path, run_reader):
    missing = tmp_path / "libnothere.so"
    reader, events = run_reader(VendorLibrarySettings(library=str(missing), name="vendor-x"))
    fault = events.next(ReaderFault)
    assert str(missing) in fault.message and fault.reason == "library_error"
    not_a_library = tmp_path / "libtext.so"
    not_a_library.write_text("not an ELF file")
    with pytest.raises(LibraryUnavailable, match=str(not_a_library)):
        check_library(VendorLibrarySettings(library=str(not_a_library)))
    assert reader.running
    assert not any(isinstance(e, ReaderFault) for e in events.drain())  # not repeated on every retry


def test_a_missing_symbol_names_the_symbol_and_its_key(standin, run_reader):
    settings = standin.settings(symbols=VendorSymbols(close="CVR_CloseComm"))
    with pytest.raises(LibraryUnavailable, match=r"no symbol 'CVR_CloseComm' \(symbols.close\)"):
        check_library(settings)
    _reader, events = run_reader(settings)
    assert "CVR_CloseComm" in events.next(ReaderFault).message


def test_check_library_probes_the_reader(standin):
    assert "InitComm(1001) answered" in check_library(standin.settings(), probe=True)
    assert standin.calls()[-1] == "CloseComm 0"


def test_start_and_stop_are_safe_twice_and_close_the_reader(standin):
    events = Events()
    reader = VendorIdCardReader(standin.settings(), events)
    reader.stop()  # before start
    reader.start()
    reader.start()
    events.next(ReaderAttached)
    reader.stop()
    reader.stop()
    assert not reader.running
    calls = standin.calls()
    assert sum(c.startswith("InitComm") for c in calls) == 1 and calls[-1] == "CloseComm 0"


def _config(**vendor):
    base = {"server": {"url": "http://hall.example"}, "device": {"key": "k", "credential": "c"}}
    return parse_agent_config({**base, "idcard_vendor": [vendor]})


def test_config_reads_an_idcard_vendor_section():
    config = _config(
        library="/opt/vendor/libtermb.so", port=1002, output="buffer", symbols={"init": "CVR_InitComm"}, name="front"
    )
    (settings,) = config.vendor_readers
    assert (settings.library, settings.port, settings.output, settings.reader_id) == (
        "/opt/vendor/libtermb.so",
        1002,
        "buffer",
        "front",
    )
    assert settings.symbols == VendorSymbols(init="CVR_InitComm", read="ReadBaseMsg")


@pytest.mark.parametrize(
    ("vendor", "key"),
    [
        ({}, "idcard_vendor[0].library: missing"),
        ({"library": "libtermb.so"}, "idcard_vendor[0].library: expected an absolute path"),
        ({"library": "/l.so", "port": "1001"}, "idcard_vendor[0].port: expected a whole number"),
        ({"library": "/l.so", "port": 70000}, "idcard_vendor[0].port: expected 0..65535"),
        ({"library": "/l.so", "output": "pipe"}, "idcard_vendor[0].output: expected one of files, buffer"),
        ({"library": "/l.so", "poll_seconds": 0}, "idcard_vendor[0].poll_seconds"),
        ({"library": "/l.so", "symbols": {"read": "Read Content"}}, "idcard_vendor[0].symbols.read: expected a C"),
        ({"library": "/l.so", "symbols": {"open": "X"}}, "idcard_vendor[0].symbols.open: unknown key"),
        ({"library": "/l.so", "symbols": "InitComm"}, "idcard_vendor[0].symbols: expected a table"),
        ({"library": "/l.so", "text_file": "../wz.txt"}, "idcard_vendor[0].text_file"),
        ({"library": "/l.so", "removal_misses": 0}, "idcard_vendor[0].removal_misses: expected 1..100"),
        ({"library": "/l.so", "libary": "/x.so"}, "idcard_vendor[0].libary: unknown key"),
    ],
)
def test_config_errors_name_the_key(vendor, key):
    with pytest.raises(AgentConfigError) as caught:
        _config(**vendor)
    assert str(caught.value).startswith(key)


def test_two_vendor_readers_need_distinct_ids():
    base = {"server": {"url": "http://hall.example"}, "device": {"key": "k", "credential": "c"}}
    with pytest.raises(AgentConfigError, match=r"^idcard_vendor\[1\]: a second reader"):
        parse_agent_config({**base, "idcard_vendor": [{"library": "/l.so"}, {"library": "/l.so"}]})


class RecordingLink:
    """The agent's link, connected, recording sends; anything else raises."""

    connected = True

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def wait_connected(self, timeout: float) -> bool:
        return True

    def send(self, name: str, payload: dict) -> dict:
        self.sent.append((name, payload))
        return {"ok": True}

    def __getattr__(self, name: str):
        raise NotImplementedError(f"RecordingLink.{name}")


def test_the_agent_builds_the_vendor_driver_from_its_configuration(standin):
    from devices.agent.supervisor import Agent

    config = parse_agent_config(
        {
            "server": {"url": "http://hall.example"},
            "device": {"key": "k", "credential": "c"},
            "agent": {"hotplug": False, "pcsc": False},
            "idcard_vendor": [
                {"library": str(standin.library), "workdir": str(standin.folder), "poll_seconds": 0.02, "name": "v1"}
            ],
        }
    )
    link = RecordingLink()
    agent = Agent(config, link=link)
    standin.set("card", text_block())
    agent.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not any(name == "card_read" for name, _ in link.sent) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        agent.stop()
    statuses = [p for name, p in link.sent if name == "reader_status"]
    reads = [p for name, p in link.sent if name == "card_read"]
    assert statuses[0]["reader_id"] == "v1" and statuses[0]["kind"] == "idcard_serial"
    assert len(reads) == 1 and reads[0]["identity"]["id_number"] == ID_NUMBER and reads[0]["source"] == "idcard"
