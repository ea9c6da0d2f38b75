"""The agent printing slips over a real Socket.IO link onto the simulated receipt printer.

A python-socketio server in this test plays the server's side of the printing contract (``/agent``:
``agent_hello`` with the printers, ``device_command`` ``print`` with the slip as a binary attachment,
``command_result`` and ``printer_status`` recorded); the agent is the real ``Agent`` with its real
``ServerLink`` and ``Printing``, and the printer is ``SimEscposPrinter`` on 127.0.0.1. The slip bytes
come from the server's own renderer (``kiosk_server/ticket_slip.py``) and are drawn by
``escpos_render`` to be looked at (test-artifacts/, or docs/screens/ with KIOSK_DOC_SCREENS=1).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image

from devices.agent.printer_config import PrinterConfig
from devices.drivers.printer_states import PrinterKind, PrinterRole
from devices.simulators.escpos_printer import SimEscposPrinter, SimPaper
from devices.simulators.escpos_render import render
from kiosk_server.ticket_slip import Paper, SlipContent, slip_bytes
from tests.support.print_server import PrintServer, print_server, start_kiosk

ROOT = Path(__file__).resolve().parents[2]
STATUS_URL = "https://signage.example.gov.cn/q/t/8f3k2qzx"
SLIP = SlipContent(
    hall_name="兰州市城关区人力资源市场",
    service_name="社保业务办理",
    number="A005",
    ahead=3,
    wait_minutes=12,
    issued_at=datetime(2026, 12, 7, 2, 5, tzinfo=UTC),
    timezone="Asia/Shanghai",
    status_url=STATUS_URL,
)


@pytest.fixture
def server() -> Iterator[PrintServer]:
    with print_server() as stand_in:
        yield stand_in


@pytest.fixture
def sim() -> Iterator[SimEscposPrinter]:
    printer = SimEscposPrinter()
    printer.start()
    yield printer
    printer.stop()


def slip_printer(sim: SimEscposPrinter, paper_mm: int = 80) -> PrinterConfig:
    return PrinterConfig(
        PrinterRole.SLIP, PrinterKind.ESCPOS_NETWORK, host="127.0.0.1", port=sim.port, paper_mm=paper_mm
    )


def keep_picture(image: Image.Image, name: str) -> Path:
    """test-artifacts/<name>.png, or docs/screens/<name>.png with KIOSK_DOC_SCREENS=1."""
    folder = ROOT / ("docs/screens" if os.environ.get("KIOSK_DOC_SCREENS") == "1" else "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    image.save(path)
    return path


def ink_bands(image: Image.Image) -> list[tuple[int, int]]:
    """The (top, height) of each band of rows that holds dark pixels, top to bottom."""
    dark_rows = [any(image.getpixel((x, y)) < 128 for x in range(0, image.width, 2)) for y in range(image.height)]
    bands: list[tuple[int, int]] = []
    start = None
    for y, dark in enumerate([*dark_rows, False]):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            bands.append((start, y - start))
            start = None
    return bands


@pytest.mark.parametrize(("paper", "module"), [(Paper.MM80, 7), (Paper.MM58, 5)])
def test_a_slip_from_the_server_prints_and_looks_like_a_slip(
    server: PrintServer, sim: SimEscposPrinter, paper: Paper, module: int
) -> None:
    data = slip_bytes(SLIP, paper)
    agent = start_kiosk(server, (slip_printer(sim, int(paper)),))
    try:
        answer = server.print(31, {"role": "slip", "document": "slip", "ticket": "A005"}, data)
    finally:
        agent.stop()
    assert answer["ok"] is True, answer
    printer = answer["result"]["printer"]
    assert (printer["role"], printer["kind"], printer["state"], printer["paper_mm"]) == (
        "slip",
        "escpos-network",
        "ready",
        int(paper),
    )
    assert bytes(sim.printed) == data  # every byte, in order, nothing else
    hello = next(p for k, p in server.events if k == "hello")
    assert [(p["role"], p["state"]) for p in hello["printers"]] == [("slip", "ready")]

    image = render(bytes(sim.printed), int(paper))
    path = keep_picture(image, f"slip-{int(paper)}mm")
    assert path.exists()
    bands = ink_bands(image)
    side = len(segno.make_qr(STATUS_URL.encode(), error="m", boost_error=False).matrix) * module
    assert any(height == side for _top, height in bands), "the QR code"
    # A digit's ink is about 16 of its 24 dots; at four times the size 64, more than twice any text line.
    text_lines = [height for _top, height in bands if height < 30]
    number = [height for _top, height in bands if 2 * max(text_lines) < height <= 96]
    assert number, "the number at four times the size"
    # Hall, line, number, ahead, wait, time, QR, hint, warning, cut: at least ten bands.
    assert len(bands) >= 10


def test_printer_states_follow_the_printer_and_reach_the_server(server: PrintServer, sim: SimEscposPrinter) -> None:
    agent = start_kiosk(server, (slip_printer(sim),))
    try:
        # The first check at start went out in the hello (the hello waits for it).
        assert next(p for k, p in server.events if k == "hello")["printers"][0]["state"] == "ready"
        for paper, state in [
            (SimPaper.PAPER_LOW, "paper_low"),
            (SimPaper.PAPER_OUT, "paper_out"),
            (SimPaper.COVER_OPEN, "cover_open"),
            (SimPaper.READY, "ready"),
        ]:
            sim.state = paper
            agent.printing.poll_now()
            status = server.wait(
                lambda events, state=state: (
                    (s := [p for k, p in events if k == "printer_status"]) and s[-1]["state"] == state and s[-1]
                ),
                f"printer_status {state}",
            )
            assert status["message"] or state == "ready"
            assert status["checked_at"].endswith("Z") and status["paper_mm"] == 80
        before = len(server.statuses())
        agent.printing.poll_now()  # nothing changed: nothing is sent
        agent.printing.poll_now()
        sim.state = SimPaper.PAPER_LOW
        agent.printing.poll_now()
        server.wait(lambda events: len([k for k, _ in events if k == "printer_status"]) > before, "the next status")
    finally:
        agent.stop()
    assert [p["state"] for p in server.statuses()] == ["paper_low", "paper_out", "cover_open", "ready", "paper_low"]


def test_the_agent_polls_by_itself(server: PrintServer, sim: SimEscposPrinter) -> None:
    agent = start_kiosk(server, (slip_printer(sim),), poll_seconds=0.2)
    try:
        sim.state = SimPaper.PAPER_OUT
        server.wait_status("paper_out")
    finally:
        agent.stop()


def test_paper_out_in_the_middle_of_a_slip(server: PrintServer, sim: SimEscposPrinter) -> None:
    data = slip_bytes(SLIP, Paper.MM80)
    sim.paper_bytes = 120
    agent = start_kiosk(server, (slip_printer(sim),))
    try:
        answer = server.print(32, {"role": "slip", "document": "slip", "ticket": "A005"}, data)
        server.wait_status("paper_out")
    finally:
        agent.stop()
    assert (answer["ok"], answer["error"]) == (False, "paper_out")
    assert "paper" in answer["message"]
    assert bytes(sim.printed) == data[:120]


def test_a_printer_unplugged_between_two_slips(server: PrintServer, sim: SimEscposPrinter) -> None:
    data = slip_bytes(SLIP, Paper.MM80)
    args = {"role": "slip", "document": "slip", "ticket": "A005"}
    agent = start_kiosk(server, (slip_printer(sim),))
    try:
        assert server.print(33, args, data)["ok"] is True
        sim.stop()
        second = server.print(34, {**args, "ticket": "A006"}, data)
        offline = server.wait_status("offline")
        sim.start()
        agent.printing.poll_now()
        server.wait(lambda events: server.statuses()[-1]["state"] == "ready", "ready again")
        third = server.print(35, {**args, "ticket": "A007"}, data)
    finally:
        agent.stop()
    assert (second["ok"], second["error"]) == (False, "offline")
    assert "refused" in offline["message"]
    assert third["ok"] is True
    assert bytes(sim.printed) == data + data  # the first and the third


def test_a_print_for_a_role_without_a_printer_is_no_printer(server: PrintServer, sim: SimEscposPrinter) -> None:
    agent = start_kiosk(server, (slip_printer(sim),))
    try:
        answer = server.print(36, {"role": "a4", "document": "certificate", "certificate": 9}, b"%PDF-1.7 ...")
    finally:
        agent.stop()
    assert (answer["ok"], answer["error"]) == (False, "no_printer")
    assert "a4" in answer["message"]


def test_a_kiosk_without_printers_says_so_in_its_hello(server: PrintServer) -> None:
    agent = start_kiosk(server, ())
    try:
        answer = server.print(37, {"role": "slip", "document": "slip", "ticket": "A005"}, b"\x1b@A\n")
    finally:
        agent.stop()
    assert next(p for k, p in server.events if k == "hello")["printers"] == []
    assert answer["error"] == "no_printer"


@pytest.mark.parametrize(
    ("args", "data", "problem"),
    [
        ("slip", b"\x1b@", "args: expected an object"),
        ({"role": "receipt", "document": "slip", "ticket": "A1"}, b"\x1b@", "args.role"),
        ({"role": "slip", "document": "certificate", "ticket": "A1"}, b"\x1b@", "args.document"),
        ({"role": "slip", "document": "slip", "ticket": "A 1;"}, b"\x1b@", "args.ticket"),
        ({"role": "slip", "document": "slip", "ticket": "A1"}, None, "data: expected the document's bytes"),
        ({"role": "slip", "document": "slip", "ticket": "A1"}, "\x1b@A005", "data: expected the document's bytes"),
        ({"role": "slip", "document": "slip", "ticket": "A1"}, b"", "data: expected the document's bytes"),
        ({"role": "a4", "document": "certificate", "certificate": True}, b"%PDF-", "args.certificate"),
        ({"role": "a4", "document": "certificate", "certificate": 3}, b"<html>", "must be a PDF"),
    ],
)
def test_a_malformed_print_command_gets_a_clear_error_and_the_agent_carries_on(
    server: PrintServer, sim: SimEscposPrinter, args: Any, data: Any, problem: str
) -> None:
    agent = start_kiosk(server, (slip_printer(sim),))
    try:
        answer = server.print(38, args, data)
        after = server.print(39, {"role": "slip", "document": "slip", "ticket": "A008"}, b"\x1b@A008\n")
    finally:
        agent.stop()
    assert (answer["ok"], answer["error"]) == (False, "bad_args")
    assert problem in answer["message"]
    assert after["ok"] is True
    assert bytes(sim.printed) == b"\x1b@A008\n"  # nothing of the refused command reached the printer
