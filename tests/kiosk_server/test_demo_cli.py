"""`kiosk demo`: seeds once, prints where to look, and reuses its data directory on the next run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from content.citizens.idnumbers import is_valid_id_number
from tests.support.citizens import KioskScreenClient
from tests.support.demo import run_demo, stop
from tests.support.server import free_port, wait_for

pytestmark = pytest.mark.slow


def test_demo_seeds_prints_urls_and_reuses_its_data(tmp_path: Path) -> None:
    port = free_port()
    proc, lines = run_demo(tmp_path / "var", port)
    try:
        text = "\n".join(lines)
        walls = re.findall(rf"http://127\.0\.0\.1:{port}/screen/(\S+)", text)
        assert len(walls) >= 5
        assert f"http://127.0.0.1:{port}/api/v1/openapi.json" in text
        token = re.search(r"API token:\s+(\S+)", text)
        assert token and token.group(1) == (tmp_path / "var" / "api_token").read_text().strip()
        page = requests.get(f"http://127.0.0.1:{port}/screen/{walls[0]}", timeout=5)
        assert page.status_code == 200
        manifest = requests.get(f"http://127.0.0.1:{port}/screen/{walls[0]}/manifest.json", timeout=10).json()
        kinds = {item["kind"] for item in manifest["manifest"]["items"].values()}
        assert {"vacancy", "notice"} <= kinds
        cards_file = tmp_path / "var" / "demo-cards.json"
        assert str(cards_file) in text
        assert cards_file.stat().st_mode & 0o777 == 0o600, "raw (synthetic) numbers: owner-only"
        cards = json.loads(cards_file.read_text(encoding="utf-8"))
        assert len(cards) == 60 and all(is_valid_id_number(c["id_number"]) for c in cards)
        assert all(re.fullmatch(r"[A-Z]\d{8}", c["ssc_card_number"]) for c in cards)
    finally:
        stop(proc)
    proc, lines = run_demo(tmp_path / "var", port)
    try:
        text = "\n".join(lines)
        assert "沿用" in text, text
        assert re.findall(r"/screen/(\S+)", text)[0] == walls[0]
    finally:
        stop(proc)


def test_demo_card_reader_opens_and_ends_a_session_on_the_demo_kiosk(tmp_path: Path) -> None:
    """The banner's card reader page drives the real driver and agent: 放卡 opens a session, 取走 ends it.

    Its simulated slip printer prints a number taken at the demo kiosk, and can run out of paper.
    """
    port = free_port()
    proc, lines = run_demo(tmp_path / "var", port)
    kiosk = None
    try:
        text = "\n".join(lines)
        page = re.search(r"card reader: (http://127\.0\.0\.1:\d+/)", text)
        key = re.search(rf"open the kiosk at http://127\.0\.0\.1:{port}/screen/(\S+)", text)
        assert page and key, text
        credential, cmdline = _demo_agent_credential_and_cmdline(proc.pid)
        assert len(credential) >= 32 and credential not in cmdline and credential not in text
        kiosk = KioskScreenClient(f"http://127.0.0.1:{port}", key.group(1)).connect()
        wait_for(lambda: "已连接服务器" in _page_text(page.group(1)), 60, "the demo agent online")
        first = json.loads((tmp_path / "var" / "demo-cards.json").read_text(encoding="utf-8"))[0]
        assert requests.post(page.group(1) + "present?i=0", timeout=5, allow_redirects=False).status_code == 303
        wait_for(lambda: kiosk.received("citizen_session"), 15, "citizen_session on the demo kiosk")
        session = kiosk.received("citizen_session")[0]
        assert session["citizen"]["masked_id"] == first["id_number"][:6] + "*" * 8 + first["id_number"][-4:]
        assert first["id_number"] not in json.dumps(session, ensure_ascii=False)
        assert requests.post(page.group(1) + "remove", timeout=5, allow_redirects=False).status_code == 303
        wait_for(lambda: kiosk.received("citizen_session_ended"), 15, "citizen_session_ended on the demo kiosk")
        assert kiosk.received("citizen_session_ended")[0]["reason"] == "card_removed"
        assert requests.post(page.group(1) + "present?i=stranger", timeout=5).ok
        wait_for(lambda: kiosk.received("citizen_session_refused"), 15, "the stranger's card refused")
        assert kiosk.received("citizen_session_refused")[0]["error"] == "unknown_person"

        # The demo kiosk's slip printer is simulated too: a number taken there comes out of it, drawn on the page.
        base, screen_key = f"http://127.0.0.1:{port}", {"X-Screen-Key": key.group(1)}
        wait_for(lambda: _slip_printer(base, screen_key).get("ready") is True, 30, "the demo slip printer ready")
        line = requests.get(f"{base}/kiosk/api/queue/lines", headers=screen_key, timeout=5).json()["lines"][0]
        taken = requests.post(
            f"{base}/kiosk/api/queue/tickets", json={"service_type_id": line["id"]}, headers=screen_key, timeout=10
        )
        assert taken.status_code == 201 and taken.json()["print"]["document"] == "slip", taken.text
        slip = wait_for(lambda: _slip_png(page.group(1)), 30, "the slip drawn on the card reader page")
        assert slip.startswith(b"\x89PNG") and "最近打印的小票" in _page_text(page.group(1))
        assert requests.post(page.group(1) + "paper?loaded=0", timeout=5, allow_redirects=False).status_code == 303
        wait_for(lambda: _slip_printer(base, screen_key).get("state") == "paper_out", 30, "paper out on the kiosk")
    finally:
        if kiosk is not None:
            kiosk.close()
        stop(proc)
    assert proc.returncode == 0
    # The child exits with the server: nothing listens on the simulator page any more.
    wait_for(lambda: _refused(page.group(1)), 15, "the card reader page gone")


def _page_text(url: str) -> str:
    """The card reader page, or "" while its process is still starting."""
    try:
        return requests.get(url, timeout=5).text
    except requests.ConnectionError:
        return ""


def _slip_printer(base: str, headers: dict[str, str]) -> dict[str, object]:
    """What the demo kiosk's page is told about its slip printer ({} before the agent reported one)."""
    found = requests.get(f"{base}/kiosk/api/print/printers", headers=headers, timeout=5).json()["slip"]
    return dict(found) if found else {}


def _slip_png(page: str) -> bytes | None:
    """The last slip drawn by the card reader page, or None before one was printed."""
    answer = requests.get(page + "slip.png", timeout=5)
    return answer.content if answer.status_code == 200 else None


def _refused(url: str) -> bool:
    try:
        requests.get(url, timeout=1)
    except requests.ConnectionError:
        return True
    return False


def _demo_agent_credential_and_cmdline(server_pid: int) -> tuple[str, str]:
    """The demo agent child's credential (from its environment) and its command line, read from /proc."""
    for proc_dir in Path("/proc").iterdir():
        try:
            stat = (proc_dir / "stat").read_text()
            cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == server_pid and "devices.simulators.demo_agent" in cmdline:
            environ = dict(item.split("=", 1) for item in (proc_dir / "environ").read_text().split("\0") if "=" in item)
            return environ["KIOSK_AGENT_CREDENTIAL"], cmdline
    raise AssertionError("no demo agent child of the demo server")
