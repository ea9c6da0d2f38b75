"""What only a live box can do: users, groups, packages, systemd and udev, through their own commands.

Under ``--root`` there is no host: those steps are recorded in the plan and nothing runs.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import subprocess
from collections.abc import Sequence
from typing import Protocol

from provisioning.errors import ProvisioningError
from provisioning.plan import UserStep, without_password


class Host(Protocol):
    """The operations ``apply`` needs from a running system (a seam: tests pass a recording one)."""

    def group_exists(self, name: str) -> bool: ...
    def user_exists(self, name: str) -> bool: ...
    def add_group(self, name: str) -> None: ...
    def add_user(self, step: UserStep) -> None: ...
    def remove_user(self, name: str) -> None: ...
    def remove_group(self, name: str) -> None: ...
    def missing_packages(self, names: Sequence[str]) -> list[str]: ...
    def install_packages(self, names: Sequence[str]) -> None: ...
    def remove_packages(self, names: Sequence[str]) -> None: ...
    def is_enabled(self, unit: str) -> bool: ...
    def enable(self, unit: str, *, now: bool = True) -> None: ...
    def start_later(self, unit: str) -> None: ...
    def disable(self, unit: str) -> None: ...
    def restart_if_running(self, unit: str) -> None: ...
    def run(self, argv: Sequence[str]) -> None: ...
    def ids(self, owner: str, group: str) -> tuple[int, int]: ...
    def has(self, program: str) -> bool: ...
    def in_group(self, user: str, group: str) -> bool: ...
    def add_to_group(self, user: str, group: str) -> None: ...
    def remove_from_group(self, user: str, group: str) -> None: ...
    def queue_device(self, queue: str) -> str | None: ...
    def add_queue(self, queue: str, uri: str, model: str) -> None: ...
    def remove_queue(self, queue: str) -> None: ...


class CommandFailed(ProvisioningError):
    def __init__(self, argv: Sequence[str], code: int, stderr: str) -> None:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "no message"
        super().__init__(f"{' '.join(argv)} failed with status {code}: {last}")


class SystemHost:
    """The real box (run as root)."""

    def _run(
        self, argv: Sequence[str], *, check: bool = True, locale_c: bool = False
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", **({"LANG": "C", "LC_ALL": "C"} if locale_c else {})}
        done = subprocess.run(list(argv), capture_output=True, text=True, env=env, check=False)
        if check and done.returncode != 0:
            raise CommandFailed(argv, done.returncode, done.stderr)
        return done

    def group_exists(self, name: str) -> bool:
        try:
            grp.getgrnam(name)
        except KeyError:
            return False
        return True

    def user_exists(self, name: str) -> bool:
        try:
            pwd.getpwnam(name)
        except KeyError:
            return False
        return True

    def add_group(self, name: str) -> None:
        self._run(["groupadd", "--system", name])

    def add_user(self, step: UserStep) -> None:
        groups = [g for g in step.groups if self.group_exists(g)]
        argv = ["useradd", "--system", "--user-group", "--create-home", "--home-dir", step.home, "--shell", step.shell]
        if groups:
            argv += ["--groups", ",".join(groups)]
        self._run([*argv, step.name])

    def remove_user(self, name: str) -> None:
        self._run(["userdel", "--remove", name])

    def remove_group(self, name: str) -> None:
        self._run(["groupdel", name])

    def missing_packages(self, names: Sequence[str]) -> list[str]:
        missing = []
        for name in names:
            done = self._run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", name], check=False)
            if not done.stdout.startswith("ii"):
                missing.append(name)
        return missing

    def install_packages(self, names: Sequence[str]) -> None:
        self._run(["apt-get", "update", "-qq"])
        self._run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *names])

    def remove_packages(self, names: Sequence[str]) -> None:
        self._run(["apt-get", "remove", "-y", "-qq", *names])

    def is_enabled(self, unit: str) -> bool:
        return self._run(["systemctl", "is-enabled", "--quiet", unit], check=False).returncode == 0

    def enable(self, unit: str, *, now: bool = True) -> None:
        self._run(["systemctl", "enable", *(["--now"] if now else []), unit])

    def start_later(self, unit: str) -> None:
        self._run(["systemctl", "start", "--no-block", unit])  # queued: returns before the unit runs

    def disable(self, unit: str) -> None:
        self._run(["systemctl", "disable", "--now", unit], check=False)  # gone already is fine

    def restart_if_running(self, unit: str) -> None:
        self._run(["systemctl", "try-restart", unit])

    def run(self, argv: Sequence[str]) -> None:
        self._run(argv)

    def ids(self, owner: str, group: str) -> tuple[int, int]:
        try:
            return pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid
        except KeyError as err:
            raise ProvisioningError(f"no user or group {err} on this box (the user step should have made it)") from err

    def has(self, program: str) -> bool:
        return shutil.which(program) is not None

    def in_group(self, user: str, group: str) -> bool:
        try:
            return user in grp.getgrnam(group).gr_mem or pwd.getpwnam(user).pw_gid == grp.getgrnam(group).gr_gid
        except KeyError:
            return False

    def add_to_group(self, user: str, group: str) -> None:
        self._run(["gpasswd", "--add", user, group])

    def remove_from_group(self, user: str, group: str) -> None:
        self._run(["gpasswd", "--delete", user, group], check=False)  # not a member any more is fine

    def queue_device(self, queue: str) -> str | None:
        """The device URI of a CUPS queue (``lpstat -v``), or ``None`` when there is no such queue."""
        done = self._run(["lpstat", "-v", queue], check=False, locale_c=True)
        prefix = f"device for {queue}: "
        for line in done.stdout.splitlines():
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        return None

    def add_queue(self, queue: str, uri: str, model: str) -> None:
        done = self._run(["lpadmin", "-p", queue, "-E", "-v", uri, "-m", model], check=False)
        if done.returncode != 0:  # the message names the URI without a password in it
            raise CommandFailed(
                ("lpadmin", "-p", queue, "-E", "-v", without_password(uri), "-m", model), done.returncode, done.stderr
            )

    def remove_queue(self, queue: str) -> None:
        self._run(["lpadmin", "-x", queue], check=False)  # deleted by hand already is fine
