"""How the agent runs a program on the box (the panel tools, ``systemctl reboot``, the doctor): one seam.

Remote care and the power schedule never call ``subprocess`` themselves; they get a ``Runner``, so
tests pass a recording runner that refuses any command line it was not told to expect.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

NOT_FOUND: Final = 127  # the shell's code for a program that is not there
TIMED_OUT: Final = 124  # timeout(1)'s code


@dataclass(frozen=True)
class RunResult:
    """How a program ended: its exit status and what it printed (text, decoded leniently)."""

    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Runner(Protocol):
    def which(self, program: str) -> str | None:
        """The program's path if it is installed, else None."""
        ...

    def run(self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> RunResult:
        """Run ``argv`` (no shell) with ``env`` added to the agent's environment; never raises for its exit."""
        ...


class SystemRunner:
    """The real one: ``shutil.which`` and ``subprocess.run``."""

    def which(self, program: str) -> str | None:
        return shutil.which(program)

    def run(self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> RunResult:
        try:
            done = subprocess.run(  # noqa: S603 (argv from our own tables, no shell)
                list(argv),
                capture_output=True,
                timeout=timeout,
                env={**os.environ, **env} if env else None,
                check=False,
            )
        except FileNotFoundError as err:
            return RunResult(NOT_FOUND, stderr=f"{argv[0]}: not found ({err.strerror})")
        except subprocess.TimeoutExpired:
            return RunResult(TIMED_OUT, stderr=f"{argv[0]}: no answer within {timeout:g} s")
        except OSError as err:
            return RunResult(NOT_FOUND, stderr=f"{argv[0]}: {err.strerror or err}")
        return RunResult(
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )
