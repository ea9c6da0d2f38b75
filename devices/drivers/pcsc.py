"""Our snake_case adapter over pyscard's PC/SC binding; the only module that imports ``smartcard``.

``PcscContext`` wraps one ``SCardEstablishContext``: list readers, wait for a card-state change
(``SCardGetStatusChange`` with a timeout, so a reader thread can poll its stop event), connect.
``PcscConnection.transmit`` has the ``(data, sw1, sw2)`` shape ``devices.drivers.ssc_apdu`` expects. Every
failure raises ``PcscError`` with the PC/SC error text: ``PcscUnavailable`` when pcscd is not there or
went away, ``CardGone`` when the card left or was reset, ``CardNotTalking`` when an exchange failed in a
way that a card pulled mid-read and a badly placed card both cause (the caller looks at the reader
state to tell which).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import cast

from devices.errors import DeviceError


class PcscError(DeviceError):
    """A PC/SC call failed; ``code`` is the PC/SC result code."""

    def __init__(self, call: str, code: int, text: str) -> None:
        super().__init__(f"{call}: {text} (0x{code & 0xFFFFFFFF:08X})")
        self.call = call
        self.code = code


class PcscUnavailable(PcscError):
    """pcscd is not running, was restarted, or pyscard is not installed: reconnect later."""


class CardGone(PcscError):
    """The card was removed, unpowered or reset while we were talking to it."""


class CardNotTalking(PcscError):
    """The exchange failed: the card was pulled mid-read (pcsc-lite often says "not transacted"), or it
    sits badly, upside down or mute. Only the reader state afterwards tells the two apart."""


def _scard() -> ModuleType:
    try:
        from smartcard import scard
    except ImportError as err:  # pragma: no cover - depends on the machine
        raise PcscUnavailable("import smartcard", 0, f"pyscard is not installed ({err})") from err
    return cast(ModuleType, scard)  # pyscard ships no types: mypy sees Any


_SERVICE_GONE = (
    "SCARD_E_NO_SERVICE",
    "SCARD_E_SERVICE_STOPPED",
    "SCARD_E_INVALID_HANDLE",
    "SCARD_E_NO_READERS_AVAILABLE",
    "SCARD_E_READER_UNAVAILABLE",
    "SCARD_E_UNKNOWN_READER",
)
_CARD_GONE = (
    "SCARD_W_REMOVED_CARD",  # 0x80100069
    "SCARD_W_RESET_CARD",  # 0x80100068
    "SCARD_W_UNPOWERED_CARD",  # 0x80100067
    "SCARD_E_NO_SMARTCARD",  # 0x8010000C
)
_CARD_NOT_TALKING = (
    "SCARD_E_NOT_TRANSACTED",  # 0x80100016: what a card pulled mid-APDU usually gives
    "SCARD_F_COMM_ERROR",  # 0x80100013
    "SCARD_E_COMM_DATA_LOST",  # 0x8010002F
    "SCARD_W_UNRESPONSIVE_CARD",  # 0x80100066: no answer to reset (mute, upside down)
    "SCARD_W_UNSUPPORTED_CARD",  # 0x80100065: the ATR does not parse
    "SCARD_E_PROTO_MISMATCH",  # 0x8010000F
)


def _check(scard: ModuleType, call: str, result: int) -> None:
    if result == scard.SCARD_S_SUCCESS:
        return
    text = scard.SCardGetErrorMessage(result)
    if any(result == getattr(scard, name, None) for name in _SERVICE_GONE):
        raise PcscUnavailable(call, result, text)
    if any(result == getattr(scard, name, None) for name in _CARD_GONE):
        raise CardGone(call, result, text)
    if any(result == getattr(scard, name, None) for name in _CARD_NOT_TALKING):
        raise CardNotTalking(call, result, text)
    raise PcscError(call, result, text)


@dataclass(frozen=True)
class ReaderState:
    """What ``wait_for_change`` saw: whether a card is present, its ATR, and the raw state for the next wait.

    ``card_present`` means present and answering; ``mute`` a card that is in the slot but gave no answer
    to reset (upside down, dirty contacts). ``events`` counts insertions and removals (pcsc-lite keeps it
    in the upper 16 bits of the state): a different count with a card still present means the card was
    swapped between two looks.
    """

    reader: str
    card_present: bool
    atr: bytes
    raw_state: int
    mute: bool = False
    events: int = 0


class PcscConnection:
    """A connection to the card in one reader."""

    def __init__(self, scard: ModuleType, handle: int, protocol: int) -> None:
        self._scard = scard
        self._handle = handle
        self._protocol = protocol
        self._closed = False

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        result, response = self._scard.SCardTransmit(self._handle, self._protocol, list(apdu))
        _check(self._scard, "SCardTransmit", result)
        if len(response) < 2:
            # What vpcd (and some readers) give when the card went away mid-exchange.
            raise CardNotTalking("SCardTransmit", 0, f"response of {len(response)} bytes has no status word")
        return bytes(response[:-2]), response[-2], response[-1]

    def close(self, *, unpower: bool = True) -> None:
        """Disconnect; ``unpower=False`` when the card is known to be gone.

        Unpowering a card that has already left makes pcsc-lite mark the slot empty behind its own
        event handler's back, and a card inserted within the next poll (400 ms) is then never
        reported (seen with vpcd).
        """
        if self._closed:
            return
        self._closed = True
        disposition = self._scard.SCARD_UNPOWER_CARD if unpower else self._scard.SCARD_LEAVE_CARD
        self._scard.SCardDisconnect(self._handle, disposition)


class PcscContext:
    """One PC/SC context. ``close()`` is safe to call twice."""

    def __init__(self) -> None:
        self._scard = _scard()
        result, self._context = self._scard.SCardEstablishContext(self._scard.SCARD_SCOPE_USER)
        _check(self._scard, "SCardEstablishContext", result)
        self._closed = False

    def list_readers(self) -> list[str]:
        result, readers = self._scard.SCardListReaders(self._context, [])
        if result == getattr(self._scard, "SCARD_E_NO_READERS_AVAILABLE", None):
            return []
        _check(self._scard, "SCardListReaders", result)
        return list(readers)

    def wait_for_change(self, reader: str, known_state: int, timeout: float) -> ReaderState | None:
        """Block up to ``timeout`` s for ``reader`` to differ from ``known_state``; None on timeout."""
        scard = self._scard
        result, states = scard.SCardGetStatusChange(self._context, int(timeout * 1000), [(reader, known_state)])
        if result == scard.SCARD_E_TIMEOUT:
            return None
        _check(scard, "SCardGetStatusChange", result)
        name, event_state, atr = states[0]
        if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            raise PcscUnavailable("SCardGetStatusChange", 0, f"reader {name!r} is gone")
        in_slot = bool(event_state & scard.SCARD_STATE_PRESENT)
        mute = in_slot and bool(event_state & scard.SCARD_STATE_MUTE)
        return ReaderState(
            name,
            in_slot and not mute,
            bytes(atr),
            event_state & ~scard.SCARD_STATE_CHANGED,
            mute=mute,
            events=(event_state >> 16) & 0xFFFF,
        )

    def connect(self, reader: str) -> PcscConnection:
        scard = self._scard
        result, handle, protocol = scard.SCardConnect(
            self._context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        _check(scard, "SCardConnect", result)
        return PcscConnection(scard, handle, protocol)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._scard.SCardReleaseContext(self._context)


UNAWARE = 0  # SCARD_STATE_UNAWARE: the first wait returns the current state at once


def list_readers() -> list[str]:
    """Reader names pcscd knows now (a short-lived context)."""
    context = PcscContext()
    try:
        return context.list_readers()
    finally:
        context.close()
