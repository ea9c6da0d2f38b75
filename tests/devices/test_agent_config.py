"""The agent's TOML file: good files parse, every bad value names its key."""

from __future__ import annotations

import pytest

from devices.agent.config import AgentConfigError, load_agent_config, parse_agent_config
from devices.drivers.known_readers import ReaderKind

GOOD = """
[server]
url = "https://signage.example.gov.cn/"

[device]
key = "k-123"
credential = "s3cret-credential"

[agent]
pcsc_reader = "Virtual PCD"
card_read_max_age_seconds = 8
reconnect_min_seconds = 0.5
reconnect_max_seconds = 30

[[readers]]
kind = "idcard_serial"
path = "/dev/kiosk/idcard-A1B2"
baudrate = 115200

[[readers]]
kind = "scanner_hid"
path = "/dev/input/by-id/usb-Newland-event-kbd"

[[readers]]
kind = "scanner_hid"
vendor = 0x1234
"""


def test_a_complete_file_parses(tmp_path):
    path = tmp_path / "agent.toml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_agent_config(path)
    assert config.server_url == "https://signage.example.gov.cn"
    assert config.device_key == "k-123"
    assert config.pcsc_reader == "Virtual PCD"
    assert config.reconnect_backoff == (0.5, 30.0)
    assert [r.path for r in config.serial_readers] == ["/dev/kiosk/idcard-A1B2"]
    assert [s.path for s in config.scanners] == ["/dev/input/by-id/usb-Newland-event-kbd"]
    (extra,) = config.extra_readers
    assert (extra.kind, extra.vendor, extra.product) == (ReaderKind.SCANNER_HID, 0x1234, None)
    assert extra.requires, "a configured scanner vendor still needs the keyboard capability"


def test_the_credential_stays_out_of_repr():
    config = parse_agent_config({"server": {"url": "http://x"}, "device": {"key": "k", "credential": "topsecret"}})
    assert "topsecret" not in repr(config)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"device": {"key": "k", "credential": "c"}}, "server.url"),
        ({"server": {"url": "ftp://x"}, "device": {"key": "k", "credential": "c"}}, "server.url"),
        ({"server": {"url": "http://x"}, "device": {"key": "k"}}, "device.credential"),
        ({"server": {"url": "http://x"}, "device": {"key": "", "credential": "c"}}, "device.key"),
        (
            {"server": {"url": "http://x"}, "device": {"key": "k", "credential": "c"}, "agent": {"hotplug": "yes"}},
            "agent.hotplug",
        ),
        (
            {"server": {"url": "http://x"}, "device": {"key": "k", "credential": "c"}, "agent": {"log_level": "LOUD"}},
            "agent.log_level",
        ),
        (
            {
                "server": {"url": "http://x"},
                "device": {"key": "k", "credential": "c"},
                "agent": {"card_read_max_age_seconds": 0},
            },
            "agent.card_read_max_age_seconds",
        ),
        (
            {"server": {"url": "http://x"}, "device": {"key": "k", "credential": "c"}, "readers": [{"kind": "laser"}]},
            "readers[0].kind",
        ),
        (
            {
                "server": {"url": "http://x"},
                "device": {"key": "k", "credential": "c"},
                "readers": [{"kind": "idcard_serial"}],
            },
            "readers[0].path",
        ),
        (
            {
                "server": {"url": "http://x"},
                "device": {"key": "k", "credential": "c"},
                "readers": [{"kind": "scanner_hid", "vendor": 0x10000}],
            },
            "readers[0].vendor",
        ),
        (
            {
                "server": {"url": "http://x"},
                "device": {"key": "k", "credential": "c"},
                "readers": [{"kind": "ssc_pcsc", "path": "/dev/x"}],
            },
            "readers[0].path",
        ),
    ],
)
def test_a_bad_value_names_its_key(data, key):
    with pytest.raises(AgentConfigError) as raised:
        parse_agent_config(data)
    assert raised.value.key == key
    assert str(raised.value).startswith(f"{key}: ")


def test_a_missing_or_broken_file_says_which(tmp_path):
    with pytest.raises(AgentConfigError, match="cannot read"):
        load_agent_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[server\nurl=", encoding="utf-8")
    with pytest.raises(AgentConfigError, match="not valid TOML"):
        load_agent_config(broken)


_BASE = '[server]\nurl = "http://x"\n[device]\nkey = "k"\ncredential = "c"\n'


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[agent]\nack_timeout_seconds = nan\n", "agent.ack_timeout_seconds"),
        ("[agent]\ncard_read_max_age_seconds = inf\n", "agent.card_read_max_age_seconds"),
        ("[agent]\nreconnect_max_seconds = inf\n", "agent.reconnect_max_seconds"),
        ("[agent]\nfault_report_interval_seconds = nan\n", "agent.fault_report_interval_seconds"),
        ("[agent]\nfault_report_interval_seconds = 0.5\n", "agent.fault_report_interval_seconds"),
        ('[[readers]]\nkind = "idcard_serial"\npath = "/dev/kiosk/idcard"\nbaudrate = inf\n', "readers[0].baudrate"),
        ('[[readers]]\nkind = "idcard_serial"\npath = "/dev/kiosk/idcard"\nbaudrate = nan\n', "readers[0].baudrate"),
        ('[[readers]]\nkind = "idcard_serial"\npath = "/dev/kiosk/idcard"\nbaudrate = 9600.5\n', "readers[0].baudrate"),
        (
            '[[readers]]\nkind = "idcard_serial"\npath = "/dev/kiosk/idcard"\nbaudrate = 99999999\n',
            "readers[0].baudrate",
        ),
    ],
)
def test_nan_inf_and_odd_numbers_are_refused_with_their_key(tmp_path, toml, key):
    path = tmp_path / "agent.toml"
    path.write_text(_BASE + toml, encoding="utf-8")
    with pytest.raises(AgentConfigError) as raised:
        load_agent_config(path)
    assert raised.value.key == key


@pytest.mark.parametrize("value", ["inf", "nan", "-inf"])
def test_check_reports_a_non_finite_baudrate_without_a_traceback(tmp_path, capsys, value):
    from devices.agent.cli import main

    path = tmp_path / "agent.toml"
    path.write_text(_BASE + f'[[readers]]\nkind = "idcard_serial"\npath = "/dev/x"\nbaudrate = {value}\n', "utf-8")
    assert main(["--check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "readers[0].baudrate: expected a whole number" in err and "Traceback" not in err


def test_the_fault_report_interval_is_read():
    data = {"server": {"url": "http://x"}, "device": {"key": "k", "credential": "c"}}
    assert parse_agent_config(data).fault_report_interval_seconds == 60.0
    config = parse_agent_config(data | {"agent": {"fault_report_interval_seconds": 300}})
    assert config.fault_report_interval_seconds == 300.0
