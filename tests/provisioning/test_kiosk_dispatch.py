"""``kiosk provision …`` and ``kiosk doctor …`` hand over to ``python -m provisioning`` with every argument."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from kiosk_server import cli


class Replaced(Exception):
    pass


@pytest.mark.parametrize("command", ["provision", "doctor"])
def test_kiosk_execs_the_provisioning_tool_with_every_argument(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, list[str]]] = []

    def fake_execv(path: str, argv: list[str]) -> Any:
        calls.append((path, list(argv)))
        raise Replaced

    monkeypatch.setattr(os, "execv", fake_execv)
    with pytest.raises(Replaced):
        cli.main([command, "--server", "https://hall.example", "--json"])
    assert calls == [
        (sys.executable, [sys.executable, "-m", "provisioning", command, "--server", "https://hall.example", "--json"])
    ]
    with pytest.raises(Replaced):
        cli.main([command, "--help"])
    assert calls[-1][1][3:] == [command, "--help"], "--help belongs to the tool, not to kiosk"


def test_kiosk_help_lists_both_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk_server.cli", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "provision" in done.stdout and "doctor" in done.stdout


def test_kiosk_provision_dry_run_through_the_real_exec(tmp_path: Any) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk_server.cli",
            "provision",
            "--server",
            "https://hall.example",
            "--dry-run",
            "--kind",
            "wall",
            "--root",
            str(tmp_path),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "the plan for this wall" in done.stdout and list(tmp_path.iterdir()) == []
