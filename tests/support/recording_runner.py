"""A ``Runner`` for the agent's tests: answers only the command lines it was told to expect, records them."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from devices.agent.runner import RunResult


class UnexpectedCommand(AssertionError):
    """The code under test ran a program the test did not expect."""


class RecordingRunner:
    """``installed`` are the programs ``which`` finds; ``answers`` maps an argv tuple to its result.

    Any other argv raises ``UnexpectedCommand`` (so a stray ``systemctl reboot`` fails the test
    instead of rebooting the machine); ``ran`` lists what ran, in order.
    """

    def __init__(self, installed: Sequence[str] = (), answers: Mapping[tuple[str, ...], RunResult] | None = None):
        self.installed = set(installed)
        self.answers = dict(answers or {})
        self.ran: list[tuple[str, ...]] = []
        self.envs: list[dict[str, str]] = []
        self.changed = threading.Condition()

    def which(self, program: str) -> str | None:
        return f"/usr/bin/{program}" if program in self.installed else None

    def run(self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> RunResult:
        key = tuple(argv)
        if key not in self.answers:
            raise UnexpectedCommand(f"unexpected command line {key!r}")
        if key[0] not in self.installed and not key[0].startswith("/"):
            raise UnexpectedCommand(f"{key[0]} ran although it is not installed")
        assert timeout > 0
        with self.changed:
            self.ran.append(key)
            self.envs.append(dict(env or {}))
            self.changed.notify_all()
        return self.answers[key]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, ...]]:
        """Wait until ``count`` commands ran; return them."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.ran) >= count, timeout):
                raise AssertionError(f"expected {count} commands, got {self.ran!r}")
            return list(self.ran)
