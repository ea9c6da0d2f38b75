"""Run `kiosk demo` as the README does, and read its banner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.server import wait_for


def run_demo(data_dir: Path, port: int) -> tuple[subprocess.Popen[str], list[str]]:
    """Start the demo on ``port`` with its data in ``data_dir``; return the process and its banner lines."""
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir)}
    for name in ("KIOSK_API_TOKEN", "KIOSK_DATABASE_URL", "KIOSK_ASYNC_MODE"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk_server.cli", "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
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


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
