"""The kiosk's printers: print jobs from the server, and each printer's state kept and reported.

One worker thread owns every printer, so a status check and a job never share a connection: it runs
the ``print`` commands the server sends (``device_command``, docs/protocol.md §7, "Printers") in
order, and checks every printer when it has been idle for ``poll_seconds`` (10 s). A job checks its
printer before and after, so its answer carries the state after the job. Whenever a printer's state
or message changes, ``printer_status`` goes to the server; ``agent_hello`` carries all of them.

A print command is answered ``command_result`` ``{"ok": true, "result": {"printer": <status>}}``
once the job was handed over completely (CUPS: also ``"job"``), or ``ok: false`` with ``paper_out``,
``offline``, ``paused``, ``cover_open``, ``no_printer``, ``print_failed``, or ``bad_args`` for a
command that is not one (no bytes, a role that does not exist, a document that does not fit it).
Slip and certificate bytes are never logged; the ticket number and certificate id are.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from devices.agent.printer_config import PrinterConfig, printer_name
from devices.agent.queue_thread import STOP, QueueThread
from devices.agent.wire import PRINTER_STATUS
from devices.drivers.cups_printer import CupsPrinter
from devices.drivers.escpos_printer import EscposPrinter, NetworkTransport, UsbLpTransport
from devices.drivers.printer_states import PrinterKind, PrinterRole, StateReport

log = logging.getLogger(__name__)

COMMAND_RESULT: Final = "command_result"
POLL_SECONDS: Final = 10.0
HELLO_WAIT_SECONDS: Final = 3.0  # the hello waits this long for the first round of checks
MAX_PRINT_BYTES: Final = 16 * 1024 * 1024
DOCUMENT_OF: Final = {PrinterRole.SLIP: "slip", PrinterRole.A4: "certificate"}
_POLL: Final = object()

Send = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class PrinterStatus:
    """What the agent says about one printer (the ``printer_status`` payload)."""

    role: str
    kind: str
    state: str
    message: str
    checked_at: str  # ISO 8601 UTC
    paper_mm: int | None = None  # slip printers

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "role": self.role,
            "kind": self.kind,
            "state": self.state,
            "message": self.message,
            "checked_at": self.checked_at,
        }
        if self.paper_mm is not None:
            body["paper_mm"] = self.paper_mm
        return body

    def same_as(self, other: PrinterStatus | None) -> bool:
        """Whether nothing but the time of the check differs."""
        return other is not None and (self.state, self.message) == (other.state, other.message)


@dataclass(frozen=True)
class _Outcome:
    report: StateReport
    error: str = ""
    message: str = ""
    job: str = ""


def driver_for(config: PrinterConfig) -> EscposPrinter | CupsPrinter:
    """The driver a configured printer needs."""
    if config.kind is PrinterKind.ESCPOS_NETWORK:
        return EscposPrinter(NetworkTransport(config.host, config.port))
    if config.kind is PrinterKind.ESCPOS_USB:
        return EscposPrinter(UsbLpTransport(config.usb_vendor, config.usb_product))
    return CupsPrinter(config.queue)


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Printing:
    """The configured printers, their worker thread and their last known states.

    ``drivers`` maps a role to a driver (tests pass ones over simulators); by default each is built
    from its configuration. ``poll_seconds`` is how long the worker waits idle between checks.
    """

    def __init__(
        self,
        printers: tuple[PrinterConfig, ...],
        *,
        drivers: dict[PrinterRole, EscposPrinter | CupsPrinter] | None = None,
        poll_seconds: float = POLL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        now_iso: Callable[[], str] = _iso_now,
    ) -> None:
        self._configs = {p.role: p for p in printers}
        self._drivers = drivers if drivers is not None else {p.role: driver_for(p) for p in printers}
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._now_iso = now_iso
        self._send: Send | None = None
        self._worker = QueueThread("agent-printing", self._work)
        self._queue = self._worker.queue
        self._statuses: dict[PrinterRole, PrinterStatus] = {}
        self._unsent: set[PrinterRole] = set()  # roles whose last status the server has not acknowledged
        self._state = threading.Lock()
        self._checked = threading.Event()  # the first round of checks is done
        if not self._configs:
            self._checked.set()

    def attach(self, send: Send) -> None:
        """Where ``printer_status`` and print answers go (the link's ``send``, which waits for the ack)."""
        self._send = send

    def start(self) -> None:
        """Start the worker (it checks every printer at once); a second call while running does nothing."""
        self._worker.start()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop after the job or check in hand; safe to call twice."""
        self._worker.stop(timeout)

    def statuses(self, wait: float = HELLO_WAIT_SECONDS) -> list[dict[str, Any]]:
        """Every checked printer's status, for ``agent_hello``; waits up to ``wait`` for the first checks."""
        self._checked.wait(wait)
        with self._state:
            self._unsent.clear()  # the hello carries them
            return [self._statuses[role].payload() for role in sorted(self._statuses)]

    def status(self, role: PrinterRole) -> PrinterStatus | None:
        with self._state:
            return self._statuses.get(role)

    def poll_now(self) -> None:
        """Check every printer as soon as the worker is free (tests; the worker also polls by itself)."""
        self._queue.put(_POLL)

    def submit(self, data: dict[str, Any]) -> None:
        """Queue a ``print`` device command (its id already checked and new); returns at once."""
        self._queue.put(data)

    # the worker -----------------------------------------------------------------------------------

    def _work(self) -> None:
        next_poll = self._clock()
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, next_poll - self._clock()))
            except queue.Empty:
                item = _POLL
            if item is STOP:
                return
            try:
                if item is _POLL:
                    self._poll()
                else:
                    self._answer(item["id"], self._print(item))
            except Exception:  # the outermost loop of this thread: log (never the bytes) and carry on
                log.exception("printing: %s failed", "a check" if item is _POLL else "a print job")
                if item is not _POLL:
                    self._answer(item["id"], _error("print_failed", "the agent failed while printing"))
            next_poll = self._clock() + self._poll_seconds

    def _poll(self) -> None:
        for role, driver in self._drivers.items():
            self._note(role, driver.check())
        self._checked.set()

    def _note(self, role: PrinterRole, report: StateReport) -> PrinterStatus:
        config = self._configs[role]
        status = PrinterStatus(
            role.value, config.kind.value, report.state.value, report.message, self._now_iso(), config.paper_mm
        )
        with self._state:
            previous = self._statuses.get(role)
            self._statuses[role] = status
        if not status.same_as(previous):
            level = logging.INFO if report.state.can_print else logging.WARNING
            log.log(
                level,
                "printing: %s printer (%s) is %s%s",
                role.value,
                config.address,
                status.state,
                f": {status.message}" if status.message else "",
            )
        elif role not in self._unsent:
            return status
        ack = self._send(PRINTER_STATUS, status.payload()) if self._send is not None else None
        with self._state:
            # Not taken (the link down, or between connect and hello): sent again at the next check,
            # unless a hello carries it first.
            if isinstance(ack, dict) and ack.get("ok"):
                self._unsent.discard(role)
            else:
                self._unsent.add(role)
        return status

    def _print(self, data: dict[str, Any]) -> dict[str, Any]:
        checked = _check_command(data)
        if isinstance(checked, str):
            log.warning("printing: command %d refused: %s", data["id"], checked)
            return _error("bad_args", checked)
        role, label, payload = checked
        driver = self._drivers.get(role)
        if driver is None:
            return _error("no_printer", f"this kiosk has no {role.value} printer configured")
        outcome = self._run(driver, payload, label)
        status = self._note(role, outcome.report)
        if outcome.error:
            log.warning("printing: %s not printed: %s: %s", label, outcome.error, outcome.message)
            return _error(outcome.error, outcome.message)
        log.info(
            "printing: %s handed to the %s printer%s",
            label,
            role.value,
            f" as job {outcome.job}" if outcome.job else "",
        )
        result: dict[str, Any] = {"printer": status.payload()}
        if outcome.job:
            result["job"] = outcome.job
        return {"ok": True, "result": result}

    @staticmethod
    def _run(driver: EscposPrinter | CupsPrinter, payload: bytes, label: str) -> _Outcome:
        if isinstance(driver, CupsPrinter):
            job = driver.print_pdf(payload, label.replace(" ", "-"))
            return _Outcome(job.report, job.error, job.message, job.job)
        done = driver.print_job(payload)
        return _Outcome(done.report, done.error, done.message)

    def _answer(self, command_id: int, body: dict[str, Any]) -> None:
        if self._send is None:
            log.warning("printing: no link to answer command %d", command_id)
            return
        ack = self._send(COMMAND_RESULT, {"id": command_id, **body})
        if not (isinstance(ack, dict) and ack.get("ok")):
            log.info("printing: the answer to command %d was not taken: %s", command_id, ack)


