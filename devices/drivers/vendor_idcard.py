"""ID card readers driven through the vendor's shared library (USB HID or vendor-class readers).

Many resident ID card readers on the market are not serial devices: they are USB HID or
vendor-class devices that only the maker's Linux library (``libtermb.so``, ``libRdCard.so`` …) can
talk to. Most such libraries share one call style, which this module adapts:

* ``InitComm(port) -> int``: open the reader (``1001`` is the first USB reader for most makers);
* ``Authenticate() -> int``: find and select a card;
* ``Read_Content(mode) -> int``: read it, writing the 256-byte UCS-2LE text block (``wz.txt``) and the
  photo (``zp.wlt``) into a working directory, or, in the buffer style,
  ``ReadBaseMsg(text, &text_len, photo, &photo_len, mode) -> int`` filling caller buffers;
* ``CloseComm() -> int``.

Symbol names, the success code and the output style come from the agent's configuration
(``[[idcard_vendor]]``, docs/devices.md). ``VendorLibrary`` is the only code that touches ctypes;
``VendorIdCardReader`` polls it from one thread and emits the same events as the serial driver.
The text block is decoded by ``devices.drivers.idcard_text``; the photo is never kept and files the
library writes are deleted at once. A library that cannot load, lacks a symbol or answers garbage
becomes a ``ReaderFault`` naming the path; only a library that crashes the process cannot be caught
(run such a library's reader in its own agent if it does).
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from devices.drivers._thread import ReaderThread
from devices.drivers.idcard_protocol import TEXT_SIZE
from devices.drivers.idcard_text import decode_text_block
from devices.errors import DeviceError, TextBlockError
from devices.events import CardRemoved, DeviceEvent, ReaderAttached, ReaderDetached

log = logging.getLogger(__name__)

OUTPUT_FILES: Final = "files"  # Read_Content(mode) writes wz.txt / zp.wlt into a working directory
OUTPUT_BUFFER: Final = "buffer"  # ReadBaseMsg(text, &len, photo, &len, mode) fills our buffers
OUTPUT_STYLES: Final = (OUTPUT_FILES, OUTPUT_BUFFER)

# Buffers far larger than any vendor writes: a library that ignores the length it is given must
# not write past our memory (it may still crash the process, which no adapter can prevent).
TEXT_BUFFER_SIZE: Final = 4096
PHOTO_BUFFER_SIZE: Final = 65536


@dataclass(frozen=True)
class VendorSymbols:
    """The names of the library's four calls (``read`` is the buffer call in the buffer style)."""

    init: str = "InitComm"
    authenticate: str = "Authenticate"
    read: str = "Read_Content"
    close: str = "CloseComm"


@dataclass(frozen=True)
class VendorLibrarySettings:
    """One ``[[idcard_vendor]]`` entry of the agent's configuration."""

    library: str  # absolute path of the vendor's .so
    port: int = 1001  # InitComm's argument: 1001-1016 USB, 1-16 serial for most makers
    poll_seconds: float = 0.2
    output: str = OUTPUT_FILES
    workdir: str = ""  # files style: where the library writes; "" is the agent's working directory
    text_file: str = "wz.txt"
    photo_file: str = "zp.wlt"
    read_mode: int = 1  # Read_Content's argument
    success_code: int = 1  # what the calls return on success (1 for most makers, 0x90 for some)
    removal_misses: int = 2  # failed Authenticate polls in a row after a read that mean the card left
    name: str = ""  # the reader id in events; default vendor:<library stem>:<port>
    symbols: VendorSymbols = field(default_factory=VendorSymbols)

    @property
    def reader_id(self) -> str:
        return self.name or f"vendor:{Path(self.library).stem}:{self.port}"


class VendorLibraryError(DeviceError):
    """The vendor library could not be used; the message names its path."""


class LibraryUnavailable(VendorLibraryError):
    """The library does not load, or lacks a configured symbol."""


class VendorReadError(VendorLibraryError):
    """A read call failed or produced something that is not a text block."""


