"""A virtual social-security card for vsmartcard's vpcd, in Python (tests and the demo).

``VirtualSscCard`` answers APDUs like a 1.0, 2.0 or 3.0 card of one synthetic person (docs/cards.md §1):
select MF / SSSE / EF05 / EF06, READ RECORD by tag with ``6Cxx`` on a wrong Le, ``61xx`` + GET
RESPONSE after selecting the SSSE, 3.0 access rules (``6982`` on EF06 and on EF05 records 05/06), and
a PIN with a tries counter and lock. ``VpcdCardSocket`` plugs it into vpcd: vpcd listens on
127.0.0.1:35963, the card connects; each message is a 2-byte big-endian length and a payload; a
1-byte payload is a control (0 power off, 1 power on, 2 reset, 4 get ATR), anything else an APDU.
``insert()`` connects (and reconnects if pcscd restarts), ``remove()`` disconnects, and
``pull_after(n)`` pulls the card mid-read: the APDU after the ``n``-th goes unanswered and the card stays out.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Final

from content.citizens.idnumbers import check_character
from devices.drivers.ssc_apdu import SSSE_AID

log = logging.getLogger(__name__)

VPCD_HOST: Final = "127.0.0.1"
VPCD_PORT: Final = 35963  # 0x8C7B, the CHANNELID of the "Virtual PCD 00 00" slot
ATR: Final = bytes.fromhex("3B80800101")
RID: Final = (
    "D156000005"  # the registered application provider id inside every card id code  # T=0 and T=1, no historical bytes
)

_CTRL_OFF, _CTRL_ON, _CTRL_RESET, _CTRL_ATR = 0, 1, 2, 4


@dataclass(frozen=True)
class SyntheticPerson:
    """A made-up card holder; ``id_number`` passes the GB 11643 check."""

    name: str
    id_number: str
    sex_code: str
    nation_code: str
    name_extension: str = ""

    @property
    def birth_date(self) -> str:
        return self.id_number[6:14]


def _id(first17: str) -> str:
    return first17 + check_character(first17)


PEOPLE: Final = (
    SyntheticPerson("张伟", _id("62010219850312001"), "1", "01"),
    SyntheticPerson("李娜", _id("11010519900715002"), "2", "01"),
    SyntheticPerson("阿卜杜热合曼", _id("65010219781120003"), "1", "05", name_extension="·买买提"),
    SyntheticPerson("王芳", _id("44030619950101004"), "2", "08"),
)


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def _bcd(digits: str, size: int) -> bytes:
    return bytes.fromhex(digits.ljust(size * 2, "F"))


def card_id_code(region: str, card_number: str) -> bytes:
    """卡识别码 as a real card holds it: 16 binary bytes, shown as hex ``<region>D156000005<serial>``.

    The region code's 6 digits are the first 3 bytes (read as hex they are the digits), then the
    registered application provider id, then an 8-byte serial derived from the card number.
    """
    if len(region) != 6 or not region.isdigit():
        raise ValueError("a region code is 6 digits")
    serial = hashlib.sha256(card_number.encode("ascii")).digest()[:8]
    return bytes.fromhex(region + RID) + serial


def _pad(data: bytes, size: int) -> bytes:
    return data[:size].ljust(size, b"\x00")


class VirtualSscCard:
    """The card's file system and state machine; ``process(apdu)`` returns response data + SW."""

    def __init__(
        self,
        person: SyntheticPerson = PEOPLE[0],
        *,
        generation: int = 2,
        card_number: str = "",
        pin: str = "123456",
        pin_tries: int = 3,
        require_mf_first: bool = False,
        region: str = "",
    ) -> None:
        if generation not in (1, 2, 3):
            raise ValueError("generation is 1, 2 or 3")
        self.person = person
        self.generation = generation
        self.card_number = card_number or f"{generation}{person.id_number[-8:].replace('X', '0')}"
        self.pin = pin
        self.pin_tries_max = pin_tries
        self.pin_tries = pin_tries
        self.require_mf_first = require_mf_first
        self.atr = ATR
        region = region or person.id_number[:6]  # the issuing region; by default where the person was registered
        self.ef05 = {
            0x01: card_id_code(region, self.card_number),
            0x02: b"\x01",
            0x03: f"{generation}.00".encode("ascii"),
            0x04: _pad(f"{region}000000".encode("ascii"), 12),
            0x05: _bcd("20200601", 4),
            0x06: _bcd("20300601", 4),
            0x07: self.card_number.encode("ascii"),
        }
        self.ef06 = {
            0x08: person.id_number.encode("ascii"),
            0x09: _pad(person.name.encode("gbk"), 30),
            0x0A: person.sex_code.encode("ascii"),
            0x0B: _bcd(person.nation_code, 1),
            0x0C: _bcd(region[:4], 3),
            0x0D: _bcd(person.birth_date, 4),
        }
        if generation >= 2 and person.name_extension:
            self.ef06[0x4E] = _pad(person.name_extension.encode("gbk"), 20)
        self.reset()

    def reset(self) -> None:
        """Power-on state: nothing selected (the PIN tries counter survives, as on a real card)."""
        self._mf_selected = False
        self._ssse_selected = False
        self._current: dict[int, bytes] | None = None
        self._current_name = ""
        self._pending = b""

    def process(self, command: bytes) -> bytes:
        if len(command) < 4:
            return b"\x67\x00"
        cla, ins, p1, p2 = command[:4]
        body = command[5 : 5 + command[4]] if len(command) > 5 else b""
        le = command[4] if len(command) == 5 else None
        if ins == 0xA4:
            return self._select(p1, body)
        if ins == 0xB2:
            return self._read_record(p1, p2, le)
        if ins == 0xC0:
            data, self._pending = self._pending, b""
            if not data:
                return b"\x69\x85"
            if le is not None and le != len(data):
                self._pending = data
                return bytes([0x6C, len(data)])
            return data + b"\x90\x00"
        if ins == 0x20:
            return self._verify(body)
        return b"\x6d\x00"

    def _select(self, p1: int, body: bytes) -> bytes:
        if p1 == 0x00 and body == b"\x3f\x00":
            self._mf_selected, self._ssse_selected, self._current = True, False, None
            return b"\x90\x00"
        if p1 == 0x04:
            if body != SSSE_AID or (self.require_mf_first and not self._mf_selected):
                return b"\x6a\x82"
            self._ssse_selected, self._current = True, None
            self._pending = _tlv(0x6F, _tlv(0x84, SSSE_AID))  # FCI, fetched with GET RESPONSE
            return bytes([0x61, len(self._pending)])
        if p1 == 0x02 and self._ssse_selected and body in (b"\xef\x05", b"\xef\x06"):
            self._current_name = body.hex().upper()
            self._current = self.ef05 if body == b"\xef\x05" else self.ef06
            return b"\x90\x00"
        return b"\x6a\x82"

    def _read_record(self, p1: int, p2: int, le: int | None) -> bytes:
        if self._current is None:
            return b"\x69\x86"  # command not allowed: no current EF
        if p2 & 0x07 != 0:
            return b"\x6a\x86"
        if self.generation == 3 and (self._current_name == "EF06" or p1 in (0x05, 0x06)):
            return b"\x69\x82"
        if p1 not in self._current:
            return b"\x6a\x83"
        record = _tlv(p1, self._current[p1])
        if le != len(record):
            return bytes([0x6C, len(record)])
        return record + b"\x90\x00"

    def _verify(self, body: bytes) -> bytes:
        if not self._ssse_selected:
            return b"\x69\x86"
        if self.pin_tries == 0:
            return b"\x69\x83"
        expected = bytes.fromhex(self.pin + ("F" if len(self.pin) % 2 else ""))
        if body == expected:
            self.pin_tries = self.pin_tries_max
            return b"\x90\x00"
        self.pin_tries -= 1
        if self.pin_tries == 0:
            return b"\x69\x83"
        return bytes([0x63, 0xC0 | self.pin_tries])


