"""The CUPS driver against a real cupsd with a throw-away CUPS-PDF queue (printer-driver-cups-pdf).

cupsd is started if it is not running (root on the test machine); the queue is created with lpadmin
for one test and deleted after it. A job is followed to the PDF file CUPS-PDF writes (``Out`` in
/etc/cups/cups-pdf.conf, ``${HOME}/PDF`` by default), read back with pypdfium2.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pypdfium2
import pytest
from reportlab.pdfgen import canvas

from devices.agent.printer_config import PrinterConfig
from devices.drivers.cups_printer import CupsPrinter, Ran, run_command
from devices.drivers.printer_states import PrinterKind, PrinterRole, PrinterState
from tests.support.print_server import print_server, start_kiosk
from tests.support.server import wait_for

PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
_numbers = itertools.count(1)


def _cups(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), capture_output=True, text=True, timeout=15, env={**os.environ, "LANG": "C"}, check=False
    )


def _scheduler_running() -> bool:
    return "scheduler is running" in _cups("lpstat", "-r").stdout


def _cupsd_problem() -> str | None:
    """Why no cupsd can be had here, or None once one runs."""
    for tool in ("cupsd", "lpadmin", "lpstat", "lp", "cupsenable", "cupsdisable"):
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            return f"{tool} is not installed (./dev.sh test installs cups)"
    if not PPD.exists():
        return f"{PPD} is missing (./dev.sh test installs printer-driver-cups-pdf)"
    if _scheduler_running():
        return None
    if os.geteuid() != 0:
        return "cupsd is not running and only root can start it here"
    subprocess.run(["cupsd"], capture_output=True, timeout=15, check=False)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _scheduler_running():
            return None
        time.sleep(0.1)
    return "cupsd did not start within 15 s"


def pdf_out_dir() -> Path:
    """Where CUPS-PDF writes this user's jobs."""
    out = "${HOME}/PDF"
    if CUPS_PDF_CONF.exists():
        for line in CUPS_PDF_CONF.read_text().splitlines():
            if line.startswith("Out "):
                out = line.split(None, 1)[1].strip()
    return Path(out.replace("${HOME}", pwd.getpwuid(os.getuid()).pw_dir))


@pytest.fixture(scope="module")
def cupsd() -> None:
    problem = _cupsd_problem()
    if problem:
        pytest.skip(problem)


@pytest.fixture
def queue(cupsd: None) -> Iterator[str]:
    name = f"kiosk-test-{os.getpid()}-{next(_numbers)}"
    made = _cups("lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-P", str(PPD))
    if made.returncode != 0:
        pytest.skip(f"lpadmin cannot create a CUPS-PDF queue: {made.stderr.strip()}")
    yield name
    _cups("cancel", "-a", name)
    _cups("lpadmin", "-x", name)


def a_pdf(marker: str) -> bytes:
    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 750, marker)
    page.save()
    return out.getvalue()


def pdf_text(path: Path) -> str:
    """The PDF's text, or "" while it cannot be read yet."""
    try:
        document = pypdfium2.PdfDocument(path.read_bytes())
    except pypdfium2.PdfiumError:
        return ""
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_a_pdf_goes_through_the_queue_to_paper(queue: str) -> None:
    printer = CupsPrinter(queue)
    assert printer.check().state is PrinterState.READY
    marker = f"KIOSK-TEST-{queue.upper()}"
    out = pdf_out_dir()
    before = set(out.glob("*.pdf")) if out.exists() else set()
    job = printer.print_pdf(a_pdf(marker), f"certificate-{queue}")
    assert job.error == "", job.message
    assert job.job.startswith(f"{queue}-")
    assert job.report.state is PrinterState.READY

    def printed() -> Path | None:
        return next((p for p in set(out.glob("*.pdf")) - before if f"certificate-{queue}" in p.name), None)

    # CUPS-PDF writes the file in place: it is there before it is whole.
    wait_for(
        lambda: (path := printed()) is not None and marker in pdf_text(path), 20, "the printed PDF with the marker"
    )
    path = printed()
    assert path is not None
    path.unlink()


