"""``kiosk agent --list-readers`` and ``--test-read`` on a pseudo-terminal reader, vpcd and a stand-in vendor library."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from content.citizens.idnumbers import mask_id_number
from devices.agent import diagnostics
from devices.agent.cli import main
from devices.agent.config import parse_agent_config
from devices.simulators.idcard_reader import SimCard, SimIdCardReader
from devices.simulators.ssc_card import PEOPLE, VirtualSscCard
from tests.devices.test_ssc_pcsc import READER, insert, pcscd  # noqa: F401  (fixtures)
from tests.devices.test_vendor_idcard import ID_NUMBER, StandIn, text_block

CARD = SimCard(name="张三丰", id_number="62010219900307123X")


def write_config(tmp_path: Path, body: str = "", *, pcsc: bool = False) -> str:
    path = tmp_path / "agent.toml"
    path.write_text(
        '[server]\nurl = "http://hall.example"\n[device]\nkey = "k"\ncredential = "c"\n'
        f"[agent]\nhotplug = false\npcsc = {'true' if pcsc else 'false'}\n" + body,
        encoding="utf-8",
    )
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture
def sim():
    with SimIdCardReader() as reader:
        yield reader


# --- the pseudo-terminal reader -------------------------------------------------------------


def test_list_readers_probes_a_configured_serial_reader(tmp_path, capsys, sim):
    config = write_config(tmp_path, f'[[readers]]\nkind = "idcard_serial"\npath = "{sim.port}"\n')
    code, out = run(capsys, "--config", config, "--list-readers", "--probe", "--json")
    assert code == 0
    (entry,) = [r for r in json.loads(out)["readers"] if r["source"] == "config"]
    assert (entry["bus"], entry["node"], entry["driver"]) == ("serial", sim.port, "idcard_serial")
    assert f"SAM answered, id {sim.sam_id.hex().upper()}" in entry["why"]


def test_list_readers_says_when_a_configured_port_is_gone(tmp_path, capsys, sim):
    config = write_config(tmp_path, f'[[readers]]\nkind = "idcard_serial"\npath = "{sim.port}"\n')
    sim.unplug()
    code, out = run(capsys, "--config", config, "--list-readers")
    assert code == 0
    (line,) = [line for line in out.splitlines() if sim.port in line]
    assert "idcard_serial" in line and "does not exist now" in line


def test_test_read_prints_masked_fields_of_an_id_card(tmp_path, capsys, sim):
    config = write_config(tmp_path, f'[[readers]]\nkind = "idcard_serial"\npath = "{sim.port}"\n')
    sim.present(CARD)
    code, out = run(capsys, "--config", config, "--test-read", "--json", "--timeout", "10")
    assert code == 0
    read = json.loads(out)["read"]
    assert (read["kind"], read["reader_id"]) == ("idcard", sim.port)
    assert read["fields"]["id_number"] == mask_id_number(CARD.id_number) == "620102********123X"
    assert read["fields"]["name"] == "张**" and read["fields"]["document"] == "resident"
    assert 0 < read["read_ms"] < read["waited_ms"] + 1
    assert CARD.id_number not in out and CARD.name not in out
    assert any("attached" in line for line in read["statuses"])


def test_test_read_as_text_and_its_timeout(tmp_path, capsys, sim):
    config = write_config(tmp_path, f'[[readers]]\nkind = "idcard_serial"\npath = "{sim.port}"\n')
    code, out = run(capsys, "--config", config, "--test-read", "--timeout", "0.5")
    assert code == 1 and "nothing was read within 0.5 s" in out
    sim.present(CARD)
    code, out = run(capsys, "--config", config, "--test-read", "--timeout", "10")
    assert code == 0
    assert f"idcard on {sim.port}: read in " in out and "id_number: 620102********123X" in out
    assert CARD.id_number not in out


# --- the stand-in vendor library ------------------------------------------------------------


def _vendor_section(standin: StandIn) -> str:
    return (
        f'[[idcard_vendor]]\nlibrary = "{standin.library}"\nworkdir = "{standin.folder}"\n'
        'poll_seconds = 0.02\nname = "front-desk"\n'
    )


def test_list_readers_checks_a_vendor_library(tmp_path, capsys):
    standin = StandIn(tmp_path)
    broken = '[[idcard_vendor]]\nlibrary = "/opt/nothing/libtermb.so"\n'
    config = write_config(tmp_path, _vendor_section(standin) + broken)
    code, out = run(capsys, "--config", config, "--list-readers", "--probe", "--json")
    assert code == 0
    good, bad = [r for r in json.loads(out)["readers"] if r["bus"] == "library"]
    assert good["driver"] == "idcard_vendor" and "InitComm(1001) answered" in good["why"]
    assert bad["driver"] == "" and "cannot load vendor library /opt/nothing/libtermb.so" in bad["why"]


def test_test_read_through_a_vendor_library(tmp_path, capsys):
    standin = StandIn(tmp_path)
    standin.set("card", text_block())
    config = write_config(tmp_path, _vendor_section(standin))
    code, out = run(capsys, "--config", config, "--test-read", "--json", "--timeout", "10")
    assert code == 0
    read = json.loads(out)["read"]
    assert (read["kind"], read["reader_id"]) == ("idcard", "front-desk")
    assert read["fields"]["id_number"] == mask_id_number(ID_NUMBER) and read["read_ms"] is not None
    assert ID_NUMBER not in out


# --- vpcd -----------------------------------------------------------------------------------


def test_list_readers_shows_the_pcsc_reader_the_agent_watches(tmp_path, capsys, pcscd):  # noqa: F811
    config = write_config(tmp_path, f'pcsc_reader = "{READER}"\n', pcsc=True)
    code, out = run(capsys, "--config", config, "--list-readers", "--json")
    assert code == 0
    entries = {r["node"]: r for r in json.loads(out)["readers"] if r["bus"] == "pcsc"}
    assert entries[READER]["driver"] == "ssc_pcsc" and "watched" in entries[READER]["why"]


def test_test_read_reads_a_social_security_card_through_vpcd(tmp_path, capsys, pcscd, insert):  # noqa: F811
    person = PEOPLE[0]
    config = write_config(tmp_path, f'pcsc_reader = "{READER}"\n', pcsc=True)
    result: dict[str, Any] = {}
    waiting = threading.Thread(
        target=lambda: result.update(code=main(["--config", config, "--test-read", "--json", "--timeout", "15"]))
    )
    waiting.start()
    insert(VirtualSscCard(person, generation=2))
    waiting.join(20)
    assert result.get("code") == 0
    out = capsys.readouterr().out
    read = json.loads(out)["read"]
    assert read["kind"] == "ssc" and read["fields"]["generation"] == 2
    assert read["fields"]["id_number"] == mask_id_number(person.id_number)
    assert read["read_ms"] is not None and read["read_ms"] > 0
    assert person.id_number not in out and person.name not in out


# --- udev verdicts, with pyudev faked at its boundary ---------------------------------------


class Attrs:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


class Usb:
    def __init__(self, vendor: str, product: str) -> None:
        self.attributes = Attrs({"idVendor": vendor.encode(), "idProduct": product.encode()})


class Device:
    def __init__(self, subsystem, node, usb, *, sys_name="dev0", properties=None, attributes=None, links=()):
        self.subsystem, self.device_node, self._usb, self.sys_name = subsystem, node, usb, sys_name
        self.sys_path = f"/sys/fake/{sys_name}"
        self.properties, self.attributes = Attrs(properties or {}), Attrs(attributes or {})
        self.device_links = list(links)

    def find_parent(self, subsystem, device_type=None):
        assert (subsystem, device_type) == ("usb", "usb_device")
        return self._usb


class Context:
    def __init__(self, devices):
        self.devices = devices

    def list_devices(self, *, subsystem):
        return [d for d in self.devices if d.subsystem == subsystem]


def test_udev_candidates_say_which_driver_takes_each_device_and_why():
    devices = [
        Device("tty", "/dev/ttyUSB0", Usb("1a86", "7523"), links=("/dev/serial/by-path/pci-0:1",)),
        Device("tty", "/dev/ttyUSB1", Usb("abcd", "0001")),
        Device("tty", "/dev/ttyS0", None),  # a built-in UART: not listed
        Device("input", "/dev/input/event3", Usb("1eab", "0d10"), properties={"ID_INPUT_KEYBOARD": "1"}),
        Device("input", "/dev/input/event4", Usb("1eab", "0d10")),
        Device("usb", None, Usb("0400", "c35a"), sys_name="1-2:1.0", properties={"DEVTYPE": "usb_interface"},
               attributes={"bInterfaceClass": b"ff"}),
        Device("usb", None, Usb("072f", "90cc"), sys_name="1-3:1.0", properties={"DEVTYPE": "usb_interface"},
               attributes={"bInterfaceClass": b"0b"}),
    ]  # fmt: skip
    found = {c.node: c for c in diagnostics.udev_candidates(Context(devices))}
    assert set(found) == {
        "/dev/ttyUSB0",
        "/dev/ttyUSB1",
        "/dev/input/event3",
        "/dev/input/event4",
        "1-2:1.0",
        "1-3:1.0",
    }
    ch340 = found["/dev/ttyUSB0"]
    assert (ch340.bus, ch340.vendor, ch340.product, ch340.driver) == ("serial", "1a86", "7523", "idcard_serial")
    assert "CH340" in ch340.why and "SAM answers" in ch340.why
    assert (
        found["/dev/ttyUSB1"].driver == ""
        and "abcd:0001 is not in the known-readers table" in found["/dev/ttyUSB1"].why
    )
    assert found["/dev/input/event3"].driver == "scanner_hid"
    assert found["/dev/input/event4"].driver == "" and "lacks ev_key_keyboard" in found["/dev/input/event4"].why
    assert found["1-2:1.0"].driver == "" and "[[idcard_vendor]]" in found["1-2:1.0"].why
    assert found["1-3:1.0"].driver == "ssc_pcsc" and "pcscd drives it" in found["1-3:1.0"].why


def test_list_readers_degrades_without_pyudev_and_pcscd():
    def no_pyudev():
        raise ImportError("No module named 'pyudev'")

    def no_pcscd():
        from devices.drivers.pcsc import PcscUnavailable

        raise PcscUnavailable("SCardEstablishContext", 0x8010001D, "Service not available")

    config = parse_agent_config({"server": {"url": "http://h.example"}, "device": {"key": "k", "credential": "c"}})
    listing = diagnostics.list_readers(config, udev_context=no_pyudev, pcsc_names=no_pcscd)
    assert listing.candidates == []
    assert listing.notes[0].startswith("pyudev is not installed")
    assert listing.notes[1].startswith("pcscd is not reachable")


def test_pcsc_candidates_follow_the_configured_prefix():
    config = parse_agent_config(
        {
            "server": {"url": "http://h.example"},
            "device": {"key": "k", "credential": "c"},
            "agent": {"pcsc_reader": "ACS"},
        }
    )
    found = diagnostics.pcsc_candidates(config, ["Gemalto PC Twin 00 00", "ACS ACR39U 01 00", "ACS ACR39U 02 00"])
    assert [c.driver for c in found] == ["", "ssc_pcsc", ""]
    assert "the agent takes 'ACS ACR39U 01 00'" in found[2].why