class VpcdCardSocket:
    """Connects a ``VirtualSscCard`` to vpcd; ``insert()``/``remove()`` are safe to call twice.

    While inserted, a thread keeps a connection to vpcd, reconnecting when it drops (pcscd restarted).
    ``connected`` is set while a connection is up.
    """

    def __init__(self, card: VirtualSscCard, host: str = VPCD_HOST, port: int = VPCD_PORT) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._pull_after: int | None = None
        self._answered = 0

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def pull_after(self, apdus: int) -> None:
        """Pull the card while APDU number ``apdus + 1`` is on its way (set before ``insert()``).

        That APDU goes unanswered, the connection drops, and the card stays out, as when a citizen
        takes the card away before the read is done.
        """
        self._pull_after = apdus

    def insert(self) -> None:
        with self._lock:
            if self.inserted:
                return
            self._answered = 0
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, args=(self._stop,), daemon=True, name="vpcd-card")
            self._thread.start()

    def remove(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
            sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if thread is not None:
            thread.join(timeout)
        self.connected.clear()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                stop.wait(0.05)
                continue
            with self._lock:
                self._sock = sock
            try:
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.card.reset()
                self.connected.set()
                if stop.is_set():
                    return
                self._serve(sock)
            except OSError as err:
                log.debug("vpcd connection lost: %s", err)
            finally:
                self.connected.clear()
                with self._lock:
                    self._sock = None
                sock.close()
            stop.wait(0.05)

    def _serve(self, sock: socket.socket) -> None:
        while True:
            header = _recv_exact(sock, 2)
            if header is None:
                return
            (length,) = struct.unpack(">H", header)
            payload = _recv_exact(sock, length)
            if payload is None:
                return
            if length == 1:
                control = payload[0]
                if control in (_CTRL_OFF, _CTRL_ON, _CTRL_RESET):
                    self.card.reset()
                elif control == _CTRL_ATR:
                    sock.sendall(struct.pack(">H", len(self.card.atr)) + self.card.atr)
                continue
            if self._pull_after is not None and self._answered >= self._pull_after:
                self._stop.set()  # pulled: the connection closes unanswered and the card stays out
                return
            answer = self.card.process(payload)
            self._answered += 1
            sock.sendall(struct.pack(">H", len(answer)) + answer)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)
