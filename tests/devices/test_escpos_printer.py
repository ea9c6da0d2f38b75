"""The ESC/POS driver against the simulated network printer: states, jobs, paper out, unplug."""

from __future__ import annotations

import os
import pty
import socket
import threading
import tty
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.drivers.escpos_printer import (
    EscposPrinter,
    NetworkTransport,
    PrinterUnreachable,
    UsbLpTransport,
    find_usblp,
)
from devices.drivers.printer_states import PrinterState
from devices.simulators.escpos_printer import SimEscposPrinter, SimPaper

JOB = b"\x1b\x40" + b"A005\n" * 40 + b"\x1d\x56\x42\x00"


@pytest.fixture
def sim() -> Iterator[SimEscposPrinter]:
    printer = SimEscposPrinter()
    printer.start()
    yield printer
    printer.stop()


def driver(sim: SimEscposPrinter, timeout: float = 2.0) -> EscposPrinter:
    return EscposPrinter(NetworkTransport("127.0.0.1", sim.port), timeout=timeout)


@pytest.mark.parametrize(
    ("paper", "state"),
    [
        (SimPaper.READY, PrinterState.READY),
        (SimPaper.PAPER_LOW, PrinterState.PAPER_LOW),
        (SimPaper.PAPER_OUT, PrinterState.PAPER_OUT),
        (SimPaper.COVER_OPEN, PrinterState.COVER_OPEN),
    ],
)
def test_the_state_follows_the_printer(sim: SimEscposPrinter, paper: SimPaper, state: PrinterState) -> None:
    sim.state = paper
    assert driver(sim).check().state is state
    assert sim.received == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"  # DLE EOT 1, 2, 4
    assert sim.printed == b""  # status requests are not printed


def test_a_job_is_written_completely_and_checked_before_and_after(sim: SimEscposPrinter) -> None:
    outcome = driver(sim).print_job(JOB)
    assert outcome.error == "" and outcome.report.state is PrinterState.READY
    assert sim.printed == JOB
    assert sim.received.startswith(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04" + JOB)
    assert sim.connections == 1  # status, job and status on one connection


def test_paper_running_out_in_the_middle_of_a_job_is_paper_out(sim: SimEscposPrinter) -> None:
    sim.paper_bytes = 50
    outcome = driver(sim).print_job(JOB)
    assert outcome.error == "paper_out"
    assert outcome.report.state is PrinterState.PAPER_OUT
    assert sim.printed == JOB[:50]
    # The next job is not even sent.
    again = driver(sim).print_job(JOB)
    assert again.error == "paper_out" and "not printed" in again.message
    assert sim.printed == JOB[:50]


def test_a_printer_with_its_cover_open_gets_nothing(sim: SimEscposPrinter) -> None:
    sim.state = SimPaper.COVER_OPEN
    outcome = driver(sim).print_job(JOB)
    assert (outcome.error, outcome.report.state) == ("cover_open", PrinterState.COVER_OPEN)
    assert sim.printed == b""


def test_paper_low_still_prints(sim: SimEscposPrinter) -> None:
    sim.state = SimPaper.PAPER_LOW
    outcome = driver(sim).print_job(JOB)
    assert outcome.error == "" and outcome.report.state is PrinterState.PAPER_LOW
    assert sim.printed == JOB


def test_an_unplugged_printer_is_offline_and_ready_again_when_back(sim: SimEscposPrinter) -> None:
    printer = driver(sim)
    assert printer.check().state is PrinterState.READY
    sim.stop()
    report = printer.check()
    assert report.state is PrinterState.OFFLINE
    assert f"127.0.0.1:{sim.port}" in report.message and "refused" in report.message
    job = printer.print_job(JOB)
    assert job.error == "offline"
    sim.start()
    assert printer.check().state is PrinterState.READY
    assert printer.print_job(JOB).error == ""
    assert sim.printed == JOB


def test_a_printer_that_does_not_answer_is_offline(sim: SimEscposPrinter) -> None:
    sim.silent = True
    report = driver(sim, timeout=0.3).check()
    assert report.state is PrinterState.OFFLINE
    assert "no answer to DLE EOT 1 within 0.3 s" in report.message


def test_a_garbled_status_byte_is_an_error_state(sim: SimEscposPrinter) -> None:
    sim.garbage = 0x00
    report = driver(sim).check()
    assert report.state is PrinterState.ERROR
    assert "0x00 is not a status byte" in report.message
    outcome = driver(sim).print_job(JOB)
    assert outcome.error == "print_failed" and sim.printed == b""


def test_a_connection_closed_by_the_printer_is_offline() -> None:
    # A listener that accepts and hangs up at once (another client holds the real printer).
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:

        def hang_up() -> None:
            conn, _ = listener.accept()
            conn.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        report = EscposPrinter(NetworkTransport("127.0.0.1", port)).check()
        thread.join(5)
    finally:
        listener.close()
    assert report.state is PrinterState.OFFLINE
    assert f"127.0.0.1:{port}" in report.message  # closed or reset, depending on who is quicker


def test_usb_printers_are_found_by_their_ids_in_sysfs(tmp_path: Path) -> None:
    # /sys/class/usbmisc/lp0/device -> the interface directory; its parent holds idVendor/idProduct
    device = tmp_path / "devices" / "1-1"
    interface = device / "1-1:1.0"
    interface.mkdir(parents=True)
    (device / "idVendor").write_text("0416\n")
    (device / "idProduct").write_text("5011\n")
    node = tmp_path / "usbmisc" / "lp0"
    node.mkdir(parents=True)
    (node / "device").symlink_to(interface)
    assert find_usblp(0x0416, 0x5011, tmp_path / "usbmisc") == Path("/dev/usb/lp0")
    assert find_usblp(0x0416, 0x5012, tmp_path / "usbmisc") is None
    assert find_usblp(0x0416, 0x5011, tmp_path / "nothing") is None


def test_an_absent_usb_printer_is_offline_with_its_ids() -> None:
    transport = UsbLpTransport(0x0416, 0x5011, finder=lambda _v, _p: None)
    with pytest.raises(PrinterUnreachable, match="0416:5011"):
        transport.open()
    report = EscposPrinter(transport).check()
    assert report.state is PrinterState.OFFLINE and "no usblp node" in report.message


def test_a_usb_printer_through_a_character_device(tmp_path: Path) -> None:
    # A pseudo-terminal stands in for /dev/usb/lp0: the driver writes the request, the "printer" answers.
    leader, follower = pty.openpty()
    tty.setraw(follower)
    name = os.ttyname(follower)
    answers = {1: 0x12, 2: 0x12, 4: 0x1E}  # DLE EOT 4: near end (bits 2 and 3)
    got = bytearray()

    def printer() -> None:
        while len(got) < 9:
            chunk = os.read(leader, 64)
            got.extend(chunk)
            for i in range(0, len(chunk) - 2):
                if chunk[i : i + 2] == b"\x10\x04":
                    os.write(leader, bytes((answers[chunk[i + 2]],)))

    thread = threading.Thread(target=printer, daemon=True)
    thread.start()
    try:
        report = EscposPrinter(UsbLpTransport(0x0416, 0x5011, finder=lambda _v, _p: Path(name))).check()
    finally:
        thread.join(5)
        os.close(leader)
        os.close(follower)
    assert report.state is PrinterState.PAPER_LOW
    assert bytes(got) == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"
