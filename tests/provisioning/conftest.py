"""Fixtures for provisioning: a fresh box tree, its fingerprint, and the fake enrolment server."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest


def tree_fingerprint(root: Path) -> dict[str, str]:
    """Every path under ``root`` with its type, mode and content hash (what "the tree as it was" means)."""
    seen: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            info = path.lstat()
            rel = str(path.relative_to(root))
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = f"link -> {os.readlink(path)}"
            elif stat.S_ISDIR(info.st_mode):
                seen[rel] = f"dir {stat.S_IMODE(info.st_mode):04o}"
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                seen[rel] = f"file {stat.S_IMODE(info.st_mode):04o} {info.st_uid}:{info.st_gid} {digest}"
    return seen


OLD_RULES = '# a hand-written rule the box had before\nSUBSYSTEM=="tty", MODE="0666"\n'


@pytest.fixture
def box(tmp_path: Path) -> Path:
    """A Debian-like tree with a few files of its own, one of which provisioning replaces."""
    root = tmp_path / "box"
    (root / "etc/udev/rules.d").mkdir(parents=True)
    (root / "etc/udev/rules.d/70-kiosk-readers.rules").write_text(OLD_RULES)
    os.chmod(root / "etc/udev/rules.d/70-kiosk-readers.rules", 0o640)
    (root / "etc/hostname").write_text("hall-kiosk-07\n")
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "var/lib").mkdir(parents=True)
    return root
