"""The state file: what a run installed and what was there before, so ``--uninstall`` restores the tree exactly.

It holds the previous content of every file a run replaced (which may include a previous agent
credential), so it is written root-only (0600). The first run's "before" is kept by later runs.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from provisioning.errors import StateError

STATE_VERSION: Final = 1


@dataclass(frozen=True)
class Before:
    """A file as it was before the first run replaced it."""

    content: bytes = field(repr=False)
    mode: int
    uid: int
    gid: int

    def to_json(self) -> dict[str, Any]:
        return {"content": base64.b64encode(self.content).decode(), "mode": self.mode, "uid": self.uid, "gid": self.gid}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Before:
        return cls(base64.b64decode(data["content"]), int(data["mode"]), int(data["uid"]), int(data["gid"]))


@dataclass
class State:
    """Mutable while a run works; saved after every change of intent."""

    kind: str = ""
    server: str = ""
    files: dict[str, Before | None] = field(default_factory=dict)  # path -> before (None: it did not exist)
    directories: list[str] = field(default_factory=list)  # created by us, parents first
    groups: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    memberships: list[tuple[str, str]] = field(default_factory=list)  # (user, group) we added
    queues: list[str] = field(default_factory=list)  # CUPS queues we created with lpadmin

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "kind": self.kind,
            "server": self.server,
            "files": {path: None if before is None else before.to_json() for path, before in self.files.items()},
            "directories": self.directories,
            "groups": self.groups,
            "users": self.users,
            "packages": self.packages,
            "services": self.services,
            "memberships": [list(pair) for pair in self.memberships],
            "queues": self.queues,
        }

    @classmethod
    def from_json(cls, data: Any) -> State:
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise StateError(f"the state file is not version {STATE_VERSION} of kiosk provision's state")
        try:
            return cls(
                kind=str(data["kind"]),
                server=str(data["server"]),
                files={p: None if b is None else Before.from_json(b) for p, b in data["files"].items()},
                directories=[str(d) for d in data["directories"]],
                groups=[str(g) for g in data["groups"]],
                users=[str(u) for u in data["users"]],
                packages=[str(p) for p in data["packages"]],
                services=[str(s) for s in data["services"]],
                # absent from the state of runs before printers were set up
                memberships=[(str(u), str(g)) for u, g in data.get("memberships", [])],
                queues=[str(q) for q in data.get("queues", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise StateError(f"the state file is damaged ({err!r})") from err


def load(path: Path) -> State | None:
    """The state of previous runs, or ``None`` if there were none."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as err:
        raise StateError(f"cannot read the state file {path}: {err.strerror}") from err
    try:
        return State.from_json(json.loads(raw))
    except ValueError as err:
        raise StateError(f"the state file {path} is not JSON: {err}") from err


def save(path: Path, state: State) -> None:
    """Write atomically, root-only."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state.to_json(), out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
