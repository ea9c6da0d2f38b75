"""`kiosk demo`: seeds once, prints where to look, and reuses its data directory on the next run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.server import free_port, wait_for

pytestmark = pytest.mark.slow


def run_demo(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    env.pop("KIOSK_API_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk_server.cli", "demo", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    assert proc.stdout is not None

    def banner_done() -> bool:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        if line:
            lines.append(line.rstrip())
        if proc.poll() is not None and not line:
            raise AssertionError("demo exited early:\n" + "\n".join(lines))
        return "Ctrl+C" in line

    wait_for(banner_done, 180, "the demo banner", interval=0)
    def healthy() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
        except requests.RequestException:
            return False

    wait_for(healthy, 30, "health")
    return proc, lines


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
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    proc, lines = run_demo(tmp_path / "var", port)
    try:
        text = "\n".join(lines)
        assert "沿用" in text, text
        assert re.findall(rf"/screen/(\S+)", text)[0] == walls[0]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