def _check_command(data: dict[str, Any]) -> tuple[PrinterRole, str, bytes] | str:
    """The role, a loggable label and the bytes of a print command, or what is wrong with it."""
    args = data.get("args")
    if not isinstance(args, dict):
        return "args: expected an object"
    role_text = args.get("role")
    if role_text not in tuple(PrinterRole):
        return f"args.role: expected slip or a4, got {str(role_text)[:20]!r}"
    role = PrinterRole(role_text)
    document = args.get("document")
    if document != DOCUMENT_OF[role]:
        return f"args.document: {printer_name(role)} prints a {DOCUMENT_OF[role]}, got {str(document)[:20]!r}"
    if role is PrinterRole.SLIP:
        ticket = args.get("ticket")
        if not isinstance(ticket, str) or not ticket.isascii() or not ticket.isalnum() or len(ticket) > 16:
            return "args.ticket: expected a ticket number such as A005"
        label = f"slip {ticket}"
    else:
        certificate = args.get("certificate")
        if isinstance(certificate, bool) or not isinstance(certificate, int) or certificate < 1:
            return "args.certificate: expected the certificate's id, a positive whole number"
        label = f"certificate {certificate}"
    payload = data.get("data")
    if not isinstance(payload, bytes | bytearray) or not payload:
        return "data: expected the document's bytes as a binary attachment"
    if len(payload) > MAX_PRINT_BYTES:
        return f"data: {len(payload)} bytes, more than {MAX_PRINT_BYTES}"
    if role is PrinterRole.A4 and not payload.startswith(b"%PDF-"):
        return "data: a certificate must be a PDF (it does not start with %PDF-)"
    return role, label, bytes(payload)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": code, "message": message[:300]}
