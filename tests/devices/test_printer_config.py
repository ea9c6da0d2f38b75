"""``[[printers]]`` in the agent's file: good tables parse, every bad value names its key."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from devices.agent.config import AgentConfigError, load_agent_config, parse_agent_config
from devices.drivers.printer_states import PrinterKind, PrinterRole

HEAD = """
[server]
url = "https://signage.example.gov.cn/"

[device]
key = "k-123"
credential = "s3cret-credential"
"""

GOOD = (
    HEAD
    + """
[[printers]]
role = "slip"
kind = "escpos-network"
host = "192.168.10.31"
paper_mm = 58

[[printers]]
role = "a4"
kind = "cups"
queue = "hall-a4"
"""
)


def parse(printers: Any) -> Any:
    data = tomllib.loads(HEAD)
    data["printers"] = printers
    return parse_agent_config(data)


def test_a_file_with_two_printers_parses(tmp_path):
    path = tmp_path / "agent.toml"
    path.write_text(GOOD, encoding="utf-8")
    slip, a4 = load_agent_config(path).printers
    assert (slip.role, slip.kind, slip.host, slip.port, slip.paper_mm) == (
        PrinterRole.SLIP,
        PrinterKind.ESCPOS_NETWORK,
        "192.168.10.31",
        9100,
        58,
    )
    assert (a4.role, a4.kind, a4.queue, a4.paper_mm) == (PrinterRole.A4, PrinterKind.CUPS, "hall-a4", None)
    assert slip.address == "192.168.10.31:9100" and a4.address == "cups hall-a4"


def test_no_printers_table_means_no_printers():
    assert parse_agent_config(tomllib.loads(HEAD)).printers == ()


def test_a_usb_slip_printer_reads_its_ids_in_hex_and_defaults_to_80_mm():
    (printer,) = parse([{"role": "slip", "kind": "escpos-usb", "usb": "0416:5011"}]).printers
    assert (printer.usb_vendor, printer.usb_product, printer.paper_mm) == (0x0416, 0x5011, 80)
    assert printer.address == "usb 0416:5011"


@pytest.mark.parametrize(
    ("printers", "key", "problem"),
    [
        ({"role": "slip"}, "printers", "expected an array of tables"),
        (["slip"], "printers[0]", "expected a table"),
        ([{"kind": "cups", "queue": "q"}], "printers[0].role", "missing"),
        ([{"role": "receipt", "kind": "cups"}], "printers[0].role", "expected one of slip, a4, got 'receipt'"),
        ([{"role": "a4", "kind": "ipp"}], "printers[0].kind", "expected one of escpos-network, escpos-usb, cups"),
        ([{"role": "a4", "kind": "escpos-network", "host": "h"}], "printers[0].kind", "an a4 printer must be cups"),
        ([{"role": "slip", "kind": "cups", "queue": "q"}], "printers[0].kind", "escpos-network or escpos-usb"),
        ([{"role": "slip", "kind": "escpos-network"}], "printers[0].host", "missing"),
        ([{"role": "slip", "kind": "escpos-network", "host": ""}], "printers[0].host", "non-empty string"),
        ([{"role": "slip", "kind": "escpos-network", "host": "tcp://10.0.0.1"}], "printers[0].host", "host name"),
        ([{"role": "slip", "kind": "escpos-network", "host": "h", "port": 0}], "printers[0].port", "1-65535"),
        ([{"role": "slip", "kind": "escpos-network", "host": "h", "port": "9100"}], "printers[0].port", "'9100'"),
        ([{"role": "slip", "kind": "escpos-network", "host": "h", "port": True}], "printers[0].port", "True"),
        ([{"role": "slip", "kind": "escpos-network", "host": "h", "usb": "0416:5011"}], "printers[0].usb", "not a key"),
        ([{"role": "slip", "kind": "escpos-network", "host": "h", "paper_mm": 76}], "printers[0].paper_mm", "80 or 58"),
        ([{"role": "slip", "kind": "escpos-usb", "usb": "0x0416:0x5011"}], "printers[0].usb", "vendor:product"),
        ([{"role": "slip", "kind": "escpos-usb", "usb": "0416"}], "printers[0].usb", "0416:5011"),
        ([{"role": "a4", "kind": "cups"}], "printers[0].queue", "missing"),
        ([{"role": "a4", "kind": "cups", "queue": "hall a4"}], "printers[0].queue", "CUPS queue name"),
        ([{"role": "a4", "kind": "cups", "queue": "q", "paper_mm": 80}], "printers[0].paper_mm", "not a key"),
        (
            [{"role": "a4", "kind": "cups", "queue": "q"}, {"role": "a4", "kind": "cups", "queue": "r"}],
            "printers[1].role",
            "a second a4 printer",
        ),
    ],
)
def test_a_bad_printer_names_its_key(printers: Any, key: str, problem: str):
    with pytest.raises(AgentConfigError) as caught:
        parse(printers)
    assert caught.value.key == key
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"{key}: ")
