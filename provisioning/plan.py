"""A provisioning plan: the ordered steps that make a box a kiosk or a display, as plain data.

``apply`` carries a plan out (or only records it under ``--root``); ``--dry-run`` prints it. Steps
say what, never how, so the same plan reads the same in a dry run, in JSON and in the state file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

PLAN_VERSION: Final = 1


@dataclass(frozen=True)
class GroupStep:
    """A system group."""

    name: str
    why: str


@dataclass(frozen=True)
class UserStep:
    """A system user without a login shell, in its own group plus ``groups``."""

    name: str
    home: str
    shell: str
    groups: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class PackagesStep:
    """Debian packages installed with apt-get (only recorded under ``--root``)."""

    names: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class DirectoryStep:
    """A directory; created with this mode and owner if missing, left alone if present."""

    path: str
    mode: int
    owner: str
    group: str
    why: str


@dataclass(frozen=True)
class FileStep:
    """A file with exactly this content, mode and owner. ``secret`` files never show their content."""

    path: str
    content: bytes
    mode: int
    owner: str
    group: str
    why: str
    secret: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ServiceStep:
    """A systemd unit enabled and started (``systemctl enable --now``)."""

    unit: str
    why: str


@dataclass(frozen=True)
class CommandStep:
    """A command run after the files changed (``daemon-reload``, udev reload)."""

    argv: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class MembershipStep:
    """``user`` is a member of ``group`` (``present``), or no longer is if provisioning made it one."""

    user: str
    group: str
    why: str
    present: bool = True


@dataclass(frozen=True)
class RemovedFileStep:
    """A file an earlier run wrote that this plan no longer wants: put back as it was before (or removed)."""

    path: str
    why: str


@dataclass(frozen=True)
class QueueStep:
    """A CUPS queue: created with ``lpadmin -p QUEUE -E -v URI -m MODEL``, or (``uri`` None) deleted if we created it."""

    queue: str
    uri: str | None
    model: str
    why: str

    @property
    def shown_uri(self) -> str | None:
        return None if self.uri is None else without_password(self.uri)


def without_userinfo(uri: str) -> str:
    """A device URI as ``lpstat -v`` shows it: CUPS keeps ``user:password@`` to itself."""
    parts = urlsplit(uri)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))


def without_password(uri: str) -> str:
    """A device URI for output: a password in it (``ipp://user:secret@host``) is never printed."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


Step = (
    GroupStep
    | UserStep
    | PackagesStep
    | DirectoryStep
    | FileStep
    | ServiceStep
    | CommandStep
    | MembershipStep
    | RemovedFileStep
    | QueueStep
)


@dataclass(frozen=True)
class Plan:
    """Everything one run does, in order."""

    kind: str
    server_url: str
    steps: tuple[Step, ...]

    def of(self, cls: type[Any]) -> list[Any]:
        return [step for step in self.steps if isinstance(step, cls)]

    @property
    def files(self) -> list[FileStep]:
        return self.of(FileStep)

    @property
    def directories(self) -> list[DirectoryStep]:
        return self.of(DirectoryStep)


def step_json(step: Step) -> dict[str, Any]:
    """One step as JSON (``--dry-run --json``); file contents appear as size and hash only."""
    if isinstance(step, GroupStep):
        return {"step": "group", "name": step.name, "why": step.why}
    if isinstance(step, UserStep):
        return {
            "step": "user",
            "name": step.name,
            "home": step.home,
            "shell": step.shell,
            "groups": list(step.groups),
            "why": step.why,
        }
    if isinstance(step, PackagesStep):
        return {"step": "packages", "names": list(step.names), "why": step.why}
    if isinstance(step, DirectoryStep):
        return {
            "step": "directory",
            "path": step.path,
            "mode": f"{step.mode:04o}",
            "owner": step.owner,
            "group": step.group,
            "why": step.why,
        }
    if isinstance(step, FileStep):
        return {
            "step": "file",
            "path": step.path,
            "mode": f"{step.mode:04o}",
            "owner": step.owner,
            "group": step.group,
            "bytes": len(step.content),
            "sha256": step.sha256,
            "secret": step.secret,
            "why": step.why,
        }
    if isinstance(step, ServiceStep):
        return {"step": "service", "unit": step.unit, "why": step.why}
    if isinstance(step, MembershipStep):
        return {"step": "membership", "user": step.user, "group": step.group, "present": step.present, "why": step.why}
    if isinstance(step, RemovedFileStep):
        return {"step": "removed file", "path": step.path, "why": step.why}
    if isinstance(step, QueueStep):
        return {"step": "queue", "queue": step.queue, "uri": step.shown_uri, "model": step.model, "why": step.why}
    return {"step": "command", "argv": list(step.argv), "why": step.why}


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "version": PLAN_VERSION,
        "kind": plan.kind,
        "server": plan.server_url,
        "steps": [step_json(step) for step in plan.steps],
    }


def describe(step: Step) -> str:
    """One line for a person."""
    if isinstance(step, GroupStep):
        return f"group    {step.name}: {step.why}"
    if isinstance(step, UserStep):
        return (
            f"user     {step.name} (home {step.home}, shell {step.shell}, groups {','.join(step.groups)}): {step.why}"
        )
    if isinstance(step, PackagesStep):
        return f"packages {' '.join(step.names)}: {step.why}"
    if isinstance(step, DirectoryStep):
        return f"dir      {step.path} {step.mode:04o} {step.owner}:{step.group}: {step.why}"
    if isinstance(step, FileStep):
        secret = ", secret" if step.secret else ""
        return f"file     {step.path} {step.mode:04o} {step.owner}:{step.group} ({len(step.content)} bytes{secret}): {step.why}"
    if isinstance(step, ServiceStep):
        return f"enable   {step.unit}: {step.why}"
    if isinstance(step, MembershipStep):
        return f"member   {step.user} {'in' if step.present else 'out of'} group {step.group}: {step.why}"
    if isinstance(step, RemovedFileStep):
        return f"remove   {step.path}: {step.why}"
    if isinstance(step, QueueStep):
        if step.uri is None:
            return f"queue    lpadmin -x {step.queue}: {step.why}"
        return f"queue    lpadmin -p {step.queue} -E -v {step.shown_uri} -m {step.model}: {step.why}"
    return f"run      {' '.join(step.argv)}: {step.why}"