class VendorLibrary:
    """Our snake_case adapter over one loaded vendor library."""

    def __init__(self, settings: VendorLibrarySettings) -> None:
        self.settings = settings
        path = settings.library
        try:
            self._lib = ctypes.CDLL(path)
        except OSError as err:
            raise LibraryUnavailable(f"cannot load vendor library {path}: {err}") from err
        names = settings.symbols
        self._init = self._symbol("init", names.init, [ctypes.c_int])
        self._authenticate = self._symbol("authenticate", names.authenticate, [])
        if settings.output == OUTPUT_BUFFER:
            uint_p = ctypes.POINTER(ctypes.c_uint)
            read_args: list[Any] = [ctypes.c_char_p, uint_p, ctypes.c_char_p, uint_p, ctypes.c_int]
        else:
            read_args = [ctypes.c_int]
        self._read = self._symbol("read", names.read, read_args)
        self._close = self._symbol("close", names.close, [])

    def _symbol(self, key: str, name: str, argtypes: list[Any]) -> Any:
        try:
            function = getattr(self._lib, name)
        except AttributeError:
            raise LibraryUnavailable(
                f"vendor library {self.settings.library} has no symbol {name!r} (symbols.{key})"
            ) from None
        function.argtypes = argtypes
        function.restype = ctypes.c_int
        return function

    def open(self) -> int:
        return int(self._init(self.settings.port))

    def authenticate(self) -> int:
        return int(self._authenticate())

    def close(self) -> int:
        return int(self._close())

    def read_text(self) -> bytes:
        """Read the card in the field and return its text block (the photo is dropped unread)."""
        if self.settings.output == OUTPUT_BUFFER:
            return self._read_buffers()
        return self._read_files()

    def _read_buffers(self) -> bytes:
        text = ctypes.create_string_buffer(TEXT_BUFFER_SIZE)
        photo = ctypes.create_string_buffer(PHOTO_BUFFER_SIZE)
        text_len, photo_len = ctypes.c_uint(TEXT_BUFFER_SIZE), ctypes.c_uint(PHOTO_BUFFER_SIZE)
        code = int(self._read(text, ctypes.byref(text_len), photo, ctypes.byref(photo_len), self.settings.read_mode))
        ctypes.memset(photo, 0, PHOTO_BUFFER_SIZE)  # the photo is never kept
        if code != self.settings.success_code:
            raise VendorReadError(f"{self.settings.symbols.read} returned {code}")
        length = text_len.value
        if length > TEXT_BUFFER_SIZE:
            raise VendorReadError(
                f"{self.settings.symbols.read} reported {length} bytes of text in a {TEXT_BUFFER_SIZE}-byte buffer"
            )
        return text.raw[:length]

    def _read_files(self) -> bytes:
        folder = Path(self.settings.workdir or os.getcwd())
        text_path, photo_path = folder / self.settings.text_file, folder / self.settings.photo_file
        _remove(text_path, photo_path)  # a file left from an earlier read must not pass for this one
        try:
            code = int(self._read(self.settings.read_mode))
            if code != self.settings.success_code:
                raise VendorReadError(f"{self.settings.symbols.read}({self.settings.read_mode}) returned {code}")
            try:
                with text_path.open("rb") as handle:
                    return handle.read(TEXT_BUFFER_SIZE)
            except OSError as err:
                raise VendorReadError(
                    f"{self.settings.symbols.read} succeeded but {text_path} cannot be read: {err.strerror or err}"
                ) from err
        finally:
            _remove(text_path, photo_path)


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as err:
            log.warning("vendor reader: cannot delete %s: %s", path, err.strerror or err)


def check_library(settings: VendorLibrarySettings, *, probe: bool = False) -> str:
    """A one-line verdict on a configured library for diagnostics; raises ``VendorLibraryError``.

    Loads it and resolves every symbol; with ``probe`` also opens and closes the reader.
    """
    library = VendorLibrary(settings)
    symbols = dataclasses.astuple(settings.symbols)
    verdict = f"loads; symbols {', '.join(symbols)} present"
    if probe:
        code = library.open()
        try:
            if code != settings.success_code:
                raise VendorLibraryError(
                    f"{settings.symbols.init}({settings.port}) returned {code}: reader not found or busy"
                )
            verdict += f"; {settings.symbols.init}({settings.port}) answered"
        finally:
            library.close()
    return verdict


