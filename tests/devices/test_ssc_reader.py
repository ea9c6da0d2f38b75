"""The social-security card reader's card lifecycle over a fake PC/SC context: faults, pulls, swaps.

The real stack (pcscd + vpcd) is in test_ssc_pcsc.py; it cannot make pcscd miss a removal, or show a
mute card, so those cases are driven here through ``FakeContext``, which behaves like
``SCardGetStatusChange`` (it answers when the slot differs from the state the caller knows).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

import pytest

from devices.drivers import pcsc
from devices.drivers.ssc_reader import MAX_ATTEMPTS, SocialSecurityCardReader
from devices.events import CardRemoved, ReaderAttached, ReaderFault, SocialSecurityCardRead
from devices.simulators.ssc_card import PEOPLE, VirtualSscCard

READER = "Fake CCID 00 00"
DEADLINE = 5.0
_EMPTY, _PRESENT, _MUTE = 0x10, 0x20, 0x200  # SCARD_STATE_* flags

Transmit = Callable[[bytes], tuple[bytes, int, int]]


def card_transmit(card: VirtualSscCard) -> Transmit:
    def transmit(command: bytes) -> tuple[bytes, int, int]:
        answer = card.process(command)
        return answer[:-2], answer[-2], answer[-1]

    return transmit


class Slot:
    """The reader's slot: what is in it, and pcsc-lite's insert/remove counter."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.transmit: Transmit | None = None
        self.mute = False
        self.events = 0

    def state(self) -> pcsc.ReaderState:
        present = self.transmit is not None or self.mute
        flags = (_PRESENT | (_MUTE if self.mute else 0)) if present else _EMPTY
        return pcsc.ReaderState(
            READER,
            present and not self.mute,
            b"",
            (self.events << 16) | flags,
            mute=self.mute,
            events=self.events,
        )

    def put(self, transmit: Transmit | None = None, *, mute: bool = False, counted: int = 1) -> None:
        """Insert a card (``counted`` insert/remove events since the last look), or empty the slot."""
        with self.changed:
            self.transmit, self.mute = transmit, mute
            self.events += counted
            self.changed.notify_all()


class FakeConnection:
    def __init__(self, slot: Slot) -> None:
        self.slot = slot

    def transmit(self, command: bytes) -> tuple[bytes, int, int]:
        transmit = self.slot.transmit
        if transmit is None:
            raise pcsc.CardGone("SCardTransmit", 0x80100069, "The smart card has been removed")
        return transmit(command)

    def close(self, *, unpower: bool = True) -> None:
        pass


class FakeContext:
    """``PcscContext`` over a ``Slot``; anything it does not implement raises AttributeError."""

    def __init__(self, slot: Slot) -> None:
        self.slot = slot

    def list_readers(self) -> list[str]:
        return [READER]

    def wait_for_change(self, reader: str, known_state: int, timeout: float) -> pcsc.ReaderState | None:
        with self.slot.changed:
            if not self.slot.changed.wait_for(lambda: self.slot.state().raw_state != known_state, timeout):
                return None
            return self.slot.state()

    def connect(self, reader: str) -> FakeConnection:
        if self.slot.transmit is None:
            raise pcsc.CardNotTalking("SCardConnect", 0x80100066, "The smart card is not responding to a reset")
        return FakeConnection(self.slot)

    def close(self) -> None:
        pass


class Events:
    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.all: list = []

    def __call__(self, event) -> None:
        self.all.append(event)
        self.queue.put(event)

    def next(self, kind: type, timeout: float = DEADLINE):
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if isinstance(event, kind):
                return event
        raise AssertionError(f"no {kind.__name__} within {timeout} s; saw {self.all!r}")

    def of(self, kind: type) -> list:
        return [e for e in self.all if isinstance(e, kind)]


@pytest.fixture
def slot_reader():
    slot = Slot()
    events = Events()
    reader = SocialSecurityCardReader(
        events, reader_name=READER, poll_timeout=0.05, settle_timeout=0.3, context_factory=lambda: FakeContext(slot)
    )
    reader.start()
    events.next(ReaderAttached)
    yield slot, events
    reader.stop()


def test_a_card_swapped_between_two_looks_ends_the_first_and_reads_the_second(slot_reader):
    slot, events = slot_reader
    slot.put(card_transmit(VirtualSscCard(PEOPLE[0])))
    assert events.next(SocialSecurityCardRead).id_number == PEOPLE[0].id_number
    # Out and in again before pcscd's next look: present both times, the counter moved by two.
    slot.put(card_transmit(VirtualSscCard(PEOPLE[3])), counted=2)
    second = events.next(SocialSecurityCardRead)
    assert second.id_number == PEOPLE[3].id_number
    assert [type(e) for e in events.all[-3:]] == [SocialSecurityCardRead, CardRemoved, SocialSecurityCardRead]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("SCARD_W_REMOVED_CARD", pcsc.CardGone),
        ("SCARD_W_RESET_CARD", pcsc.CardGone),
        ("SCARD_E_NO_SMARTCARD", pcsc.CardGone),
        ("SCARD_W_UNPOWERED_CARD", pcsc.CardGone),
        ("SCARD_E_NOT_TRANSACTED", pcsc.CardNotTalking),
        ("SCARD_F_COMM_ERROR", pcsc.CardNotTalking),
        ("SCARD_W_UNRESPONSIVE_CARD", pcsc.CardNotTalking),
    ],
)
def test_pcsc_codes_of_a_card_out_of_reach_are_not_plain_errors(name, error):
    scard = pytest.importorskip("smartcard.scard", reason="pyscard is not installed")
    with pytest.raises(error) as info:
        pcsc._check(scard, "SCardTransmit", getattr(scard, name))
    assert f"0x{getattr(scard, name) & 0xFFFFFFFF:08X}" in str(info.value)


