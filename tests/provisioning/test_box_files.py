"""The files provisioning writes, checked by their consumers' rules: systemd-analyze, udev syntax, polkit in JS."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provisioning.build import BoxOptions, build_plan, placeholder_enrolment
from provisioning.layout import AGENT_UNIT, DISPLAY_UNIT, READERS_GROUP, UDEV_RULES
from provisioning.plan import Plan
from provisioning.polkit import polkit_rule
from provisioning.units import units_for
from tests.provisioning._udev_syntax import RuleSyntaxError, parse_rules

pytestmark = pytest.mark.timeout(120)


def plan_for(kind: str) -> Plan:
    options = BoxOptions("https://signage.example.gov.cn", kind, sys.executable)
    return build_plan(options, placeholder_enrolment(options))


def verify(unit_dir: Path, *names: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--generators=no", *(str(unit_dir / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def write_units(tmp_path: Path, kind: str) -> Path:
    """The units as planned, with ExecStart binaries this machine lacks (cage) pointed at /usr/bin/true.

    systemd-analyze verify checks that each ExecStart program exists on the machine it runs on
    (its --root does not change that), so a missing compositor is swapped for one that exists;
    every other line is verified as written.
    """
    unit_dir = tmp_path / "units"
    unit_dir.mkdir()
    for name, text in units_for(kind, sys.executable).items():
        for program in ("/usr/bin/cage", "/usr/bin/chromium"):
            if not Path(program).exists():
                text = text.replace(f"ExecStart={program} ", "ExecStart=/usr/bin/true ")
        (unit_dir / name).write_text(text)
    return unit_dir


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("kind", ["kiosk", "wall"])
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path, kind: str) -> None:
    unit_dir = write_units(tmp_path, kind)
    names = sorted(p.name for p in unit_dir.iterdir())
    assert names == sorted([DISPLAY_UNIT, AGENT_UNIT] if kind == "kiosk" else [DISPLAY_UNIT])
    done = verify(unit_dir, *names)
    assert done.returncode == 0 and done.stderr == "", done.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_verify_check_bites_on_a_misspelt_key(tmp_path: Path) -> None:
    unit_dir = write_units(tmp_path, "kiosk")
    unit = unit_dir / AGENT_UNIT
    unit.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSytem=strict"))
    assert "Unknown key 'ProtectSytem'" in verify(unit_dir, AGENT_UNIT).stderr


def test_the_udev_rules_parse_and_give_readers_to_the_readers_group() -> None:
    rules_step = next(step for step in plan_for("kiosk").files if step.path == UDEV_RULES)
    rules = parse_rules(rules_step.content.decode())
    assert len(rules) >= 5
    groups = {pair.value for rule in rules for pair in rule if pair.key == "GROUP"}
    modes = {pair.value for rule in rules for pair in rule if pair.key == "MODE"}
    assert groups == {READERS_GROUP} and modes == {"0660"}
    assert all(any(pair.op in {"==", "!="} for pair in rule) for rule in rules), "every rule matches something"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('SUBSYSTEM="tty", GROUP="x"', "match key, cannot be assigned"),
        ('SUBSYSTEM=="tty", GROUP=="x"', "assignment key, cannot be matched"),
        ('SUBSYSTEM=="tty" GROUP="x"', "missing comma"),
        ('SUBSYSTEM=="tty", ATTRS=="x"', "needs an {attribute}"),
        ("SUBSYSTEM==tty", "cannot read"),
        ('SUBSYSTEM=="tty", MODE="rw"', "not an octal mode"),
        ('SUBSYTEM=="tty", MODE="0660"', "unknown key"),
        ('SUBSYSTEM=="tty", GOTO="end"', "has no LABEL"),
    ],
)
def test_the_udev_check_rejects_broken_rules(line: str, problem: str) -> None:
    with pytest.raises(RuleSyntaxError, match=problem):
        parse_rules(line + "\n")


NODE_HARNESS = """
const fs = require("fs");
const rules = [];
const polkit = {Result: {YES: "yes", NO: "no", AUTH_ADMIN: "auth_admin", NOT_HANDLED: "not_handled"},
                addRule: (rule) => rules.push(rule)};
eval(fs.readFileSync(process.argv[1], "utf8"));
const cases = JSON.parse(process.argv[2]);
console.log(JSON.stringify(cases.map(([user, id, details]) => {
  const action = {id: id, lookup: (key) => details[key]};
  for (const rule of rules) {
    const result = rule(action, {user: user});
    if (result !== undefined && result !== polkit.Result.NOT_HANDLED) return result;
  }
  return "not_handled";
})));
"""

REBOOT = "org.freedesktop.login1.reboot"
UNITS = "org.freedesktop.systemd1.manage-units"


def decide(tmp_path: Path, kind: str, cases: list[tuple[str, str, dict[str, str]]]) -> list[str]:
    rule = tmp_path / "50-kiosk.rules"
    rule.write_text(polkit_rule(kind))
    done = subprocess.run(
        ["node", "-e", NODE_HARNESS, str(rule), json.dumps(cases)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result: list[str] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the polkit rule is JavaScript")
def test_the_polkit_rule_lets_the_kiosk_user_reboot_and_restart_its_services_only(tmp_path: Path) -> None:
    cases = [
        ("kiosk", REBOOT, {}),
        ("kiosk", "org.freedesktop.login1.power-off", {}),
        ("kiosk", "org.freedesktop.login1.reboot-ignore-inhibit", {}),
        ("kiosk", UNITS, {"unit": "kiosk-agent.service", "verb": "restart"}),
        ("kiosk", UNITS, {"unit": "kiosk-display.service", "verb": "restart"}),
        ("kiosk", UNITS, {"unit": "kiosk-agent.service", "verb": "stop"}),
        ("kiosk", UNITS, {"unit": "ssh.service", "verb": "restart"}),
        ("kiosk", "org.freedesktop.packagekit.package-install", {}),
        ("nobody", REBOOT, {}),
        ("nobody", UNITS, {"unit": "kiosk-agent.service", "verb": "restart"}),
    ]
    assert decide(tmp_path, "kiosk", cases) == ["yes"] * 2 + ["not_handled"] + ["yes"] * 2 + ["not_handled"] * 5


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed: the polkit rule is JavaScript")
def test_a_wall_has_no_agent_to_restart(tmp_path: Path) -> None:
    cases = [
        ("kiosk", UNITS, {"unit": "kiosk-agent.service", "verb": "restart"}),
        ("kiosk", UNITS, {"unit": "kiosk-display.service", "verb": "restart"}),
    ]
    assert decide(tmp_path, "wall", cases) == ["not_handled", "yes"]
