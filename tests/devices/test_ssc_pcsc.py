"""The real PC/SC stack: pcscd + vsmartcard's vpcd + our virtual card, read by our driver.

Skips (with the reason) when pcscd, the vpcd driver or pyscard is missing, or pcscd will not start
here; CI installs them (``./dev.sh test``).
"""

from __future__ import annotations

import logging
import queue
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from devices.drivers.ssc_card import PSAM_MESSAGE, PinStatus
from devices.events import CardRemoved, ReaderAttached, SocialSecurityCardRead
from devices.simulators.ssc_card import PEOPLE, VPCD_PORT, VirtualSscCard, VpcdCardSocket

DEADLINE = 10.0
READER = "Virtual PCD 00 00"

# pcscd is one daemon per machine: under xdist these tests share one worker.
pytestmark = pytest.mark.xdist_group("pcscd")


def _vpcd_driver() -> Path | None:
    for conf in sorted(Path("/etc/reader.conf.d").glob("*")):
        text = conf.read_text(errors="replace")
        match = re.search(r"^\s*LIBPATH\s+(\S*vpcd\S*)", text, re.MULTILINE)
        if match and Path(match.group(1)).exists():
            return Path(match.group(1))
    return None


def _wait(condition, what: str, timeout: float = DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Pcscd:
    """A ``pcscd --foreground`` subprocess we own."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["pcscd", "--foreground"], stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def reader_listed(self) -> bool:
        from devices.drivers import pcsc

        try:
            return READER in pcsc.list_readers()
        except pcsc.PcscError:
            return False

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-800:]


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory):
    if shutil.which("pcscd") is None:
        pytest.skip("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
    if _vpcd_driver() is None:
        pytest.skip(
            "the vsmartcard-vpcd driver is not configured in /etc/reader.conf.d (apt-get install vsmartcard-vpcd)"
        )
    pytest.importorskip("smartcard", reason="pyscard is not installed (pip install pyscard)")
    # A daemon of ours that is still shutting down (a module fixture set up again under xdist)
    # goes away within seconds; anybody else's does not.
    deadline = time.monotonic() + 15
    while subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
        if time.monotonic() > deadline:
            running = subprocess.run(["pgrep", "-a", "pcscd"], capture_output=True, text=True).stdout.strip()
            pytest.skip(f"a pcscd is already running on this machine ({running}); these tests need to own theirs")
        time.sleep(0.2)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", VPCD_PORT)) == 0:
            pytest.skip(f"port {VPCD_PORT} (vpcd) is already taken by another process")
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log")
    daemon.start()
    try:
        _wait(daemon.reader_listed, f"pcscd to list {READER!r}")
    except AssertionError:
        daemon.stop()
        pytest.skip(f"pcscd did not start with the vpcd reader here: {daemon.log_tail()}")
    yield daemon
    daemon.stop()


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()

    def __call__(self, event) -> None:
        self.queue.put(event)

    def next(self, kind: type, timeout: float = DEADLINE):
        deadline = time.monotonic() + timeout
        seen = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if isinstance(event, kind):
                return event
            seen.append(event)
        raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {seen!r}")


@pytest.fixture
def reader(pcscd):
    from devices.drivers.ssc_reader import SocialSecurityCardReader

    events = Events()
    driver = SocialSecurityCardReader(events, reader_name=READER, reconnect_backoff=(0.1, 0.5))
    driver.start()
    events.next(ReaderAttached)
    yield driver, events
    driver.stop()
    driver.stop()  # safe twice
    assert not driver.running


def _reader_empty() -> bool:
    from devices.drivers import pcsc

    try:
        context = pcsc.PcscContext()
    except pcsc.PcscError:
        return False
    try:
        state = context.wait_for_change(READER, pcsc.UNAWARE, 0.1)
        return state is not None and not state.card_present
    except pcsc.PcscError:
        return False
    finally:
        context.close()


@pytest.fixture
def insert(pcscd):
    sockets = []

    def do(card: VirtualSscCard) -> VpcdCardSocket:
        sock = VpcdCardSocket(card)
        sockets.append(sock)
        sock.insert()
        return sock

    yield do
    for sock in sockets:
        sock.remove()
    # let vpcd notice the card left before the next test connects another one
    _wait(_reader_empty, "vpcd to report the reader empty")


def test_second_generation_card_is_read_end_to_end(reader, insert, caplog):
    caplog.set_level(logging.DEBUG)
    _driver, events = reader
    person = PEOPLE[2]
    insert(VirtualSscCard(person, generation=2, require_mf_first=True))
    event = events.next(SocialSecurityCardRead)
    assert (event.generation, event.id_number, event.name) == (2, person.id_number, "阿卜杜热合曼·买买提")
    assert (event.sex, event.nation, event.birth_date) == ("男", "维吾尔", person.birth_date)
    assert event.issue_date == "20200601" and event.expiry_date == "20300601"
    assert person.id_number not in caplog.text and person.name not in caplog.text


def test_third_generation_card_is_identified_on_the_psam_free_path(reader, insert):
    _driver, events = reader
    insert(VirtualSscCard(PEOPLE[1], generation=3, card_number="C30000001"))
    event = events.next(SocialSecurityCardRead)
    assert event.generation == 3 and event.card_number == "C30000001"
    assert not event.personal_fields_available and event.message == PSAM_MESSAGE and event.id_number == ""


def test_pin_right_wrong_and_locked(reader, insert):
    driver, events = reader
    insert(VirtualSscCard(PEOPLE[0], pin="123456", pin_tries=2))
    events.next(SocialSecurityCardRead)
    assert driver.verify_pin("123456").status is PinStatus.OK
    wrong = driver.verify_pin("654321")
    assert (wrong.status, wrong.tries_left) == (PinStatus.WRONG, 1)
    assert driver.verify_pin("654321").status is PinStatus.LOCKED
    assert driver.verify_pin("123456").status is PinStatus.LOCKED


def test_removal_emits_card_removed(reader, insert):
    _driver, events = reader
    card = insert(VirtualSscCard(PEOPLE[3]))
    events.next(SocialSecurityCardRead)
    card.remove()
    assert events.next(CardRemoved).reader_id == READER


def test_reader_recovers_by_itself_after_a_pcscd_restart(pcscd, reader, insert):
    _driver, events = reader
    person = PEOPLE[0]
    insert(VirtualSscCard(person))
    events.next(SocialSecurityCardRead)
    pcscd.stop()
    events.next(CardRemoved)
    pcscd.start()
    _wait(pcscd.reader_listed, "pcscd to come back")
    assert events.next(SocialSecurityCardRead, timeout=2 * DEADLINE).id_number == person.id_number
