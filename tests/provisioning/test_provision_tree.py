"""``kiosk provision --root DIR``: what it writes, idempotence, dry run, uninstall, an unreachable server."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from devices.agent.config import load_agent_config
from provisioning.errors import KindMismatch, ProvisioningError
from provisioning.provision import ProvisionOptions, run_provision
from tests.provisioning._fake_enrol import CREDENTIAL, SCREEN_KEY, fake_enrol_server
from tests.provisioning.conftest import OLD_RULES, tree_fingerprint
from tests.provisioning.test_enrol import RecordingDisplay
from tests.support.server import free_port


def provision(root: Path, server: str, **options: object) -> str:
    out = io.StringIO()
    run_provision(ProvisionOptions(server_url=server, root=root, **options), out, display=RecordingDisplay())  # type: ignore[arg-type]
    return out.getvalue()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_kiosk_gets_its_files_with_the_enrolment_answer(box: Path) -> None:
    with fake_enrol_server([["waiting", "enrolled"]]) as fake:
        output = provision(box, fake.url, kind="kiosk")
    assert fake.unexpected == []
    agent = box / "etc/kiosk/agent.toml"
    assert mode(agent) == 0o600
    config = load_agent_config(agent)  # the agent's own parser accepts it
    assert (config.server_url, config.device_key, config.credential) == (fake.url, SCREEN_KEY, CREDENTIAL)
    env = box / "etc/kiosk/display.env"
    assert mode(env) == 0o600 and f"/screen/{SCREEN_KEY}" in env.read_text()
    profile = json.loads((box / "etc/kiosk/screen.json").read_text())
    assert profile["screen"]["orientation"] == "portrait" and "key" not in profile["screen"]
    assert profile["server"] == fake.url
    display = (box / "etc/systemd/system/kiosk-display.service").read_text()
    assert SCREEN_KEY not in display, "the unit file is world-readable: the key stays in display.env"
    assert "--remote-debugging-port=9222" in display and "--remote-debugging-address=127.0.0.1" in display
    assert "--kiosk" in display and "Restart=always" in display and "PAMName=login" in display
    agent_unit = (box / "etc/systemd/system/kiosk-agent.service").read_text()
    for line in ("User=kiosk", "NoNewPrivileges=yes", "ProtectSystem=strict", "DevicePolicy=closed", "LimitNOFILE="):
        assert line in agent_unit
    rules = (box / "etc/udev/rules.d/70-kiosk-readers.rules").read_text()
    assert 'GROUP="kiosk-readers"' in rules and "0666" not in rules
    assert (box / "etc/polkit-1/rules.d/50-kiosk.rules").exists()
    assert mode(box / "var/lib/kiosk-provision/state.json") == 0o600
    assert "recorded only" in output and "useradd" not in output
    assert (
        "user     kiosk" in output and "enable   kiosk-agent.service" in output and "packages cage chromium" in output
    )
    assert SCREEN_KEY not in output and CREDENTIAL not in output


def test_a_second_run_changes_nothing_and_says_so(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url)
        first = tree_fingerprint(box)
        requests = len(fake.requests)
        again = provision(box, fake.url)
    assert len(fake.requests) == requests, "an enrolled box is not enrolled again"
    assert "nothing to change" in again
    assert tree_fingerprint(box) == first


def test_re_enrol_asks_for_a_new_code_and_keeps_the_first_runs_before(box: Path) -> None:
    before = tree_fingerprint(box)
    with fake_enrol_server([["enrolled"], ["enrolled"]]) as fake:
        provision(box, fake.url)
        provision(box, fake.url, re_enrol=True)
    assert fake.codes() == 2 and fake.unexpected == []
    run_provision(ProvisionOptions(server_url=None, root=box, uninstall=True), io.StringIO())
    assert tree_fingerprint(box) == before


def test_technician_additions_to_agent_toml_survive_a_second_run(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url)
        agent = box / "etc/kiosk/agent.toml"
        agent.write_text(agent.read_text() + '\n[agent]\npcsc_reader = "ACS"\n')
        assert "nothing to change" in provision(box, fake.url)
    assert tomllib.loads(agent.read_text())["agent"]["pcsc_reader"] == "ACS"


def test_uninstall_leaves_the_tree_as_it_was(box: Path) -> None:
    before = tree_fingerprint(box)
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url)
    assert (box / "etc/udev/rules.d/70-kiosk-readers.rules").read_text() != OLD_RULES
    assert tree_fingerprint(box) != before
    out = io.StringIO()
    run_provision(ProvisionOptions(server_url=None, root=box, uninstall=True), out)
    assert tree_fingerprint(box) == before
    assert (box / "etc/udev/rules.d/70-kiosk-readers.rules").read_text() == OLD_RULES
    assert "restored: /etc/udev/rules.d/70-kiosk-readers.rules" in out.getvalue()
    with pytest.raises(ProvisioningError, match="nothing to uninstall"):
        run_provision(ProvisionOptions(server_url=None, root=box, uninstall=True), io.StringIO())


def test_dry_run_touches_nothing_and_asks_the_server_nothing(box: Path) -> None:
    before = tree_fingerprint(box)
    with fake_enrol_server([]) as fake:
        human = provision(box, fake.url, dry_run=True)
        machine = provision(box, fake.url, dry_run=True, json=True)
    assert fake.requests == []
    assert tree_fingerprint(box) == before
    assert "[replace (content)] file     /etc/udev/rules.d/70-kiosk-readers.rules" in human
    assert "[new] file     /etc/kiosk/agent.toml" in human and "not enrolled yet" in human
    plan = json.loads(machine)["plan"]
    kinds = {step["step"] for step in plan["steps"]}
    assert kinds == {"packages", "group", "user", "directory", "file", "command", "service"}
    agent = next(step for step in plan["steps"] if step.get("path") == "/etc/kiosk/agent.toml")
    assert agent["secret"] is True and agent["mode"] == "0600" and agent["owner"] == "kiosk"


def test_an_unreachable_server_stops_before_anything_is_written(box: Path) -> None:
    before = tree_fingerprint(box)
    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "provisioning", "provision", "--server", url, "--root", str(box)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == f"kiosk provision: cannot reach the server at {url}/enrol/api/codes: Connection refused\n"
    assert tree_fingerprint(box) == before


def test_the_command_line_shows_the_code_and_installs(box: Path) -> None:
    with fake_enrol_server([["waiting", "enrolled"]], kind="wall") as fake:
        done = subprocess.run(
            [sys.executable, "-m", "provisioning", "provision", "--server", fake.url, "--root", str(box)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    assert fake.unexpected == []
    assert "Enrolment code" in done.stdout and "7 K Q 9 M 0" in done.stdout
    assert "enrolled as '一楼求职自助终端'" in done.stdout
    assert not (box / "etc/kiosk/agent.toml").exists(), "a wall has no agent"
    assert not (box / "etc/systemd/system/kiosk-agent.service").exists()
    assert (box / "etc/systemd/system/kiosk-display.service").exists()
    assert "doctor: not run under --root" in done.stdout


def test_kind_disagreeing_with_the_console_writes_nothing(box: Path) -> None:
    before = tree_fingerprint(box)
    with fake_enrol_server([["enrolled"]], kind="wall") as fake:
        with pytest.raises(KindMismatch, match="enrolled this box as a wall screen"):
            provision(box, fake.url, kind="kiosk")
    assert tree_fingerprint(box) == before


def test_a_box_enrolled_with_another_server_needs_re_enrol(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url)
    with pytest.raises(ProvisioningError, match="add --re-enrol"):
        provision(box, "https://other.example")


def test_ctrl_c_while_the_code_is_shown_leaves_nothing(box: Path) -> None:
    before = tree_fingerprint(box)

    class Interrupting(RecordingDisplay):
        def show(self, code: object) -> None:
            raise KeyboardInterrupt

    with fake_enrol_server([["waiting"]]) as fake:
        with pytest.raises(ProvisioningError, match="nothing was installed"):
            run_provision(ProvisionOptions(server_url=fake.url, root=box), io.StringIO(), display=Interrupting())
    assert tree_fingerprint(box) == before
    assert os.listdir(box / "var/lib") == []
