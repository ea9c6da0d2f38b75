"""``apply`` on a live box: users, packages and services go through the host, and uninstall undoes exactly those.

The host here is a recording stand-in for the real box's commands (useradd, apt-get, systemctl), keeping
the set of users, packages and enabled units it was told about; files are real, in a temporary tree.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from provisioning.apply import Applier
from provisioning.build import BoxOptions, build_plan, placeholder_enrolment
from provisioning.plan import UserStep
from tests.provisioning.conftest import tree_fingerprint


class RecordingHost:
    """A box whose commands are recorded; ``dialout``, ``lp`` and ``pcscd`` exist already, like on Debian."""

    def __init__(self) -> None:
        self.groups = {"dialout", "input", "plugdev", "video", "render", "audio", "lp"}
        self.users: set[str] = set()
        self.members: set[tuple[str, str]] = set()
        self.queues: dict[str, str] = {}  # CUPS queue -> device URI
        self.packages = {"pcscd"}
        self.enabled = {"systemd-timesyncd.service"}
        self.calls: list[tuple[str, ...]] = []

    def group_exists(self, name: str) -> bool:
        return name in self.groups

    def user_exists(self, name: str) -> bool:
        return name in self.users

    def add_group(self, name: str) -> None:
        self.calls.append(("groupadd", name))
        self.groups.add(name)

    def add_user(self, step: UserStep) -> None:
        self.calls.append(("useradd", step.name, ",".join(step.groups), step.shell))
        self.users.add(step.name)

    def remove_user(self, name: str) -> None:
        self.calls.append(("userdel", name))
        self.users.remove(name)

    def remove_group(self, name: str) -> None:
        self.calls.append(("groupdel", name))
        self.groups.remove(name)

    def missing_packages(self, names: Sequence[str]) -> list[str]:
        return [name for name in names if name not in self.packages]

    def install_packages(self, names: Sequence[str]) -> None:
        self.calls.append(("apt-get install", *names))
        self.packages.update(names)

    def remove_packages(self, names: Sequence[str]) -> None:
        self.calls.append(("apt-get remove", *names))
        self.packages.difference_update(names)

    def is_enabled(self, unit: str) -> bool:
        return unit in self.enabled

    def enable(self, unit: str, *, now: bool = True) -> None:
        self.calls.append(("enable" if now else "enable, not started", unit))
        self.enabled.add(unit)

    def start_later(self, unit: str) -> None:
        self.calls.append(("start --no-block", unit))

    def disable(self, unit: str) -> None:
        self.calls.append(("disable", unit))
        self.enabled.discard(unit)

    def restart_if_running(self, unit: str) -> None:
        self.calls.append(("try-restart", unit))

    def run(self, argv: Sequence[str]) -> None:
        self.calls.append(tuple(argv))

    def ids(self, owner: str, group: str) -> tuple[int, int]:
        return os.getuid(), os.getgid()  # every file "owned" by whoever runs the test

    def has(self, program: str) -> bool:
        raise AssertionError(f"apply should not ask for {program}")

    def in_group(self, user: str, group: str) -> bool:
        return (user, group) in self.members

    def add_to_group(self, user: str, group: str) -> None:
        self.calls.append(("gpasswd --add", user, group))
        self.members.add((user, group))

    def remove_from_group(self, user: str, group: str) -> None:
        self.calls.append(("gpasswd --delete", user, group))
        self.members.discard((user, group))

    def queue_device(self, queue: str) -> str | None:
        return self.queues.get(queue)

    def add_queue(self, queue: str, uri: str, model: str) -> None:
        self.calls.append(("lpadmin", "-p", queue, "-E", "-v", uri, "-m", model))
        self.queues[queue] = uri

    def remove_queue(self, queue: str) -> None:
        self.calls.append(("lpadmin", "-x", queue))
        self.queues.pop(queue, None)


def test_live_apply_then_uninstall_undoes_only_what_it_did(box: Path) -> None:
    host = RecordingHost()
    options = BoxOptions("https://signage.example.gov.cn", "kiosk", sys.executable)
    plan = build_plan(options, placeholder_enrolment(options))
    before = tree_fingerprint(box)
    first = Applier(box, host).apply(plan)
    assert ("groupadd", "kiosk-readers") in host.calls
    assert any(call[:2] == ("useradd", "kiosk") and call[3] == "/usr/sbin/nologin" for call in host.calls)
    installed = next(call for call in host.calls if call[0] == "apt-get install")
    assert "cage" in installed and "pcscd" not in installed, "only missing packages are installed"
    assert ("systemctl", "daemon-reload") in host.calls and ("udevadm", "control", "--reload") in host.calls
    assert ("enable", "kiosk-agent.service") in host.calls and ("enable", "systemd-timesyncd.service") not in host.calls
    assert first.recorded == [] and first.changed

    assert ("enable", "kiosk-display.service") in host.calls

    host.calls.clear()
    second = Applier(box, host).apply(plan)
    assert second.changed == [] and host.calls == [], "a second run runs nothing"

    host.calls.clear()
    Applier(box, host).uninstall()
    assert tree_fingerprint(box) == before
    assert ("userdel", "kiosk") in host.calls and ("groupdel", "kiosk-readers") in host.calls
    assert ("disable", "systemd-timesyncd.service") not in host.calls, "it was enabled before: left alone"
    removed = next(call for call in host.calls if call[0] == "apt-get remove")
    assert "pcscd" not in removed and "cage" in removed
    assert host.users == set() and "systemd-timesyncd.service" in host.enabled


def test_a_failing_apt_get_after_enrolment_says_the_next_run_needs_a_new_code(box: Path) -> None:
    from provisioning.errors import ProvisioningError
    from provisioning.host import CommandFailed
    from provisioning.provision import ProvisionOptions, run_provision
    from tests.provisioning._fake_enrol import fake_enrol_server
    from tests.provisioning.test_enrol import RecordingDisplay

    class NoMirror(RecordingHost):
        def install_packages(self, names: Sequence[str]) -> None:
            raise CommandFailed(("apt-get", "install"), 100, "E: Unable to locate package cage\n")

    before = tree_fingerprint(box)
    with fake_enrol_server([["enrolled"]]) as fake:
        with pytest.raises(ProvisioningError) as caught:
            run_provision(ProvisionOptions(fake.url, box), io.StringIO(), host=NoMirror(), display=RecordingDisplay())
    assert str(caught.value) == (
        "apt-get install failed with status 100: E: Unable to locate package cage; "
        "the enrolment was not saved: run again and enter the new code"
    )
    assert tree_fingerprint(box) == before


def test_on_tty1_the_display_is_enabled_but_started_last(box: Path) -> None:
    host = RecordingHost()
    options = BoxOptions("https://signage.example.gov.cn", "wall", sys.executable)
    plan = build_plan(options, placeholder_enrolment(options))
    outcome = Applier(box, host, defer=frozenset({"kiosk-display.service"})).apply(plan)
    assert ("enable, not started", "kiosk-display.service") in host.calls
    assert outcome.start_later == ["kiosk-display.service"]