def test_a_disabled_queue_is_paused_and_gets_no_job(queue: str) -> None:
    printer = CupsPrinter(queue)
    assert _cups("cupsdisable", queue).returncode == 0
    report = printer.check()
    assert report.state is PrinterState.PAUSED
    assert f"cupsenable {queue}" in report.message and "Paused" in report.message
    job = printer.print_pdf(a_pdf("paused"), "paused")
    assert (job.error, job.job) == ("paused", "")
    assert _cups("lpstat", "-o", queue).stdout.strip() == ""  # nothing was queued
    assert _cups("cupsenable", queue).returncode == 0
    assert printer.check().state is PrinterState.READY


def test_a_queue_that_rejects_jobs_is_paused(queue: str) -> None:
    assert _cups("cupsreject", queue).returncode == 0
    report = CupsPrinter(queue).check()
    assert report.state is PrinterState.PAUSED and f"cupsaccept {queue}" in report.message


def test_an_unknown_queue_is_offline(cupsd: None) -> None:
    printer = CupsPrinter("kiosk-test-no-such-queue")
    report = printer.check()
    assert report.state is PrinterState.OFFLINE and "no such queue" in report.message
    job = printer.print_pdf(a_pdf("x"), "x")
    assert job.error == "offline"


def test_a_scheduler_that_does_not_answer_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("lpstat") is None:
        pytest.skip("lpstat is not installed (./dev.sh test installs cups)")
    monkeypatch.setenv("CUPS_SERVER", "127.0.0.1:9")  # nothing listens on the discard port
    report = CupsPrinter("hall-a4").check()
    assert report.state is PrinterState.OFFLINE
    assert "cupsd does not answer" in report.message


def test_missing_tools_and_hung_tools_are_offline_not_exceptions() -> None:
    assert run_command(("kiosk-no-such-lpstat",), None, 1.0).returncode == 127
    hung = CupsPrinter(
        "hall-a4", run=lambda argv, _stdin, timeout: Ran(124, stderr=f"{argv[0]}: no answer within {timeout:g} s")
    )
    report = hung.check()
    assert report.state is PrinterState.OFFLINE and "no answer within 5 s" in report.message


def test_a_queue_name_is_checked() -> None:
    with pytest.raises(ValueError, match="not a CUPS queue name"):
        CupsPrinter("hall a4; rm -rf /")


def test_a_certificate_through_the_agent_and_a_paused_queue(queue: str) -> None:
    a4 = PrinterConfig(PrinterRole.A4, PrinterKind.CUPS, queue=queue)
    args = {"role": "a4", "document": "certificate", "certificate": 12}
    out = pdf_out_dir()
    before = set(out.glob("*.pdf")) if out.exists() else set()
    with print_server() as server:
        agent = start_kiosk(server, (a4,))
        try:
            hello = next(p for k, p in server.events if k == "hello")
            done = server.print(41, args, a_pdf("KIOSK-CERTIFICATE-12"))
            # Printed before the queue is paused, which would hold it.
            wait_for(
                lambda: any("KIOSK-CERTIFICATE-12" in pdf_text(p) for p in set(out.glob("*.pdf")) - before),
                20,
                "the certificate",
            )
            assert _cups("cupsdisable", queue).returncode == 0
            agent.printing.poll_now()
            paused = server.wait_status("paused")
            refused = server.print(42, args, a_pdf("never"))
        finally:
            agent.stop()
    assert hello["printers"] == [
        {
            "role": "a4",
            "kind": "cups",
            "state": "ready",
            "message": "",
            "checked_at": hello["printers"][0]["checked_at"],
        }
    ]
    assert done["ok"] is True, done
    assert done["result"]["job"].startswith(f"{queue}-")
    assert done["result"]["printer"]["state"] == "ready"
    assert f"cupsenable {queue}" in paused["message"]
    assert (refused["ok"], refused["error"]) == (False, "paused")
    for path in set(out.glob("*.pdf")) - before:
        path.unlink()
