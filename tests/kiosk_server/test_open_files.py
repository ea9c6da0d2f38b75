"""``kiosk serve`` raises its open-files soft limit to the hard one, and says how many screens that holds."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk_server.open_files import RESERVED_FILES, SUGGESTED_LIMIT, FileLimit
from tests.support.server import free_port, wait_for

DEADLINE = 60  # a kiosk serve's imports and migrations on a busy machine


def limited_to(soft: int, hard: int | None = None) -> Callable[[], None]:
    """For ``preexec_fn``: start the child with these limits, as a shell's ``ulimit`` would."""

    def apply() -> None:
        _, current_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, current_hard if hard is None else hard))

    return apply


def soft_limit_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError(f"no open-files line in /proc/{pid}/limits")


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """A real ``kiosk serve`` (gevent) started with a soft limit of 256; its log file."""
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data"), "KIOSK_API_TOKEN": "test-token"}
    env.pop("KIOSK_DATABASE_URL", None)
    env.pop("KIOSK_ASYNC_MODE", None)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk_server.cli", "serve", "--port", str(free_port())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=limited_to(256),  # noqa: PLW1509 - sets a limit only; no threads in the test process
        )
    try:
        yield proc, log_path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_kiosk_serve_raises_its_soft_limit_to_the_hard_one_and_says_how_many_screens_that_holds(
    serving: tuple[subprocess.Popen[bytes], Path],
) -> None:
    proc, log_path = serving
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)

    def reported() -> str:
        assert proc.poll() is None, log_path.read_text(errors="replace")
        return next((line for line in log_path.read_text().splitlines() if "open files: limit" in line), "")

    line = wait_for(reported, DEADLINE, "the open-files line in the log")
    assert soft_limit_of(proc.pid) == hard
    assert f"limit {hard}, raised from 256" in line
    assert f"about {hard - RESERVED_FILES} screens" in line


def test_a_low_hard_limit_is_warned_about_with_what_to_set() -> None:
    script = "import logging; logging.basicConfig(); from kiosk_server import open_files as o; o.report(o.raise_to_hard_limit())"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        preexec_fn=limited_to(256, 2048),  # noqa: PLW1509 - sets a limit only; no threads in the test process
    )
    assert done.returncode == 0, done.stderr
    assert f"holds only about {2048 - RESERVED_FILES} screens" in done.stderr
    assert f"LimitNOFILE={SUGGESTED_LIMIT}" in done.stderr and f"ulimit -n {SUGGESTED_LIMIT}" in done.stderr


def test_a_limit_below_the_reserve_holds_no_screens_rather_than_a_negative_number() -> None:
    assert FileLimit(limit=RESERVED_FILES + 10, started_with=64).screens == 10
    assert FileLimit(limit=64, started_with=64).screens == 0
