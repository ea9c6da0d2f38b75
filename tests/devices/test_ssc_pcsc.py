"""The real PC/SC stack: pcscd + vsmartcard's vpcd + our virtual card, read by our driver.

Skips (with the reason) when pcscd, the vpcd driver or pyscard is missing, or pcscd will not start
here; CI installs them (``./dev.sh test``).
"""

from __future__ import annotations

import logging
import queue
import time

import pytest

from devices.drivers.ssc_card import PSAM_MESSAGE, PinStatus
from devices.events import CardRemoved, ReaderAttached, ReaderFault, SocialSecurityCardRead
from devices.simulators.ssc_card import PEOPLE, VirtualSscCard, VpcdCardSocket
from tests.support.pcscd import DEADLINE, READER, XDIST_GROUP, card_slot, running_pcscd
from tests.support.pcscd import wait as _wait

# pcscd is one daemon per machine: under xdist these tests share one worker.
pytestmark = pytest.mark.xdist_group(XDIST_GROUP)


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory):
    with running_pcscd(tmp_path_factory.mktemp("pcscd")) as daemon:
        yield daemon


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.all: list = []  # every event, in order, whether a test waited for it or not

    def __call__(self, event) -> None:
        self.all.append(event)
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


@pytest.fixture
def insert(pcscd):
    with card_slot() as do:
        yield do


def test_second_generation_card_is_read_end_to_end(reader, insert, caplog):
    caplog.set_level(logging.DEBUG)
    _driver, events = reader
    person = PEOPLE[2]
    insert(VirtualSscCard(person, generation=2, require_mf_first=True))
    event = events.next(SocialSecurityCardRead)
    assert (event.generation, event.id_number, event.name) == (2, person.id_number, "阿卜杜热合曼·买买提")
    assert (event.sex, event.nation, event.birth_date) == ("男", "维吾尔", person.birth_date)
    assert event.issue_date == "20200601" and event.expiry_date == "20300601"
    assert event.card_id_code.startswith(person.id_number[:6] + "D156000005") and len(event.card_id_code) == 32
    assert event.region_code == person.id_number[:6]
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


def test_card_pulled_mid_read_is_card_gone_not_a_fault(reader, insert):
    _driver, events = reader
    pulled = VpcdCardSocket(VirtualSscCard(PEOPLE[0]))
    pulled.pull_after(4)  # select SSSE, GET RESPONSE, select EF05, read EF05/01: then the card is gone
    pulled.insert()
    try:
        events.next(CardRemoved)
        assert not [e for e in events.all if isinstance(e, ReaderFault | SocialSecurityCardRead)]
    finally:
        pulled.remove()
    # nothing sticks: the next card is read as usual
    insert(VirtualSscCard(PEOPLE[1]))
    assert events.next(SocialSecurityCardRead).id_number == PEOPLE[1].id_number
    assert not [e for e in events.all if isinstance(e, ReaderFault)]


def test_card_swapped_within_0_3_s_ends_the_first_and_reads_the_second(reader, insert):
    _driver, events = reader
    first = insert(VirtualSscCard(PEOPLE[0]))
    assert events.next(SocialSecurityCardRead).id_number == PEOPLE[0].id_number
    first.remove()
    swapped_at = time.monotonic()
    insert(VirtualSscCard(PEOPLE[3]))
    assert time.monotonic() - swapped_at < 0.3
    second = events.next(SocialSecurityCardRead)
    assert second.id_number == PEOPLE[3].id_number
    kinds = [type(e) for e in events.all]
    last_read_of_first = max(
        i for i, e in enumerate(events.all) if e is not second and isinstance(e, SocialSecurityCardRead)
    )
    assert CardRemoved in kinds[last_read_of_first : events.all.index(second)], "the first card ends before the second"


def test_unreadable_card_is_a_fault_with_a_reason_and_the_next_card_reads(reader, insert):
    _driver, events = reader
    card = VirtualSscCard(PEOPLE[0])
    card.ef06[0x08] = b"62010219850312001X"  # wrong check character
    bad = insert(card)
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint, fault.card_lost) == ("unreadable_card", "", False)
    assert "620102" not in fault.message
    bad.remove()
    insert(VirtualSscCard(PEOPLE[1]))
    assert events.next(SocialSecurityCardRead).id_number == PEOPLE[1].id_number


def test_a_card_without_the_social_security_application_is_unsupported(reader, insert):
    _driver, events = reader
    card = VirtualSscCard(PEOPLE[0])
    card.process = lambda command: b"\x6a\x82"  # a bank card, say: no SSSE, no MF either
    insert(card)
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint) == ("unreadable_card", "unsupported_card")
