"""The type check is real: mypy with the project's configuration fails on a planted error.

The planted modules live in a temporary tree whose packages are named like ours, so the per-package
overrides of ``[tool.mypy]`` in pyproject.toml apply to them exactly as they do to the real code.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"

UNANNOTATED = "def passthrough(value):\n    return value\n"
WRONG_TYPE = 'count: int = "three"\n'


def _mypy(tmp_path: Path, modules: dict[str, str]) -> tuple[str, int]:
    """Write ``modules`` (dotted name -> source) under ``tmp_path`` and check them with the project's config."""
    paths = []
    for name, source in modules.items():
        package, _, module = name.rpartition(".")
        folder = tmp_path.joinpath(*package.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").touch()
        path = folder / f"{module}.py"
        path.write_text(source, encoding="utf-8")
        paths.append(str(path))
    stdout, stderr, status = api.run(
        ["--config-file", str(CONFIG), "--cache-dir", str(tmp_path / ".mypy_cache"), "--no-pretty", *paths]
    )
    assert not stderr, stderr
    return stdout, status


def test_running_mypy_without_arguments_checks_the_four_packages() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["files"] == ["content", "devices", "kiosk_server", "provisioning"]


def test_a_planted_type_error_fails_the_check(tmp_path: Path) -> None:
    stdout, status = _mypy(tmp_path, {"kiosk_server.planted": WRONG_TYPE})
    assert status == 1
    assert "planted.py:1: error: Incompatible types in assignment" in stdout
    assert "[assignment]" in stdout


def test_content_devices_and_provisioning_are_strict_and_kiosk_server_is_not(tmp_path: Path) -> None:
    stdout, status = _mypy(
        tmp_path,
        {
            "content.planted": UNANNOTATED,
            "devices.planted": UNANNOTATED,
            "provisioning.planted": UNANNOTATED,
            "kiosk_server.planted": UNANNOTATED,
        },
    )
    assert status == 1
    flagged = {line.split(":", 1)[0] for line in stdout.splitlines() if "[no-untyped-def]" in line}
    assert flagged == {
        str(tmp_path / "content" / "planted.py"),
        str(tmp_path / "devices" / "planted.py"),
        str(tmp_path / "provisioning" / "planted.py"),
    }, stdout
