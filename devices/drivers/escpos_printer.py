"""ESC/POS receipt printers: send a job and ask the printer's real-time status (DLE EOT 1, 2, 4).

Two transports, one connection per check or job (a network printer on port 9100 serves one client
at a time, and a fresh connection is also how an unplugged printer is noticed):

- ``NetworkTransport``: python-escpos's ``Network`` printer (TCP, port 9100), whose socket timeout
  bounds connecting, writing and each status answer.
- ``UsbLpTransport``: the kernel's ``usblp`` node (``/dev/usb/lpN``) of a ``vendor:product`` id,
  found through sysfs. python-escpos's ``Usb`` needs pyusb and detaches ``usblp``; the node needs
  neither, and the agent's user only needs the ``lp`` group.

A printer that does not answer a status request within ``timeout`` (2 s), or refuses the
connection, is offline. A job is checked before (a printer that cannot print gets nothing), written
completely, then checked again: a roll that ran out in the middle of a slip shows as paper end.
"""

from __future__ import annotations

import errno
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from devices.drivers.printer_states import DLE_EOT, STATUS_REQUESTS, PrinterState, StateReport, escpos_state
from devices.errors import DeviceError

STATUS_TIMEOUT: Final = 2.0  # the contract: no answer within 2 s = offline
WRITE_TIMEOUT: Final = 10.0  # a printer that takes no bytes for this long has stopped (the server waits 20 s)
CHUNK: Final = 4096
SYSFS_USBMISC: Final = Path("/sys/class/usbmisc")


class PrinterUnreachable(DeviceError):
    """The printer cannot be reached: connection refused, no such node, no answer."""


