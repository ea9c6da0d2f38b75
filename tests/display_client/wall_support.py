"""The stand-in server as a process a test drives, and small helpers shared by the wall tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from tests.support.server import free_port, wait_for

REPO = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("wall_harness.py")

# Records every change of what each region shows, so a test can assert on the order of things
# and on what never appeared, without sleeping.
SEEN_SCRIPT = """
window.__seen = [];
(() => {
  const last = {};
  const look = () => {
    for (const view of document.querySelectorAll('.region__view')) {
      const region = view.closest('.region').dataset.region;
      const text = view.textContent;
      const img = !!view.querySelector('img');
      const sig = text + (img ? '<img>' : '');
      if (last[region] !== sig) {
        last[region] = sig;
        window.__seen.push({region, text, img, at: Date.now()});
      }
    }
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


def until(condition: Callable[[], Any], timeout: float, message: str) -> Any:
    """Poll ``condition`` until it returns something truthy, failing with ``message`` after ``timeout`` s."""
    return wait_for(condition, timeout, message, interval=0.1)


class Harness:
    """The stand-in server as a process a test can start, stop, freeze and talk to."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.root = root
        self.state = root / "harness-state.json"
        self.media = root / "media"
        self.media.mkdir(exist_ok=True)
        self.output = root / "harness.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._held: socket.socket | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self._release_port()
        cmd = [
            sys.executable,
            str(HARNESS),
            "--port",
            str(self.port),
            "--state",
            str(self.state),
            "--media",
            str(self.media),
        ]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with self.output.open("ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env)

        def up() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"harness exited: {self.output.read_text(errors='replace')}")
            try:
                return requests.get(self.url("/_test/ping"), timeout=1).ok
            except requests.RequestException:
                return False

        wait_for(up, 20, "the harness to start")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.thaw()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None
        self._hold_port()

    def close(self) -> None:
        """Stop the server for good and let its port go."""
        self.stop()
        self._release_port()

    def _hold_port(self) -> None:
        # A stopped server's port must stay dead: bound but not listening, it refuses every
        # connection at once, and no other worker's server can take it and answer the page's
        # reload in its place (a 404 the service worker would rightly show).
        held = socket.socket()
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            held.bind(("127.0.0.1", self.port))
        except OSError:
            held.close()  # taken already: nothing to hold
            return
        self._held = held

    def _release_port(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def freeze(self) -> None:
        """Stop the process without closing its sockets: a server that hangs, not one that quits."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.proc is not None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def screen(self, key: str, payload: dict[str, Any] | None = None, *, push: bool = False, **screen: Any) -> None:
        """Register screen `key` (welcome fields in `screen`) with `payload` as its current manifest."""
        response = requests.post(
            self.url(f"/_test/screen/{key}"), json={"screen": screen, "payload": payload, "push": push}, timeout=5
        )
        response.raise_for_status()

    def emit(self, key: str, payload: dict[str, Any]) -> None:
        requests.post(self.url(f"/_test/emit/{key}"), json=payload, timeout=5).raise_for_status()

    def log(self, event: str | None = None, key: str | None = None) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = requests.get(self.url("/_test/log"), timeout=5).json()
        return [e for e in entries if (event is None or e["event"] == event) and (key is None or e["key"] == key)]
