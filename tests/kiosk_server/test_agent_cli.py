"""`kiosk agent-credential <screen key>` and `kiosk agent …` (which hands over to devices.agent)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import verify_agent_credential
from content.org.screens import Screen
from kiosk_server import cli
from kiosk_server.database import make_engine
from kiosk_server.records_backends import agent_credential_key
from tests.support import migrated_schema
from tests.support.world import World, build_world

SECRET = "cli-test-secret-key"


@pytest.fixture
def kiosk_db(database_url: str) -> Iterator[tuple[str, World, str]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=1)
        kiosk = Screen(hall_id=world.hall_id, name="求职自助终端", kind="kiosk")
        session.add(kiosk)
        session.commit()
        key = kiosk.key
    yield database_url, world, key
    engine.dispose()


def run_cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_DATABASE_URL": database_url,
        "KIOSK_SECRET_KEY": SECRET,
    }
    env.pop("KIOSK_ASYNC_MODE", None)
    return subprocess.run(
        [sys.executable, "-m", "kiosk_server.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def verifies(database_url: str, screen_key: str, credential: str) -> bool:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return verify_agent_credential(session, screen_key, credential, agent_credential_key(SECRET)) is not None
    finally:
        engine.dispose()


def test_agent_credential_prints_a_working_credential_once(tmp_path: Path, kiosk_db: tuple[str, World, str]) -> None:
    database_url, _, key = kiosk_db
    first = run_cli(tmp_path, database_url, "agent-credential", key)
    assert first.returncode == 0, first.stderr
    credential = first.stdout.strip()
    assert len(credential.splitlines()) == 1 and len(credential) >= 40
    assert "shown once" in first.stderr
    assert verifies(database_url, key, credential)
    second = run_cli(tmp_path, database_url, "agent-credential", key)
    assert second.returncode == 0, second.stderr
    assert not verifies(database_url, key, credential), "a new credential revokes the old one"
    assert verifies(database_url, key, second.stdout.strip())


def test_agent_credential_refuses_walls_and_unknown_keys(tmp_path: Path, kiosk_db: tuple[str, World, str]) -> None:
    database_url, world, _ = kiosk_db
    wall = run_cli(tmp_path, database_url, "agent-credential", world.wall_keys[0])
    assert wall.returncode == 2 and wall.stdout == ""
    assert "is a wall screen; only kiosk screens have a device agent" in wall.stderr
    unknown = run_cli(tmp_path, database_url, "agent-credential", "no-such-key")
    assert unknown.returncode == 2 and "no screen has that key" in unknown.stderr


def test_kiosk_agent_execs_the_device_agent_with_every_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, list[str]]] = []

    class Replaced(Exception):
        pass

    def fake_execv(path: str, argv: list[str]) -> Any:
        calls.append((path, list(argv)))
        raise Replaced

    monkeypatch.setattr(os, "execv", fake_execv)
    with pytest.raises(Replaced):
        cli.main(["agent", "--server", "https://hall.example", "-v", "run"])
    assert calls == [
        (sys.executable, [sys.executable, "-m", "devices.agent", "--server", "https://hall.example", "-v", "run"])
    ]
    with pytest.raises(Replaced):
        cli.main(["agent", "--help"])
    assert calls[-1][1][3:] == ["--help"], "--help belongs to the agent, not to kiosk"
