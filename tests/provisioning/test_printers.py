"""``kiosk provision`` printer options and the doctor's printer checks.

The options are checked before anything is asked or written; the plan writes the agent's
``[[printers]]`` tables (read back by the agent's own parser), the USB printer's udev rule, the
``lp`` membership, the CUPS packages and queue; a re-run changes only the role an option names, and
uninstall takes back what was added. The host is the recording stand-in of test_apply_live; CUPS,
TCP and the udev rule syntax are real.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.agent.config import load_agent_config
from devices.agent.printer_config import PrinterConfig, parse_printers
from devices.drivers.printer_states import PrinterKind, PrinterRole
from provisioning import printer_checks
from provisioning.apply import Applier
from provisioning.build import BoxOptions, build_plan, placeholder_enrolment
from provisioning.doctor import CHECK_NAMES, DoctorOptions, print_report, run_doctor
from provisioning.errors import ProvisioningError, StateError
from provisioning.host import SystemHost
from provisioning.layout import AGENT_UNIT, PRINTER_RULES
from provisioning.plan import Plan
from provisioning.printers import (
    BLOCK_START,
    A4Printer,
    PrinterOptionError,
    PrinterRequest,
    Printers,
    check_request,
    choose,
    configured,
    parse_a4,
    parse_slip,
)
from provisioning.provision import ProvisionOptions, run_provision
from provisioning.units import units_for
from tests.devices.test_cups_printer import PPD, cupsd, queue  # noqa: F401  (fixtures: a throw-away CUPS-PDF queue)
from tests.provisioning._fake_enrol import fake_enrol_server
from tests.provisioning._udev_syntax import parse_rules
from tests.provisioning.conftest import tree_fingerprint
from tests.provisioning.test_apply_live import RecordingHost
from tests.provisioning.test_enrol import RecordingDisplay
from tests.support.server import free_port

pytestmark = pytest.mark.timeout(120)

SERVER = "https://signage.example.gov.cn"
USB = PrinterRequest(slip="usb:0416:5011", slip_paper=58, a4="cups:hall-a4", a4_uri="ipp://192.168.10.40/ipp/print")


def plan(request: PrinterRequest, agent_toml: bytes | None = None) -> Plan:
    text = agent_toml.decode() if agent_toml else None
    previous = configured(text)
    options = BoxOptions(
        SERVER, "kiosk", sys.executable, printers=choose(request, previous), previous_printers=previous
    )
    return build_plan(options, placeholder_enrolment(options), agent_toml=agent_toml)


def apply(box: Path, host: RecordingHost, request: PrinterRequest) -> list[str]:
    agent = box / "etc/kiosk/agent.toml"
    built = plan(request, agent.read_bytes() if agent.exists() else None)
    return Applier(box, host).apply(built).changed


def provision(root: Path, server: str, request: PrinterRequest, **options: object) -> str:
    out = io.StringIO()
    run_provision(
        ProvisionOptions(server_url=server, root=root, printers=request, **options),  # type: ignore[arg-type]
        out,
        display=RecordingDisplay(),
    )
    return out.getvalue()


# -- the options --------------------------------------------------------------------------------


def test_the_options_parse_into_printers() -> None:
    assert parse_slip("network:192.168.10.31") == parse_slip("network:192.168.10.31:9100")
    network = parse_slip("network:slip-7.hall.local:9101", 58)
    assert network is not None and (network.host, network.port, network.paper_mm) == ("slip-7.hall.local", 9101, 58)
    v6 = parse_slip("network:[fd00::31]:9100")
    assert v6 is not None and v6.host == "[fd00::31]"
    usb = parse_slip("usb:0416:5011")
    assert usb is not None and usb.kind is PrinterKind.ESCPOS_USB and usb.usb_id == "0416:5011" and usb.paper_mm == 80
    assert parse_slip("none") is None and parse_a4("none") is None
    assert parse_a4("cups:hall-a4", "ipp://192.168.10.40/ipp/print") == A4Printer(
        "hall-a4", "ipp://192.168.10.40/ipp/print"
    )
    assert A4Printer("q", "ipps://p.local/ipp/print").model == "everywhere"
    assert A4Printer("q", "socket://192.168.10.40:9100").model == "drv:///sample.drv/generic.ppd"


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PrinterRequest(slip="network:"), "--slip-printer network:: expected network:HOST or network:HOST:PORT"),
        (PrinterRequest(slip="network:hall_printer"), "'hall_printer' is not a host name or IP address"),
        (PrinterRequest(slip="network:-bad.example"), "'-bad.example' is not a host name"),
        (PrinterRequest(slip="network:192.168.10.300"), "'192.168.10.300' is not a valid IP address"),
        (PrinterRequest(slip="network:http://192.168.10.31"), "a bare host, no scheme"),
        (PrinterRequest(slip="network:192.168.10.31:0"), "port '0' is not a TCP port 1-65535"),
        (PrinterRequest(slip="network:192.168.10.31:65536"), "port '65536' is not a TCP port 1-65535"),
        (PrinterRequest(slip="network:192.168.10.31:ipp"), "port 'ipp' is not a TCP port"),
        (PrinterRequest(slip="network:fd00::31"), "write an IPv6 address in brackets"),
        (PrinterRequest(slip="usb:416:5011"), "expected usb:VVVV:PPPP, vendor and product as 4 hex digits"),
        (PrinterRequest(slip="usb:0416-5011"), "expected usb:VVVV:PPPP"),
        (PrinterRequest(slip="usb:04g6:5011"), "expected usb:VVVV:PPPP"),
        (PrinterRequest(slip="usb:0000:5011"), "0000 is not a USB vendor or product id"),
        (PrinterRequest(slip="serial:/dev/ttyS0"), "expected network:HOST[:PORT], usb:VVVV:PPPP or none"),
        (PrinterRequest(slip="usb:0416:5011", slip_paper=57), "--slip-paper 57: expected 80 or 58"),
        (PrinterRequest(slip_paper=58), "--slip-paper needs --slip-printer"),
        (PrinterRequest(slip="none", slip_paper=58), "there is no slip printer"),
        (PrinterRequest(a4="hall-a4"), "--a4-printer hall-a4: expected cups:QUEUE or none"),
        (PrinterRequest(a4="cups:hall a4"), "'hall a4' is not a CUPS queue name"),
        (PrinterRequest(a4="cups:hall/a4"), "'hall/a4' is not a CUPS queue name"),
        (PrinterRequest(a4="cups:hall#4"), "is not a CUPS queue name"),
        (PrinterRequest(a4="cups:-x"), "'-x' is not a CUPS queue name"),
        (PrinterRequest(a4="cups:"), "'' is not a CUPS queue name"),
        (PrinterRequest(a4="cups:" + "q" * 128), "is not a CUPS queue name"),
        (PrinterRequest(a4_uri="ipp://192.168.10.40/ipp/print"), "--a4-printer-uri needs --a4-printer cups:QUEUE"),
        (PrinterRequest(a4="cups:q", a4_uri="file:///dev/null"), "expected ipp://, ipps://, socket://, lpd://"),
        (PrinterRequest(a4="cups:q", a4_uri="socket://"), "no printer host in it"),
        (PrinterRequest(a4="cups:q", a4_uri="socket://p:99999"), "the port is not 1-65535"),
        (PrinterRequest(a4="cups:q", a4_uri="ipp://p/ipp print"), "expected ipp://"),
        (PrinterRequest(a4="none", a4_uri="ipp://p/ipp/print"), "there is no A4 printer"),
    ],
)
def test_a_bad_option_is_refused_with_what_is_wrong(request_: PrinterRequest, message: str) -> None:
    with pytest.raises(PrinterOptionError) as caught:
        check_request(request_)
    assert message in str(caught.value)


def test_a_bad_option_stops_before_the_server_is_asked_or_anything_written(box: Path) -> None:
    before = tree_fingerprint(box)
    with fake_enrol_server([]) as fake:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "provisioning",
                "provision",
                "--server",
                fake.url,
                "--root",
                str(box),
                "--slip-printer",
                "network:192.168.10.31:70000",
            ],  # fmt: skip
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stderr == (
        "kiosk provision: --slip-printer network:192.168.10.31:70000: port '70000' is not a TCP port 1-65535\n"
    )
    assert fake.requests == [] and tree_fingerprint(box) == before
    with pytest.raises(PrinterOptionError, match="a wall has no device agent"):
        provision(box, SERVER, PrinterRequest(a4="cups:hall-a4"), kind="wall")


# -- the plan, into a tree ----------------------------------------------------------------------


def test_provision_writes_the_printers_the_agent_reads_and_the_usb_rule(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        output = provision(box, fake.url, USB)
    config = load_agent_config(box / "etc/kiosk/agent.toml")  # the agent's own parser
    slip, a4 = config.printers
    assert (slip.role, slip.kind, slip.usb_vendor, slip.usb_product, slip.paper_mm) == (
        PrinterRole.SLIP,
        PrinterKind.ESCPOS_USB,
        0x0416,
        0x5011,
        58,
    )
    assert (a4.role, a4.kind, a4.queue) == (PrinterRole.A4, PrinterKind.CUPS, "hall-a4")
    rules = parse_rules((box / PRINTER_RULES.lstrip("/")).read_text())
    assert len(rules) == 1
    pairs = {(pair.key, pair.attribute): pair.value for pair in rules[0]}
    assert pairs[("SUBSYSTEM", None)] == "usbmisc" and pairs[("ATTRS", "idVendor")] == "0416"
    assert pairs[("ATTRS", "idProduct")] == "5011"
    assert (pairs[("GROUP", None)], pairs[("MODE", None)]) == ("lp", "0660")
    unit = (box / "etc/systemd/system/kiosk-agent.service").read_text()
    assert "DeviceAllow=char-usb rw" in unit, "usblp's major 180 is 'usb': DevicePolicy=closed would refuse it"
    assert "member   kiosk in group lp" in output and "packages cups cups-client" in output
    assert "queue    lpadmin -p hall-a4 -E -v ipp://192.168.10.40/ipp/print -m everywhere" in output
    assert "--subsystem-match=usbmisc" in output


def test_a_network_printer_needs_no_rule_no_lp_and_no_cups(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        output = provision(box, fake.url, PrinterRequest(slip="network:192.168.10.31"))
    table = tomllib.loads((box / "etc/kiosk/agent.toml").read_text())["printers"]
    assert table == [{"role": "slip", "kind": "escpos-network", "host": "192.168.10.31", "port": 9100, "paper_mm": 80}]
    assert not (box / PRINTER_RULES.lstrip("/")).exists()
    assert "char-usb rw" not in (box / "etc/systemd/system/kiosk-agent.service").read_text()
    assert "member" not in output and "cups" not in output and "lpadmin" not in output


def test_runs_without_printer_options_keep_the_printers_and_change_nothing(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url, USB)
        first = tree_fingerprint(box)
        assert "nothing to change" in provision(box, fake.url, PrinterRequest())
        assert "nothing to change" in provision(box, fake.url, USB)
    assert tree_fingerprint(box) == first


def test_a_changed_slip_printer_changes_only_the_slip_printer(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url, USB)
        agent = box / "etc/kiosk/agent.toml"
        agent.write_text(agent.read_text() + '\n[agent]\npcsc_reader = "ACS"\n')  # the technician's addition
        output = provision(box, fake.url, PrinterRequest(slip="network:192.168.10.31:9101", slip_paper=58))
    data = tomllib.loads(agent.read_text())
    assert data["agent"] == {"pcsc_reader": "ACS"}
    assert data["printers"] == [
        {"role": "slip", "kind": "escpos-network", "host": "192.168.10.31", "port": 9101, "paper_mm": 58},
        {"role": "a4", "kind": "cups", "queue": "hall-a4"},
    ]
    assert agent.read_text().count(BLOCK_START) == 1
    assert not (box / PRINTER_RULES.lstrip("/")).exists()
    assert f"removed: {PRINTER_RULES}" in output and "member   kiosk out of group lp" in output
    assert "lpadmin -p" not in output, "the A4 printer was left out: its queue is used as it is"


def test_uninstall_after_printers_leaves_the_tree_as_it_was(box: Path) -> None:
    before = tree_fingerprint(box)
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url, USB)
        provision(box, fake.url, PrinterRequest(slip="none", a4="none"))
    assert "printers" not in tomllib.loads((box / "etc/kiosk/agent.toml").read_text())
    run_provision(ProvisionOptions(server_url=None, root=box, uninstall=True), io.StringIO())
    assert tree_fingerprint(box) == before


def test_a_hand_written_slip_printer_and_the_option_together_are_refused(box: Path) -> None:
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url, PrinterRequest())
        agent = box / "etc/kiosk/agent.toml"
        agent.write_text(agent.read_text() + '\n[[printers]]\nrole = "slip"\nkind = "escpos-usb"\nusb = "0416:5011"\n')
        written = tree_fingerprint(box)
        with pytest.raises(ProvisioningError, match="remove the \\[\\[printers\\]\\] tables written by hand"):
            provision(box, fake.url, PrinterRequest(slip="network:192.168.10.31"))
        assert tree_fingerprint(box) == written
        assert "nothing to change" in provision(box, fake.url, PrinterRequest()), "left out: hand-written stays"


def test_dry_run_json_lists_the_printer_steps(box: Path) -> None:
    with fake_enrol_server([]) as fake:
        out = provision(box, fake.url, USB, dry_run=True, json=True)
    steps = json.loads(out)["plan"]["steps"]
    member = next(step for step in steps if step["step"] == "membership")
    assert (member["user"], member["group"], member["present"]) == ("kiosk", "lp", True)
    queue_step = next(step for step in steps if step["step"] == "queue")
    assert (queue_step["queue"], queue_step["uri"], queue_step["model"]) == (
        "hall-a4",
        "ipp://192.168.10.40/ipp/print",
        "everywhere",
    )
    assert any(step["step"] == "packages" and step["names"] == ["cups", "cups-client"] for step in steps)


# -- on a live box (the recording host) ---------------------------------------------------------


def test_live_printers_join_lp_install_cups_create_the_queue_once_and_uninstall_takes_them_back(box: Path) -> None:
    host = RecordingHost()
    host.users.add("kiosk")  # a box provisioned before printers: the user stays, its lp membership goes
    before = tree_fingerprint(box)
    apply(box, host, USB)
    assert ("gpasswd --add", "kiosk", "lp") in host.calls
    assert ("apt-get install", "cups", "cups-client") in host.calls
    assert ("lpadmin", "-p", "hall-a4", "-E", "-v", "ipp://192.168.10.40/ipp/print", "-m", "everywhere") in host.calls
    trigger = next(call for call in host.calls if call[:2] == ("udevadm", "trigger"))
    assert "--subsystem-match=usbmisc" in trigger

    host.calls.clear()
    assert apply(box, host, USB) == [] and host.calls == [], "the same printers again: nothing runs"
    assert apply(box, host, PrinterRequest()) == [] and host.calls == []

    changed = apply(box, host, PrinterRequest(a4="cups:hall-a4-2", a4_uri="socket://192.168.10.41:9100"))
    assert host.calls[:2] == [
        ("lpadmin", "-x", "hall-a4"),
        (
            "lpadmin",
            "-p",
            "hall-a4-2",
            "-E",
            "-v",
            "socket://192.168.10.41:9100",
            "-m",
            "drv:///sample.drv/generic.ppd",
        ),
    ]
    assert "CUPS queue deleted: hall-a4" in changed and ("gpasswd --add", "kiosk", "lp") not in host.calls

    host.calls.clear()
    Applier(box, host).uninstall()
    assert ("lpadmin", "-x", "hall-a4-2") in host.calls and host.queues == {}
    assert ("gpasswd --delete", "kiosk", "lp") in host.calls and host.members == set()
    removed = next(call for call in host.calls if call[0] == "apt-get remove")
    assert "cups" in removed and "cups-client" in removed
    assert ("udevadm", "control", "--reload") in host.calls
    assert tree_fingerprint(box) == before


def test_a_queue_someone_else_made_is_not_taken_over(box: Path) -> None:
    host = RecordingHost()
    host.queues["hall-a4"] = "usb://HP/LaserJet?serial=1"
    with pytest.raises(StateError) as caught:
        apply(box, host, PrinterRequest(a4="cups:hall-a4", a4_uri="ipp://192.168.10.40/ipp/print"))
    assert str(caught.value) == (
        "CUPS queue hall-a4 exists already (device usb://HP/LaserJet?serial=1) and kiosk provision did not create "
        "it: leave out --a4-printer-uri to use it as it is, or choose another queue name"
    )
    assert host.queues == {"hall-a4": "usb://HP/LaserJet?serial=1"}
    host.calls.clear()
    apply(box, host, PrinterRequest(a4="cups:hall-a4"))  # without a URI the queue is used as it is
    assert not any(call[0] == "lpadmin" for call in host.calls)


def test_the_system_host_runs_lpadmin_and_reads_the_queue_back(queue: str) -> None:  # noqa: F811 (the fixture)
    host = SystemHost()
    assert host.queue_device(queue) == "cups-pdf:/"
    assert host.queue_device(queue + "-missing") is None
    made = queue + "-provisioned"
    host.add_queue(made, "cups-pdf:/", f"lsb/usr/cups-pdf/{PPD.name}")
    try:
        assert host.queue_device(made) == "cups-pdf:/"
        report = printer_checks.check_cups(PrinterConfig(PrinterRole.A4, PrinterKind.CUPS, queue=made))
        assert report.status == "ok" and report.data["reason_zh"] == f"A4 打印机队列 {made} 正常"
    finally:
        host.remove_queue(made)
    assert host.queue_device(made) is None


# -- the doctor ---------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections, as a network receipt printer does."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_the_doctor_checks_each_printer_after_the_ten(box: Path, listener: int) -> None:
    queue_name = f"kiosk-missing-{os.getpid()}"
    request = PrinterRequest(slip=f"network:127.0.0.1:{listener}", a4=f"cups:{queue_name}")
    with fake_enrol_server([["enrolled"]]) as fake:
        provision(box, fake.url, request)
    report = run_doctor(DoctorOptions(None, box))
    names = [check.name for check in report.checks]
    assert names == [*CHECK_NAMES, "printer-slip", "printer-a4"]
    slip, a4 = report.checks[-2:]
    assert slip.status == "ok" and slip.reason == f"127.0.0.1:{listener} accepts connections"
    assert slip.data["reason_zh"] == f"小票打印机 127.0.0.1:{listener} 可以连接"
    assert a4.status == "fail" and a4.reason.startswith(f"CUPS queue {queue_name}: ")
    assert a4.data["queue"] == queue_name and a4.data["state"] == "offline"
    assert report.ok is False and report.to_json()["checks"][-1]["name"] == "printer-a4"
    out = io.StringIO()
    print_report(report, out)
    assert f"ok    printer-slip  127.0.0.1:{listener} accepts connections / 小票打印机" in out.getvalue()


def test_a_network_printer_that_refuses_fails() -> None:
    port = free_port()
    printer = parse_printer_config(f'role = "slip"\nkind = "escpos-network"\nhost = "127.0.0.1"\nport = {port}\n')
    check = printer_checks.check_network(printer)
    assert check.status == "fail"
    assert (
        check.reason == f"cannot connect to 127.0.0.1:{port}: Connection refused (is it on, cabled, at this address?)"
    )


def parse_printer_config(table: str) -> PrinterConfig:
    (printer,) = parse_printers([tomllib.loads(table)])
    return printer


@pytest.fixture
def usb_tree(tmp_path: Path) -> tuple[Path, Path]:
    """A sysfs usbmisc class with lp0 for a 0416:5011 printer, and its /dev/usb node (0660)."""
    device = tmp_path / "sys/devices/usb1/1-1"
    (device / "1-1:1.0").mkdir(parents=True)
    (device / "idVendor").write_text("0416\n")
    (device / "idProduct").write_text("5011\n")
    sysfs = tmp_path / "sys/class/usbmisc"
    (sysfs / "lp0").mkdir(parents=True)
    (sysfs / "lp0/device").symlink_to(device / "1-1:1.0")
    dev = tmp_path / "dev/usb"
    dev.mkdir(parents=True)
    (dev / "lp0").write_bytes(b"")
    os.chmod(dev / "lp0", 0o660)
    return sysfs, dev


def test_a_usb_printer_needs_its_node_group_writable_by_the_agents_group(usb_tree: tuple[Path, Path]) -> None:
    sysfs, dev = usb_tree
    printer = parse_printer_config('role = "slip"\nkind = "escpos-usb"\nusb = "0416:5011"\n')
    check = printer_checks.check_usb(printer, live=True, sysfs=sysfs, dev=dev, member=lambda user, gid: True)
    assert check.status == "ok" and check.data["node"] == str(dev / "lp0") and check.data["mode"] == "0660"
    outsider = printer_checks.check_usb(printer, live=True, sysfs=sysfs, dev=dev, member=lambda user, gid: False)
    assert outsider.status == "fail" and "kiosk is not in it" in outsider.reason
    os.chmod(dev / "lp0", 0o600)
    locked = printer_checks.check_usb(printer, live=True, sysfs=sysfs, dev=dev, member=lambda user, gid: True)
    assert locked.status == "fail" and "not group-writable (mode 0600)" in locked.reason
    other = parse_printer_config('role = "slip"\nkind = "escpos-usb"\nusb = "04b8:0202"\n')
    missing = printer_checks.check_usb(other, live=True, sysfs=sysfs, dev=dev)
    assert missing.status == "fail" and missing.reason.startswith("USB printer 04b8:0202 not found")
    assert printer_checks.check_usb(printer, live=False).status == "skipped"


def test_a_damaged_printer_table_is_one_failing_line(box: Path) -> None:
    agent = box / "etc/kiosk/agent.toml"
    agent.parent.mkdir(parents=True)
    agent.write_text('[[printers]]\nrole = "slip"\nkind = "escpos-usb"\nusb = "0416"\n')
    (check,) = printer_checks.check_printers(box, "kiosk", live=False)
    assert check.status == "fail" and "printers[0].usb" in check.reason
    assert printer_checks.check_printers(box, "wall", live=False) == []


def test_choose_keeps_a_role_left_out() -> None:
    current = Printers(parse_slip("usb:0416:5011"), A4Printer("hall-a4"))
    chosen = choose(PrinterRequest(a4="cups:other"), current)
    assert chosen.slip == current.slip and chosen.a4 == A4Printer("other")
    assert choose(PrinterRequest(slip="none"), current) == Printers(None, A4Printer("hall-a4"))


def test_a_password_in_the_printer_uri_is_never_printed(box: Path) -> None:
    uri = "ipps://hall:s3cret-pw@192.168.10.40/ipp/print"
    with fake_enrol_server([]) as fake:
        human = provision(box, fake.url, PrinterRequest(a4="cups:hall-a4", a4_uri=uri), dry_run=True)
        machine = provision(box, fake.url, PrinterRequest(a4="cups:hall-a4", a4_uri=uri), dry_run=True, json=True)
    assert "s3cret-pw" not in human and "s3cret-pw" not in machine
    assert "-v ipps://hall:***@192.168.10.40/ipp/print -m everywhere" in human
    host = RecordingHost()
    apply(box, host, PrinterRequest(a4="cups:hall-a4", a4_uri=uri))
    assert host.queues == {"hall-a4": uri}, "lpadmin itself gets the real URI"
    host.queues["hall-a4"] = "ipps://192.168.10.40/ipp/print"  # what lpstat -v shows: no user, no password
    host.calls.clear()
    assert apply(box, host, PrinterRequest(a4="cups:hall-a4", a4_uri=uri)) == [] and host.calls == []


def test_a_failing_lpadmin_names_the_uri_without_its_password(cupsd: None) -> None:  # noqa: F811
    uri = "ipp://hall:s3cret-pw@127.0.0.1:1/ipp/print"
    with pytest.raises(ProvisioningError) as caught:  # a model CUPS does not have: lpadmin fails
        SystemHost().add_queue(f"kiosk-test-unreachable-{os.getpid()}", uri, "no-such-model.ppd")
    assert "s3cret-pw" not in str(caught.value)
    assert str(caught.value).startswith(f"lpadmin -p kiosk-test-unreachable-{os.getpid()} -E -v ipp://hall:***@")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_accepts_the_agent_unit_with_a_usb_printer(tmp_path: Path) -> None:
    unit = tmp_path / AGENT_UNIT
    unit.write_text(units_for("kiosk", sys.executable, usb_printer=True)[AGENT_UNIT])
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "--generators=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "DeviceAllow=char-usb rw" in unit.read_text()