@pytest.mark.parametrize(
    "error",
    [
        pcsc.CardGone("SCardTransmit", 0x80100069, "removed"),
        pcsc.CardGone("SCardTransmit", 0x80100068, "reset"),
        pcsc.CardGone("SCardTransmit", 0x8010000C, "no smart card"),
        pcsc.CardGone("SCardTransmit", 0x80100067, "unpowered"),
        pcsc.CardNotTalking("SCardTransmit", 0x80100016, "not transacted"),
    ],
)
def test_a_card_pulled_mid_read_is_card_gone_not_a_fault(slot_reader, error):
    slot, events = slot_reader
    card = VirtualSscCard(PEOPLE[0])
    answered = 0

    def pulled_after_three(command: bytes) -> tuple[bytes, int, int]:
        nonlocal answered
        if answered == 3:
            slot.put(None)  # the citizen takes the card away; pcscd sees the slot empty
            raise error
        answered += 1
        return card_transmit(card)(command)

    slot.put(pulled_after_three)
    events.next(CardRemoved)
    assert not events.of(ReaderFault) and not events.of(SocialSecurityCardRead)
    slot.put(card_transmit(VirtualSscCard(PEOPLE[1])))
    assert events.next(SocialSecurityCardRead).id_number == PEOPLE[1].id_number
    assert not events.of(ReaderFault)


def test_a_card_that_stays_but_keeps_failing_is_unreadable_with_a_reposition_hint(slot_reader):
    slot, events = slot_reader
    calls = 0

    def not_transacted(command: bytes) -> tuple[bytes, int, int]:
        nonlocal calls
        calls += 1
        raise pcsc.CardNotTalking("SCardTransmit", 0x80100016, "Transaction failed")

    slot.put(not_transacted)
    fault = events.next(ReaderFault, timeout=MAX_ATTEMPTS * 2 + DEADLINE)
    assert (fault.reason, fault.hint, fault.card_lost) == ("unreadable_card", "reposition", False)
    assert calls == MAX_ATTEMPTS
    assert not events.of(CardRemoved)


def test_a_mute_card_in_the_slot_asks_to_reposition_it_once(slot_reader):
    slot, events = slot_reader
    slot.put(mute=True)
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint) == ("unreadable_card", "reposition")
    slot.put(None)  # taken out ...
    slot.put(card_transmit(VirtualSscCard(PEOPLE[2])))  # ... and put back the right way up
    assert events.next(SocialSecurityCardRead).id_number == PEOPLE[2].id_number
    assert len(events.of(ReaderFault)) == 1 and not events.of(CardRemoved)


@pytest.mark.parametrize(
    ("spoil", "hint"),
    [
        (lambda card: card.ef06.__setitem__(0x08, b"62010219850312001X"), ""),  # bad check character
        (lambda card: card.ef06.__setitem__(0x09, b"\xff\xfe" + b"\x00" * 28), ""),  # name not GBK
        (lambda card: card.ef05.__setitem__(0x01, b"\xff" * 16), ""),  # card id code without a region
    ],
)
def test_a_card_with_bad_data_is_an_unreadable_card_fault(slot_reader, spoil, hint):
    slot, events = slot_reader
    card = VirtualSscCard(PEOPLE[0])
    spoil(card)
    slot.put(card_transmit(card))
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint, fault.card_lost) == ("unreadable_card", hint, False)
    assert PEOPLE[0].id_number[:6] not in fault.message


def test_a_third_generation_card_that_hides_even_its_number_needs_a_psam(slot_reader):
    slot, events = slot_reader
    card = VirtualSscCard(PEOPLE[1], generation=3)
    process = card.process

    def hide_card_number(command: bytes) -> bytes:
        if command[:3] == bytes([0x00, 0xB2, 0x07]):
            return b"\x69\x82"
        return process(command)

    card.process = hide_card_number  # type: ignore[method-assign]
    slot.put(card_transmit(card))
    fault = events.next(ReaderFault)
    assert (fault.reason, fault.hint) == ("unreadable_card", "needs_psam")


def test_a_third_generation_card_without_psam_is_a_read_not_a_fault(slot_reader):
    slot, events = slot_reader
    slot.put(card_transmit(VirtualSscCard(PEOPLE[1], generation=3)))
    event = events.next(SocialSecurityCardRead)
    assert event.generation == 3 and not event.personal_fields_available
    assert not events.of(ReaderFault)
