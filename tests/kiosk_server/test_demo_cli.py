"""`kiosk demo`: seeds once, prints where to look, and reuses its data directory on the next run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from content.idnumbers import is_valid_id_number
from tests.support.demo import run_demo, stop
from tests.support.server import free_port

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
