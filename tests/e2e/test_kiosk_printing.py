"""End to end: the slip prints by itself when a number is taken, and the kiosk says how it went.

Real ``kiosk serve`` with the demo world and the kiosk page in Chromium; the kiosk's agent is a
python-socketio client that follows the printing contract (docs/protocol.md, "Printers"): it says
hello with a slip printer, receives ``print`` with the ESC/POS bytes, and answers ok or
``paper_out``. Screens: test-artifacts/ (docs/screens/ with KIOSK_DOC_SCREENS=1); look at them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import socketio

from devices.agent.sio_disconnect import disconnect_promptly
from tests.support.browser import chromium_missing, doc_screenshot
from tests.support.kiosk_site import (
    PORTRAIT,
    KioskSite,
    axe_missing,
    axe_violations,
    kiosk_site,
    open_kiosk,
    tap,
    wait_screen,
)
from tests.support.server import wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


def slip_printer(state: str) -> dict[str, Any]:
    return {
        "role": "slip",
        "kind": "escpos-network",
        "state": state,
        "message": state,
        "checked_at": datetime.now(UTC).isoformat(),
        "paper_mm": 80,
    }


class PrintingAgent:
    """The kiosk's agent as far as printing goes: answers every print with ``answer`` (ok, or an error code)."""

    def __init__(self, site: KioskSite) -> None:
        self.answer = "ok"
        self.lock = threading.Lock()
        self.jobs: list[bytes] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("device_command", self._print, namespace="/agent")
        self.sio.connect(
            site.server.url,
            namespaces=["/agent"],
            auth={"device": site.kiosk.key, "credential": site.kiosk.credential},
            transports=["websocket"],
            wait_timeout=10,
        )
        hello = {"readers": [], "printers": [slip_printer("ready")]}
        assert self.sio.call("agent_hello", hello, namespace="/agent", timeout=10)["ok"] is True

    def _print(self, command: dict[str, Any]) -> None:
        # Answered from a task of its own: a handler must not wait on a call of the same client.
        self.sio.start_background_task(self._answer, command)

    def _answer(self, command: dict[str, Any]) -> None:
        with self.lock:
            self.jobs.append(command["data"])
        if self.answer == "ok":
            result = {"id": command["id"], "ok": True, "result": {"printer": slip_printer("ready")}}
        else:
            self.status(self.answer)
            result = {"id": command["id"], "ok": False, "error": self.answer, "message": "paper end"}
        self.sio.call("command_result", result, namespace="/agent", timeout=10)

    def status(self, state: str) -> None:
        assert self.sio.call("printer_status", slip_printer(state), namespace="/agent", timeout=10) == {"ok": True}

    def close(self) -> None:
        disconnect_promptly(self.sio)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskSite]:
    with kiosk_site(Path(tmp_path_factory.mktemp("kiosk-printing"))) as running:
        running.agent.stop()  # the printing agent below takes its place on the kiosk's credential
        yield running


@pytest.fixture(scope="module")
def agent(site: KioskSite) -> Iterator[PrintingAgent]:
    printing = PrintingAgent(site)
    yield printing
    printing.close()


@pytest.fixture
def page(browser: Any, site: KioskSite, agent: PrintingAgent) -> Iterator[Any]:
    agent.answer = "ok"
    agent.status("ready")
    opened = open_kiosk(browser, site, PORTRAIT)
    yield opened
    errors = opened.kiosk_errors
    opened.context.close()
    assert not errors, f"uncaught errors in the kiosk page: {errors}"


def no_axe_problems(page: Any, where: str) -> None:
    if axe_missing() is None:
        found = axe_violations(page)
        assert not found, f"{where}: {found}"


def take_a_number(page: Any) -> str:
    tap(page, ".kattract__start")
    wait_screen(page, "home")
    tap(page, "[data-tile=queue]")
    wait_screen(page, "queue")
    page.wait_for_selector(".kline")
    tap(page, ".kline")
    with page.expect_response(lambda r: r.url.endswith("/kiosk/api/queue/tickets")) as answer:
        tap(page, "[data-action=take]")
    assert answer.value.status == 201, answer.value.text()
    page.wait_for_selector(".kticket__number")
    number: str = answer.value.json()["number"]
    return number


def test_the_slip_prints_by_itself_and_the_citizen_is_asked_to_take_it(page: Any, agent: PrintingAgent) -> None:
    before = len(agent.jobs)
    number = take_a_number(page)
    page.wait_for_selector("[data-print=done]", timeout=15_000)
    assert "请取走小票" in page.inner_text(".kticket__notes")
    assert page.inner_text(".kticket__number") == number
    page.wait_for_function(
        "() => { const q = document.querySelector('.kticket__qr'); return q && q.complete && q.naturalWidth > 0; }"
    )
    doc_screenshot(page, "kiosk-queue-slip-printed")
    no_axe_problems(page, "slip printed")
    assert len(agent.jobs) == before + 1, "one take, one slip"
    job = agent.jobs[-1]
    assert job.startswith(b"\x1b@") and number.encode("gb18030") in job

    tap(page, "[data-action=reprint]")
    wait_for(lambda: len(agent.jobs) == before + 2, 15, "the reprint reaching the agent")
    page.wait_for_selector("[data-print=done]")
    assert page.locator("[data-action=reprint]").count() == 0, "once per ticket"


def test_a_slip_that_runs_out_of_paper_says_so_and_keeps_the_number_and_qr_on_screen(
    page: Any, agent: PrintingAgent
) -> None:
    agent.answer = "paper_out"
    number = take_a_number(page)
    page.wait_for_selector("[data-print=failed]", timeout=15_000)
    notes = page.inner_text(".kticket__notes")
    assert "小票打印失败" in notes and "请取走小票" not in notes
    assert page.inner_text(".kticket__number") == number and page.locator(".kticket__qr").is_visible()
    page.wait_for_function(
        "() => { const q = document.querySelector('.kticket__qr'); return q && q.complete && q.naturalWidth > 0; }"
    )
    doc_screenshot(page, "kiosk-queue-slip-failed")

    # The printer now reports paper out: the next citizen is told before taking a number.
    tap(page, "[data-action=finish]")
    wait_screen(page, "home")
    page.wait_for_selector("[data-tile=queue] [data-printer=paper_out]")
    assert "小票打印机缺纸" in page.inner_text("[data-tile=queue]")
    doc_screenshot(page, "kiosk-home-printer-paper-out")
    tap(page, "[data-tile=queue]")
    page.wait_for_selector("[data-printer=trouble]")
    assert "小票打印机缺纸，取号后请记住号码或扫码" in page.inner_text(".kqueue")
    doc_screenshot(page, "kiosk-queue-printer-paper-out")
    no_axe_problems(page, "lines, printer out of paper")