class VendorIdCardReader(ReaderThread):
    """Polls one reader through its vendor library and passes events to ``on_event`` (from its thread).

    After a read the card counts as present while ``Authenticate`` keeps succeeding (the card is
    re-read and compared by digest, so a swap shows as a removal and a new read) and as gone after
    ``removal_misses`` failed polls in a row.
    """

    def __init__(
        self,
        settings: VendorLibrarySettings,
        on_event: Callable[[DeviceEvent], Any],
        *,
        reopen_backoff: tuple[float, float] = (0.5, 30.0),
        loader: Callable[[VendorLibrarySettings], VendorLibrary] = VendorLibrary,
    ) -> None:
        self.settings = settings
        self._backoff = reopen_backoff
        self._loader = loader
        self._card = "none"  # "none", "read" (an IdCardRead was emitted) or "rejected"
        self._digest = b""
        self._misses = 0
        self.last_read_seconds: float | None = None  # Read_Content to decoded event, for diagnostics
        super().__init__(f"vendor-idcard-{settings.reader_id}", settings.reader_id, on_event)

    # the supervisor loop ---------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        delay, max_delay = self._backoff
        reported = ""  # the problem last reported, so a library that stays broken is reported once
        success = self.settings.success_code
        while not stop.is_set():
            try:
                library = self._loader(self.settings)
                code = library.open()
            except VendorLibraryError as err:
                if str(err) != reported:
                    self._fault(str(err), reason="library_error")
                    reported = str(err)
                stop.wait(delay)
                delay = min(delay * 2, max_delay)
                continue
            if code != success:
                problem = (
                    f"{self.settings.symbols.init}({self.settings.port}) returned {code}: reader not found or busy"
                )
                if problem != reported:
                    self._emit(ReaderDetached(self.reader_id, problem))
                    reported = problem
                self._close(library)
                stop.wait(delay)
                delay = min(delay * 2, max_delay)
                continue
            reported, delay = "", self._backoff[0]
            self._emit(ReaderAttached(self.reader_id))
            try:
                while not stop.is_set():
                    self._poll_once(library)
                    stop.wait(self.settings.poll_seconds)
            except Exception as err:  # outermost supervisor: report, back off, reopen
                log.exception("reader %s: unexpected error", self.reader_id)
                self._fault(f"unexpected error: {type(err).__name__}", reason="protocol_error")
                stop.wait(delay)
            finally:
                self._close(library)

    def _close(self, library: VendorLibrary) -> None:
        try:
            library.close()
        except Exception as err:  # a library failing on close must not stop the reopen
            log.warning("reader %s: %s failed: %s", self.reader_id, self.settings.symbols.close, type(err).__name__)

    # one poll ----------------------------------------------------------------------------------

    def _poll_once(self, library: VendorLibrary) -> None:
        if library.authenticate() != self.settings.success_code:
            if self._card != "none":
                self._misses += 1
                if self._misses >= self.settings.removal_misses:
                    if self._card == "read":
                        self._emit(CardRemoved(self.reader_id))
                    self._card, self._digest = "none", b""
            return
        self._misses = 0
        started = time.perf_counter()
        try:
            text = library.read_text()
        except VendorReadError as err:
            self._fault(f"card not read: {err}", reason="unreadable_card", hint="reposition")
            return
        digest = hashlib.sha256(text).digest()
        if digest == self._digest:
            return  # the same card is still in the field
        if self._card == "read":
            self._emit(CardRemoved(self.reader_id))  # swapped for another card between two polls
        self._digest = digest
        try:
            if len(text) != TEXT_SIZE:
                raise TextBlockError("text", f"the library gave {len(text)} bytes of text, expected {TEXT_SIZE}")
            event = decode_text_block(text, reader_id=self.reader_id)
        except DeviceError as err:
            self._card = "rejected"  # a bad card stays bad: not re-reported until it leaves
            self._fault(f"card not read: {err}", reason="unreadable_card", hint="reposition")
            return
        finally:
            del text
        self._card = "read"
        self.last_read_seconds = time.perf_counter() - started
        self._emit(event)
