"""A data directory that cannot be written: start is refused in one line, /healthz says so, nothing half-migrates.

The directories here are small tmpfs mounts: a full disk and a read-only mount are the real thing
for root (who ignores file modes), with no loop device and no preloaded library.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from alembic.script import ScriptDirectory
from flask import Flask

from kiosk_server import cli
from kiosk_server.database import alembic_config, database, make_engine, upgrade_schema
from tests.conftest import make_app
from tests.support.kiosk_cli import run_kiosk
from tests.support.server import free_port

TMPFS_BYTES: Final = 2 * 1024 * 1024
# Room for the keys and the write probe, not for the schema (about 500 KiB in one transaction).
ROOM_FOR_LESS_THAN_THE_SCHEMA: Final = 160 * 1024


class Tmpfs:
    """A tmpfs mounted for one test; remount it read-only, or fill it up to a given free space."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def remount(self, mode: str) -> None:
        _mount("-o", f"remount,{mode}", str(self.path))

    def free_bytes(self) -> int:
        found = os.statvfs(self.path)
        return found.f_bavail * found.f_frsize

    def fill(self, leave: int) -> Path:
        """Write a ballast file until only ``leave`` bytes are free; delete it to free the space again."""
        ballast = self.path / "ballast"
        with ballast.open("wb") as handle:
            while (room := self.free_bytes() - leave) > 0:
                handle.write(b"\0" * min(room, 64 * 1024))
                handle.flush()
        return ballast


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=True, timeout=10)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Tmpfs]:
    """A 2 MiB tmpfs at tmp_path/mnt, unmounted afterwards (skipped where this user may not mount)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs (a real full or read-only file system) needs root and mount(8)")
    mount_point = tmp_path / "mnt"
    mount_point.mkdir()
    try:
        _mount("-t", "tmpfs", "-o", f"size={TMPFS_BYTES},mode=0755", "tmpfs", str(mount_point))
    except subprocess.CalledProcessError as err:
        pytest.skip(f"cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?): {err.stderr.strip()}")
    try:
        yield Tmpfs(mount_point)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            _mount("-o", "remount,rw", str(mount_point))
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, check=True, timeout=10)


def _start_process(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``kiosk serve`` as its own process, expected to refuse at once (a server that starts times out)."""
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir), "KIOSK_API_TOKEN": "test-token", "KIOSK_LOG_LEVEL": "ERROR"}
    env.pop("KIOSK_DATABASE_URL", None)
    args = [sys.executable, "-m", "kiosk_server.cli", "serve", "--port", str(free_port())]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


def _start(monkeypatch: pytest.MonkeyPatch, command: str, data_dir: Path) -> tuple[int, str, list[int]]:
    """``kiosk serve`` or ``kiosk demo`` in this process: (exit status, stderr, /healthz statuses if it served).

    Serving is replaced by one /healthz request, so a start that should have been refused returns.
    """
    served: list[int] = []

    def serve_once(app: Flask, _host: str, _port: int) -> int:
        served.append(app.test_client().get("/healthz").status_code)
        database(app).engine.dispose()  # nothing left open on the mount
        return 0

    monkeypatch.setattr(cli, "_serve", serve_once)
    args = [command, "--port", "0", *(["--no-card-reader"] if command == "demo" else [])]
    result = run_kiosk({"KIOSK_DATA_DIR": str(data_dir), "KIOSK_ASYNC_MODE": "threading"}, *args)
    return result.returncode, result.stderr, served


def _refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start prints (and that it printed no traceback)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip().splitlines()[-1]


def _tables(database: Path) -> tuple[set[str], str | None]:
    """The tables of a SQLite file and the Alembic revision it records (None without one)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return tables, revision


def _assert_no_half_migration(database: Path, scratch: Path) -> None:
    """No schema at all, or exactly the schema of the revision recorded: never a migration's first half."""
    tables, revision = _tables(database)
    if revision is None:
        assert tables <= {"alembic_version"}, f"tables without a recorded revision (half a migration): {tables}"
        return
    engine = make_engine(f"sqlite:///{scratch}")
    try:
        upgrade_schema(engine, revision)
    finally:
        engine.dispose()
    assert tables == _tables(scratch)[0], f"revision {revision} recorded with another schema than its own"


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


@pytest.mark.slow
def test_a_first_start_that_fills_the_disk_is_refused_whole_and_succeeds_once_space_is_freed(
    tmpfs: Tmpfs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ballast = tmpfs.fill(leave=ROOM_FOR_LESS_THAN_THE_SCHEMA)
    line = _refusal(_start_process(tmpfs.path))  # the real executable: exit status, no traceback
    assert line.startswith(f"kiosk serve: cannot write {tmpfs.path}: its file system is full; free space there"), line
    assert "rolled back" in line, line
    database_file = tmpfs.path / "kiosk.sqlite3"
    _assert_no_half_migration(database_file, tmp_path / "scratch.sqlite3")

    ballast.unlink()
    code, stderr, served = _start(monkeypatch, "serve", tmpfs.path)
    assert (code, served) == (0, [200]), stderr
    assert _tables(database_file)[1] == _head()


@pytest.mark.parametrize(
    ("command", "holding"),
    [("serve", "nothing"), ("serve", "keys"), ("serve", "keys and schema"), ("demo", "keys and schema")],
)
def test_start_refuses_a_read_only_data_directory(
    tmpfs: Tmpfs, monkeypatch: pytest.MonkeyPatch, command: str, holding: str
) -> None:
    if holding != "nothing":
        assert run_kiosk({"KIOSK_DATA_DIR": str(tmpfs.path)}, "token").returncode == 0
    if holding == "keys and schema":  # only the saves would fail (and /healthz said ok)
        engine = make_engine(f"sqlite:///{tmpfs.path / 'kiosk.sqlite3'}")
        upgrade_schema(engine)
        engine.dispose()  # no file open for writing, or the remount is refused as busy
    tmpfs.remount("ro")
    code, stderr, served = _start(monkeypatch, command, tmpfs.path)
    assert (code, served) == (2, []), stderr
    assert stderr.strip() == (
        f"kiosk {command}: cannot write {tmpfs.path}: its file system is mounted read-only; "
        "remount it read-write, or point KIOSK_DATA_DIR at a writable directory, and start again"
    )


def test_a_full_data_directory_is_refused_before_the_keys_are_half_written(tmpfs: Tmpfs) -> None:
    tmpfs.fill(leave=0)
    result = run_kiosk({"KIOSK_DATA_DIR": str(tmpfs.path), "KIOSK_ASYNC_MODE": "threading"}, "db", "upgrade")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"kiosk db: cannot write {tmpfs.path}: its file system is full; "
        f"free space there (df -h {tmpfs.path}) and start again"
    )


def test_healthz_reports_a_data_directory_that_turns_read_only(tmpfs: Tmpfs, tmp_path: Path) -> None:
    # The database lives elsewhere, so only the data directory (media, keys) is the matter.
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}", data_dir=str(tmpfs.path))
    client = app.test_client()
    first = client.get("/healthz")
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["data_dir"] == {"writable": True}
    tmpfs.remount("ro")
    try:
        response = client.get("/healthz")
        body = response.get_json()
        assert response.status_code == 503, body
        assert body["status"] != "ok"
        assert body["data_dir"] == {"writable": False, "error": "EROFS"}
        assert body["database"]["reachable"] is True
    finally:
        tmpfs.remount("rw")
    assert client.get("/healthz").get_json()["data_dir"] == {"writable": True}
    assert not [name for name in os.listdir(tmpfs.path) if name.startswith(".write-probe-")], "the probe cleans up"
