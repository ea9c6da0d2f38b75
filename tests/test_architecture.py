"""The import directions of docs/architecture.md, "Packages and imports", checked by import-linter on every test run.

Also: the contracts catch a planted violation, every pointer into docs/architecture.md names a
heading it has, its package map lists exactly the subpackages there are, and the repository never
points at design notes that live outside it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
ROOT_PACKAGES = ("content", "devices", "kiosk_server", "display_client", "provisioning")
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")

# The modules devices may import (docs/architecture.md, "Packages and imports"): importing them
# must never pull in SQLAlchemy or any other part of the domain.
SHARED_RULES = ("content.citizens.idnumbers", "content.backoff")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("planted", "imports", "contract"),
    [
        (
            "content/signage/_planted.py",
            "content.citizens.sessions",
            "signage never reaches citizens' records or sessions",
        ),
        ("kiosk_server/_planted.py", "content.demo.people", "only the demo command and tests import content.demo"),
        ("devices/drivers/_planted.py", "devices.agent.link", "devices: simulators above the agent above the drivers"),
    ],
)
def test_a_planted_violation_breaks_its_contract(tmp_path: Path, planted: str, imports: str, contract: str) -> None:
    # A copy of the packages' Python files and the contracts: lint-imports reads packages from its
    # working directory, so the planted module never touches the real tree.
    for package in ROOT_PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            target = tmp_path / source.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    shutil.copyfile(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / planted).write_text(f"import {imports}\n", encoding="utf-8")

    result = lint_imports(tmp_path)

    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "Contracts: " in report and " kept, 1 broken." in report, report
    # A broken contract's report starts with its name, underlined.
    assert f"{contract}\n{'-' * len(contract)}\n" in result.stdout, report
    importer = planted.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {imports}" in result.stdout, report


@pytest.mark.parametrize("module", SHARED_RULES)
def test_rules_devices_share_import_only_the_standard_library(module: str) -> None:
    graph = grimp.build_graph("content", include_external_packages=True, cache_dir=None)
    assert module in graph.modules, f"{module} is missing"
    ours = {"content.errors"}
    # Importing content.citizens.idnumbers runs content/__init__.py and content/citizens/__init__.py.
    packages = {".".join(module.split(".")[:n]) for n in range(1, module.count(".") + 1)}
    for name in {module, *packages}:
        imported = (
            graph.find_upstream_modules(name) if name == module else graph.find_modules_directly_imported_by(name)
        )
        others = sorted(m for m in imported if m not in ours and m.split(".")[0] not in sys.stdlib_module_names)
        assert others == [], f"{name} imports {others}"


def architecture_headings() -> set[str]:
    return {match.group(1).strip() for match in re.finditer(r"^## (.+)$", ARCHITECTURE.read_text("utf-8"), re.M)}


def test_pointers_into_architecture_name_existing_headings() -> None:
    pointer = re.compile(r"docs/architecture\.md, \"([^\"]+)\"")
    headings = architecture_headings()
    files = [ROOT / "README.md"]
    for folder in (*ROOT_PACKAGES, "tests", "docs"):
        for parent, dirs, names in os.walk(ROOT / folder):
            dirs[:] = [d for d in dirs if d not in {"node_modules", "__pycache__"}]
            files += [Path(parent, n) for n in names if n.endswith((".py", ".js", ".md", ".html"))]
    found: list[str] = []
    dangling: list[str] = []
    for path in files:
        for match in pointer.finditer(path.read_text("utf-8", errors="replace")):
            found.append(match.group(1))
            if match.group(1) not in headings:
                dangling.append(f"{path.relative_to(ROOT)}: {match.group(1)!r}")
    assert found, "no pointers found: is the pattern still the one the code uses?"
    assert dangling == [], f"headings missing from docs/architecture.md: {dangling}"


def test_architecture_has_the_headings_the_code_points_at() -> None:
    expected = {
        "Packages and imports",
        "The manifest",
        "Priority layers",
        "Delivery",
        "Offline",
        "Personal data",
        "Devices",
        "Scale",
        "Glossary",
    }
    assert expected <= architecture_headings()


def test_package_map_lists_exactly_the_subpackages() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    section = text.split("## Packages and imports", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_/]+)/` \|", section, re.M)
    listed = set(rows)
    existing = {
        f"{package}/{folder.name}"
        for package in ("content", "devices")
        for folder in (ROOT / package).iterdir()
        if (folder / "__init__.py").is_file()
    }
    assert {row for row in listed if row.startswith(("content/", "devices/"))} == existing
    for row in listed:
        assert (ROOT / row).is_dir(), f"the package map lists {row}/, which does not exist"
    for required in (
        "kiosk_server",
        "kiosk_server/api",
        "kiosk_server/console",
        "display_client",
        "provisioning",
        "tests",
    ):
        assert required in listed, f"the package map does not list {required}/"


def test_no_tracked_file_points_at_design_notes_outside_the_repository() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no list of tracked files")
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    outside = "DESIGN" + ".md"  # spelled in two parts so this file does not match itself
    hits = []
    for name in filter(None, tracked.split("\0")):
        path = ROOT / name
        if path.is_file() and outside in path.read_text("utf-8", errors="replace"):
            hits.append(name)
    assert hits == [], f"files pointing at {outside}, which is not in the repository: {hits}"


def test_every_top_level_package_exists() -> None:
    for name in (*ROOT_PACKAGES, "tests"):
        assert (ROOT / name).is_dir(), name


def test_no_unused_or_undefined_names() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