class Transport(Protocol):
    """A byte pipe to one printer."""

    def open(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read_byte(self, timeout: float) -> int | None:
        """One byte from the printer, or None when none came within ``timeout``."""
        ...

    def close(self) -> None: ...


class NetworkTransport:
    """TCP to a network receipt printer, through python-escpos's ``Network``."""

    def __init__(self, host: str, port: int = 9100, timeout: float = STATUS_TIMEOUT) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._printer: Any = None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

        printer = Network(self.host, self.port, timeout=self.timeout)
        try:
            printer.open()
        except DeviceNotFoundError as err:
            reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
            raise PrinterUnreachable(f"cannot connect to {self}: {reason}") from err
        self._printer = printer

    def write(self, data: bytes) -> None:
        sock = self._socket()
        sock.settimeout(WRITE_TIMEOUT)
        try:
            for start in range(0, len(data), CHUNK):
                self._printer._raw(data[start : start + CHUNK])  # noqa: SLF001 (python-escpos's raw write)
        finally:
            sock.settimeout(self.timeout)

    def read_byte(self, timeout: float) -> int | None:
        sock = self._socket()
        sock.settimeout(timeout)
        try:
            answer: bytes = sock.recv(1)
        except TimeoutError:
            return None
        if not answer:
            raise PrinterUnreachable(f"{self} closed the connection")
        return answer[0]

    def close(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except OSError:
                pass

    def _socket(self) -> Any:
        if self._printer is None or not self._printer.device:
            raise PrinterUnreachable(f"{self}: not connected")
        return self._printer.device


def find_usblp(vendor: int, product: int, root: Path = SYSFS_USBMISC) -> Path | None:
    """The ``/dev/usb/lpN`` node whose USB device has these ids, or None."""
    for entry in sorted(root.glob("lp*")) if root.is_dir() else ():
        usb_device = (entry / "device").resolve().parent  # the interface's parent is the device
        try:
            ids = (int((usb_device / "idVendor").read_text(), 16), int((usb_device / "idProduct").read_text(), 16))
        except (OSError, ValueError):
            continue
        if ids == (vendor, product):
            return Path("/dev/usb") / entry.name
    return None


class UsbLpTransport:
    """A USB receipt printer through the kernel's printer-class driver (``usblp``)."""

    def __init__(self, vendor: int, product: int, finder: Callable[[int, int], Path | None] = find_usblp) -> None:
        self.vendor, self.product = vendor, product
        self._finder = finder
        self._fd: int | None = None

    def __str__(self) -> str:
        return f"USB {self.vendor:04x}:{self.product:04x}"

    def open(self) -> None:
        node = self._finder(self.vendor, self.product)
        if node is None:
            raise PrinterUnreachable(f"{self}: no usblp node (unplugged, or not a USB printer-class device)")
        try:
            self._fd = os.open(node, os.O_RDWR | os.O_NONBLOCK)
        except OSError as err:
            raise PrinterUnreachable(f"{self}: cannot open {node}: {err.strerror}") from err

    def write(self, data: bytes) -> None:
        fd = self._require()
        view = memoryview(data)
        deadline = time.monotonic() + WRITE_TIMEOUT
        while view:
            _, ready, _ = select.select([], [fd], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError(f"{self} took no bytes for {WRITE_TIMEOUT:g} s")
            try:
                view = view[os.write(fd, view[:CHUNK]) :]
            except BlockingIOError:
                continue
            deadline = time.monotonic() + WRITE_TIMEOUT

    def read_byte(self, timeout: float) -> int | None:
        fd = self._require()
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            try:
                answer = os.read(fd, 1)
            except BlockingIOError:
                continue
            except OSError as err:
                if err.errno == errno.ENODEV:
                    raise PrinterUnreachable(f"{self} was unplugged") from err
                raise
            if answer:
                return answer[0]
            time.sleep(0.02)  # usblp reads 0 bytes while the printer has nothing to say
        return None

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def _require(self) -> int:
        if self._fd is None:
            raise PrinterUnreachable(f"{self}: not open")
        return self._fd


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: ``error`` is empty when every byte went and the printer still has paper."""

    report: StateReport
    error: str = ""  # paper_out, offline, cover_open, print_failed
    message: str = ""


class EscposPrinter:
    """One ESC/POS printer behind a transport: ``check()`` its state, ``print_job()`` bytes."""

    def __init__(self, transport: Transport, *, timeout: float = STATUS_TIMEOUT) -> None:
        self.transport = transport
        self.timeout = timeout

    def __str__(self) -> str:
        return str(self.transport)

    def check(self) -> StateReport:
        """Connect, ask DLE EOT 1, 2 and 4, disconnect; never raises."""
        try:
            self.transport.open()
        except PrinterUnreachable as err:
            return StateReport(PrinterState.OFFLINE, str(err))
        try:
            return self._ask()
        finally:
            self.transport.close()

    def print_job(self, data: bytes) -> JobOutcome:
        """Send ``data`` if the printer can print, then check it again; never raises."""
        try:
            self.transport.open()
        except PrinterUnreachable as err:
            return JobOutcome(StateReport(PrinterState.OFFLINE, str(err)), "offline", str(err))
        try:
            before = self._ask()
            if not before.state.can_print:
                return JobOutcome(before, _job_error(before.state), f"not printed: {before.message}")
            try:
                self.transport.write(data)
            except (OSError, PrinterUnreachable) as err:
                after = self._ask_quietly()
                if after.state.can_print:  # the printer is fine; the pipe broke under us
                    return JobOutcome(after, "print_failed", f"{self}: the job was cut off: {_reason(err)}")
                return JobOutcome(after, _job_error(after.state), f"the job was cut off: {after.message}")
            after = self._ask_quietly()
            if after.state in (PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.ERROR):
                return JobOutcome(after, _job_error(after.state), f"after the job: {after.message}")
            return JobOutcome(after)
        finally:
            self.transport.close()

    def _ask(self) -> StateReport:
        answers: dict[int, int] = {}
        try:
            for request in STATUS_REQUESTS:
                self.transport.write(DLE_EOT + bytes((request,)))
                value = self.transport.read_byte(self.timeout)
                if value is None:
                    break
                answers[request] = value
        except (OSError, PrinterUnreachable) as err:
            return StateReport(PrinterState.OFFLINE, f"{self}: {_reason(err)}")
        report = escpos_state(answers)
        if report.state is PrinterState.OFFLINE and len(answers) < len(STATUS_REQUESTS):
            return StateReport(report.state, f"{self}: {report.message} within {self.timeout:g} s")
        return report

    def _ask_quietly(self) -> StateReport:
        try:
            return self._ask()
        except Exception as err:  # a transport we do not know raising something odd: still an answer
            return StateReport(PrinterState.ERROR, f"{self}: status after the job failed: {_reason(err)}")


def _job_error(state: PrinterState) -> str:
    """The ``command_result`` error for a printer in ``state`` (docs/protocol.md §7)."""
    if state in (PrinterState.PAPER_OUT, PrinterState.OFFLINE, PrinterState.COVER_OPEN, PrinterState.PAUSED):
        return state.value
    return "print_failed"


def _reason(err: BaseException) -> str:
    return str(err) or type(err).__name__
