"""``kiosk agent --list-readers`` and ``--check`` show the configured printers and their state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.agent.cli import main
from devices.simulators.escpos_printer import SimEscposPrinter, SimPaper


@pytest.fixture
def sim() -> Iterator[SimEscposPrinter]:
    printer = SimEscposPrinter()
    printer.start()
    yield printer
    printer.stop()


def write_config(tmp_path: Path, port: int) -> str:
    path = tmp_path / "agent.toml"
    path.write_text(
        '[server]\nurl = "http://hall.example"\n[device]\nkey = "k"\ncredential = "c"\n'
        "[agent]\nhotplug = false\npcsc = false\n"
        f'[[printers]]\nrole = "slip"\nkind = "escpos-network"\nhost = "127.0.0.1"\nport = {port}\npaper_mm = 58\n',
        encoding="utf-8",
    )
    return str(path)


def test_list_readers_shows_each_printer_with_its_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sim: SimEscposPrinter
) -> None:
    config = write_config(tmp_path, sim.port)
    sim.state = SimPaper.PAPER_LOW
    assert main(["--config", config, "--list-readers", "--json"]) == 0
    (printer,) = [r for r in json.loads(capsys.readouterr().out)["readers"] if r["bus"] == "printer"]
    assert (printer["node"], printer["driver"], printer["source"]) == (
        f"127.0.0.1:{sim.port}",
        "escpos-network",
        "config",
    )
    assert printer["why"].startswith("[[printers]] slip printer: paper_low (the paper roll is near its end)")
    assert printer["why"].endswith("58 mm paper")
    assert sim.printed == b""  # a status request, nothing printed

    sim.stop()
    assert main(["--config", config, "--list-readers"]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("printer")]
    assert "escpos-network" in line and "offline" in line and "refused" in line


def test_check_counts_the_printers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, 9100)
    assert main(["--config", config, "--check"]) == 0
    assert "1 printer(s)" in capsys.readouterr().out
