"""pcscd with vsmartcard's vpcd reader, owned by a test session, for the social-security card tests.

``start_pcscd`` skips (with the reason) when pcscd, the vpcd driver or pyscard is missing, another
pcscd is running, or pcscd will not start here; CI installs them (``./dev.sh test``). pcscd is one
daemon per machine: modules that use it carry ``pytest.mark.xdist_group("pcscd")``.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pytest

from devices.simulators.ssc_card import VPCD_PORT, VirtualSscCard, VpcdCardSocket

DEADLINE: Final = 10.0
READER: Final = "Virtual PCD 00 00"
XDIST_GROUP: Final = "pcscd"


def wait(condition: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _vpcd_driver() -> Path | None:
    for conf in sorted(Path("/etc/reader.conf.d").glob("*")):
        text = conf.read_text(errors="replace")
        match = re.search(r"^\s*LIBPATH\s+(\S*vpcd\S*)", text, re.MULTILINE)
        if match and Path(match.group(1)).exists():
            return Path(match.group(1))
    return None


class Pcscd:
    """A ``pcscd --foreground`` subprocess we own."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["pcscd", "--foreground"], stdout=self.log_path.open("ab"), stderr=subprocess.STDOUT
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def reader_listed(self) -> bool:
        from devices.drivers import pcsc

        try:
            return READER in pcsc.list_readers()
        except pcsc.PcscError:
            return False

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-800:]


@contextmanager
def running_pcscd(log_dir: Path) -> Iterator[Pcscd]:
    """Start our own pcscd listing the vpcd reader; skip when this machine cannot; stop it after."""
    if shutil.which("pcscd") is None:
        pytest.skip("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
    if _vpcd_driver() is None:
        pytest.skip(
            "the vsmartcard-vpcd driver is not configured in /etc/reader.conf.d (apt-get install vsmartcard-vpcd)"
        )
    pytest.importorskip("smartcard", reason="pyscard is not installed (pip install pyscard)")
    # A daemon of ours that is still shutting down (a module fixture set up again under xdist)
    # goes away within seconds; anybody else's does not.
    deadline = time.monotonic() + 15
    while subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode == 0:
        if time.monotonic() > deadline:
            running = subprocess.run(["pgrep", "-a", "pcscd"], capture_output=True, text=True).stdout.strip()
            pytest.skip(f"a pcscd is already running on this machine ({running}); these tests need to own theirs")
        time.sleep(0.2)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", VPCD_PORT)) == 0:
            pytest.skip(f"port {VPCD_PORT} (vpcd) is already taken by another process")
    daemon = Pcscd(log_dir / "pcscd.log")
    daemon.start()
    try:
        wait(daemon.reader_listed, f"pcscd to list {READER!r}")
    except AssertionError:
        daemon.stop()
        pytest.skip(f"pcscd did not start with the vpcd reader here: {daemon.log_tail()}")
    try:
        yield daemon
    finally:
        daemon.stop()


def reader_empty() -> bool:
    """Whether pcscd reports the vpcd reader without a card."""
    from devices.drivers import pcsc

    try:
        context = pcsc.PcscContext()
    except pcsc.PcscError:
        return False
    try:
        state = context.wait_for_change(READER, pcsc.UNAWARE, 0.1)
        return state is not None and not state.card_present
    except pcsc.PcscError:
        return False
    finally:
        context.close()


@contextmanager
def card_slot() -> Iterator[Callable[[VirtualSscCard], VpcdCardSocket]]:
    """``insert(card)`` puts virtual cards into the vpcd reader; all are taken out after, and the slot seen empty."""
    sockets: list[VpcdCardSocket] = []

    def insert(card: VirtualSscCard) -> VpcdCardSocket:
        sock = VpcdCardSocket(card)
        sockets.append(sock)
        sock.insert()
        return sock

    try:
        yield insert
    finally:
        for sock in sockets:
            sock.remove()
        # let vpcd notice the card left before the next test connects another one
        wait(reader_empty, "vpcd to report the reader empty")
