"""Carry out a plan (or only compare it), and undo it: ``--uninstall`` restores the tree as it was.

Files are written to a temporary name in their directory and renamed, so a file is either the old
one or the new one. The state file is saved before the first file is replaced, so even a run cut
short can be uninstalled. Under ``--root`` (``host is None``) users, groups, packages, services and
commands are recorded in the plan only.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from provisioning import state as state_file
from provisioning.errors import StateError
from provisioning.host import Host
from provisioning.layout import PRINTER_RULES, STATE_FILE, UDEV_RULES
from provisioning.plan import (
    CommandStep,
    DirectoryStep,
    FileStep,
    GroupStep,
    MembershipStep,
    PackagesStep,
    Plan,
    QueueStep,
    RemovedFileStep,
    ServiceStep,
    UserStep,
    describe,
    without_password,
    without_userinfo,
)
from provisioning.state import Before, State


@dataclass
class Outcome:
    """What a run did: ``changed`` lines, and the steps only recorded (``--root``)."""

    changed: list[str] = field(default_factory=list)
    recorded: list[str] = field(default_factory=list)
    unchanged: int = 0
    start_later: list[str] = field(default_factory=list)  # enabled, not started: the caller starts them last


def under(root: Path, path: str) -> Path:
    """``path`` (absolute, as on the box) inside ``root``."""
    return root / path.lstrip("/")


def file_differs(root: Path, step: FileStep, host: Host | None) -> str | None:
    """Why the file on disk is not what the step wants (``None``: it is)."""
    target = under(root, step.path)
    try:
        info = target.lstat()
    except FileNotFoundError:
        return "new"
    if not stat.S_ISREG(info.st_mode):
        return "replace (not a regular file)"
    if target.read_bytes() != step.content:
        return "replace (content)"
    if stat.S_IMODE(info.st_mode) != step.mode:
        return "replace (mode)"
    if host is not None and (info.st_uid, info.st_gid) != host.ids(step.owner, step.group):
        return "replace (owner)"
    return None


class Applier:
    """One run against one tree."""

    def __init__(
        self,
        root: Path,
        host: Host | None,
        say: Callable[[str], None] = lambda line: None,
        *,
        defer: frozenset[str] = frozenset(),
    ) -> None:
        self.root = root
        self.host = host
        self.defer = defer  # units to enable without starting (the display, when we run on its tty)
        self.say = say  # progress for the slow steps (apt-get takes minutes on a fresh box)
        self.state_path = under(root, STATE_FILE)

    def _makedirs(self, state: State, directory: Path, mode: int = 0o755) -> None:
        """Create ``directory`` and missing parents, recording each one created (parents first)."""
        missing = []
        walk = directory
        while not walk.exists():
            missing.append(walk)
            walk = walk.parent
        for path in reversed(missing):
            path.mkdir()
            os.chmod(path, mode)
            state.directories.append("/" + str(path.relative_to(self.root)))

    def _save(self, state: State) -> None:
        self._makedirs(state, self.state_path.parent, 0o700)
        state_file.save(self.state_path, state)

    def apply(self, plan: Plan) -> Outcome:
        state = state_file.load(self.state_path) or State()
        state.kind, state.server = plan.kind, plan.server_url
        outcome = Outcome()
        self._accounts_and_packages(plan, state, outcome)
        self._memberships_and_queues(plan, state, outcome)
        for directory in plan.directories:
            self._directory(directory, state, outcome)
        pending = [(step, why) for step in plan.files if (why := file_differs(self.root, step, self.host)) is not None]
        outcome.unchanged += len(plan.files) - len(pending)
        for step, _ in pending:  # remember what was there before anything is replaced
            if step.path not in state.files:
                state.files[step.path] = self._before(step.path)
        if pending or not self.state_path.exists():
            self._save(state)
        for step, why in pending:
            self._write(step, state)
            outcome.changed.append(f"{why}: {step.path}")
        undone = [self._undo_file(step.path, state) for step in plan.of(RemovedFileStep) if step.path in state.files]
        outcome.changed.extend(undone)
        self._commands_and_services(plan, state, outcome, files_changed=bool(pending or undone))
        if outcome.changed:
            self._save(state)
        return outcome

    def _accounts_and_packages(self, plan: Plan, state: State, outcome: Outcome) -> None:
        host = self.host
        for step in plan.steps:
            if not isinstance(step, GroupStep | UserStep | PackagesStep):
                continue
            if host is None:
                outcome.recorded.append(describe(step))
            elif isinstance(step, GroupStep):
                if host.group_exists(step.name):
                    outcome.unchanged += 1
                else:
                    host.add_group(step.name)
                    state.groups.append(step.name)
                    outcome.changed.append(f"group added: {step.name}")
            elif isinstance(step, UserStep):
                if host.user_exists(step.name):
                    outcome.unchanged += 1
                else:
                    host.add_user(step)
                    state.users.append(step.name)
                    outcome.changed.append(f"user added: {step.name}")
            else:
                missing = host.missing_packages(step.names)
                if missing:
                    self.say(f"installing {len(missing)} packages with apt-get (this takes a few minutes)…")
                    host.install_packages(missing)
                    state.packages.extend(name for name in missing if name not in state.packages)
                    outcome.changed.append(f"packages installed: {' '.join(missing)}")
                else:
                    outcome.unchanged += 1
            if outcome.changed:
                self._save(state)  # a user or package added must be undone even if a later step fails

    def _memberships_and_queues(self, plan: Plan, state: State, outcome: Outcome) -> None:
        """The agent's user in ``lp`` and the A4 printer's CUPS queue: added, or taken back when no longer wanted."""
        host = self.host
        for step in plan.steps:
            if not isinstance(step, MembershipStep | QueueStep):
                continue
            if host is None:
                outcome.recorded.append(describe(step))
            elif isinstance(step, MembershipStep):
                pair = (step.user, step.group)
                if step.present and not host.in_group(step.user, step.group):
                    host.add_to_group(step.user, step.group)
                    state.memberships.append(pair)
                    outcome.changed.append(f"member: {step.user} added to group {step.group}")
                elif not step.present and pair in state.memberships:
                    host.remove_from_group(step.user, step.group)
                    state.memberships.remove(pair)
                    outcome.changed.append(f"member: {step.user} removed from group {step.group}")
                else:
                    outcome.unchanged += 1
            elif step.uri is None:
                if step.queue in state.queues:
                    host.remove_queue(step.queue)
                    state.queues.remove(step.queue)
                    outcome.changed.append(f"CUPS queue deleted: {step.queue}")
                else:
                    outcome.unchanged += 1
            else:
                device = host.queue_device(step.queue)
                if device is not None and device == without_userinfo(step.uri):
                    outcome.unchanged += 1
                    continue
                if device is not None and step.queue not in state.queues:
                    raise StateError(
                        f"CUPS queue {step.queue} exists already (device {without_password(device)}) and kiosk "
                        "provision did not create it: leave out --a4-printer-uri to use it as it is, or choose another queue name"
                    )
                host.add_queue(step.queue, step.uri, step.model)
                if step.queue not in state.queues:
                    state.queues.append(step.queue)
                outcome.changed.append(
                    f"CUPS queue {'changed' if device else 'created'}: {step.queue} ({step.shown_uri})"
                )
            if outcome.changed:
                self._save(state)

    def _undo_file(self, path: str, state: State) -> str:
        """Put a file back as it was before the first run wrote it (``removed``/``restored`` line)."""
        before = state.files.pop(path)
        target = under(self.root, path)
        self._save(state)
        if before is None:
            target.unlink(missing_ok=True)
            return f"removed: {path}"
        ids = (before.uid, before.gid) if self.host is not None or os.geteuid() == 0 else None
        _atomic_write(target, before.content, before.mode, ids)
        return f"restored: {path}"

    def _directory(self, step: DirectoryStep, state: State, outcome: Outcome) -> None:
        target = under(self.root, step.path)
        if target.is_dir():
            outcome.unchanged += 1
            return
        self._makedirs(state, target.parent)
        target.mkdir()
        os.chmod(target, step.mode)
        if self.host is not None:
            os.chown(target, *self.host.ids(step.owner, step.group))
        state.directories.append(step.path)
        outcome.changed.append(f"directory created: {step.path}")

    def _before(self, path: str) -> Before | None:
        target = under(self.root, path)
        try:
            info = target.lstat()
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(info.st_mode):
            raise StateError(f"{path} exists and is not a regular file; move it away and run again")
        return Before(target.read_bytes(), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)

    def _write(self, step: FileStep, state: State) -> None:
        target = under(self.root, step.path)
        self._makedirs(state, target.parent)
        ids = self.host.ids(step.owner, step.group) if self.host is not None else None
        _atomic_write(target, step.content, step.mode, ids)

    def _commands_and_services(self, plan: Plan, state: State, outcome: Outcome, *, files_changed: bool) -> None:
        host = self.host
        for step in plan.steps:
            if isinstance(step, CommandStep):
                if host is None:
                    outcome.recorded.append(describe(step))
                elif files_changed:
                    host.run(step.argv)
            elif isinstance(step, ServiceStep):
                if host is None:
                    outcome.recorded.append(describe(step))
                elif not host.is_enabled(step.unit):
                    later = step.unit in self.defer
                    host.enable(step.unit, now=not later)
                    state.services.append(step.unit)
                    outcome.changed.append(f"service enabled: {step.unit}")
                    if later:
                        outcome.start_later.append(step.unit)
                elif files_changed and step.unit in self.defer:
                    outcome.start_later.append(step.unit)  # try-restart would hang up our own terminal
                elif files_changed:
                    host.restart_if_running(step.unit)  # new configuration: pick it up now
                else:
                    outcome.unchanged += 1

    def uninstall(self) -> Outcome:
        state = state_file.load(self.state_path)
        if state is None:
            raise StateError(f"nothing to uninstall: no state file at {self.state_path} (was this box provisioned?)")
        outcome = Outcome()
        host = self.host
        if host is not None:
            for unit in reversed(state.services):
                host.disable(unit)
                outcome.changed.append(f"service disabled: {unit}")
        reload_udev = UDEV_RULES in state.files or PRINTER_RULES in state.files
        for path in reversed(list(state.files)):
            outcome.changed.append(self._undo_file(path, state))
        if host is not None:
            host.run(("systemctl", "daemon-reload"))
            if reload_udev:
                host.run(("udevadm", "control", "--reload"))
            for queue in reversed(state.queues):
                host.remove_queue(queue)
                outcome.changed.append(f"CUPS queue deleted: {queue}")
            for user, group in reversed(state.memberships):
                if user not in state.users:  # a user we remove takes its memberships with it
                    host.remove_from_group(user, group)
                outcome.changed.append(f"member: {user} removed from group {group}")
            for name in reversed(state.users):
                host.remove_user(name)
                outcome.changed.append(f"user removed: {name}")
            for name in reversed(state.groups):
                host.remove_group(name)
                outcome.changed.append(f"group removed: {name}")
            if state.packages:
                host.remove_packages(state.packages)
                outcome.changed.append(f"packages removed: {' '.join(state.packages)}")
        self.state_path.unlink()
        outcome.changed.extend(_remove_directories(self.root, reversed(state.directories)))
        return outcome


def _atomic_write(target: Path, content: bytes, mode: int, ids: tuple[int, int] | None) -> None:
    tmp = target.with_name(f".{target.name}.kiosk-provision.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        if ids is not None:
            os.chown(tmp, *ids)
        os.chmod(tmp, mode)  # after chown: chown clears set-id bits
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _remove_directories(root: Path, paths: Iterable[str]) -> list[str]:
    lines = []
    for path in paths:
        target = under(root, path)
        try:
            target.rmdir()
        except FileNotFoundError:
            continue
        except OSError:
            lines.append(f"kept (not empty: something else was put there): {path}")
            continue
        lines.append(f"directory removed: {path}")
    return lines
