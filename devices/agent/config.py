"""The agent's configuration: one TOML file written by provisioning, read once and checked.

Every problem names the key that holds it (``device.credential: missing``), so a technician on a
ladder can fix the file without reading code. The credential is kept out of ``repr``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

from devices.drivers.known_readers import CAP_KEYBOARD, KnownReader, ReaderKind
from devices.drivers.scan_classify import DEFAULT_ECARD_PREFIX
from devices.errors import DeviceError

DEFAULT_PATH: Final = Path("/etc/kiosk/agent.toml")
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")


class AgentConfigError(DeviceError):
    """A setting in the agent's file is missing or malformed; ``key`` is its dotted name."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


@dataclass(frozen=True)
class SerialReaderConfig:
    """An ID card reader at a fixed path (instead of, or as well as, hotplug discovery)."""

    path: str
    baudrate: int = 115200


@dataclass(frozen=True)
class ScannerConfig:
    """A scanner at a fixed evdev path."""

    path: str


@dataclass(frozen=True)
class AgentConfig:
    """Everything the agent reads from its file, typed."""

    server_url: str
    device_key: str
    credential: str = field(repr=False)
    hotplug: bool = True
    pcsc: bool = True
    pcsc_reader: str = ""  # name prefix of the PC/SC reader to watch; empty: the first one
    ecard_prefix: str = DEFAULT_ECARD_PREFIX
    card_read_max_age_seconds: float = 10.0
    ack_timeout_seconds: float = 5.0
    reconnect_backoff: tuple[float, float] = (1.0, 60.0)
    log_level: str = "INFO"
    serial_readers: tuple[SerialReaderConfig, ...] = ()
    scanners: tuple[ScannerConfig, ...] = ()
    extra_readers: tuple[KnownReader, ...] = ()  # more vendor/product ids for hotplug


def load_agent_config(path: Path | str = DEFAULT_PATH) -> AgentConfig:
    """Read and check the agent's TOML file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise AgentConfigError("config", f"cannot read {path}: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise AgentConfigError("config", f"{path} is not valid TOML: {err}") from err
    return parse_agent_config(data)


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise AgentConfigError(key, "expected a table")
    return value


def _str(table: Mapping[str, Any], section: str, key: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if value is None:
        raise AgentConfigError(f"{section}.{key}", "missing")
    if not isinstance(value, str):
        raise AgentConfigError(f"{section}.{key}", f"expected a string, got {type(value).__name__}")
    return value


def _bool(table: Mapping[str, Any], section: str, key: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise AgentConfigError(f"{section}.{key}", f"expected true or false, got {value!r}")
    return value


def _number(table: Mapping[str, Any], section: str, key: str, default: float, minimum: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AgentConfigError(f"{section}.{key}", f"expected a number, got {value!r}")
    if value < minimum:
        raise AgentConfigError(f"{section}.{key}", f"must be at least {minimum}, got {value}")
    return float(value)


def _server_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise AgentConfigError("server.url", f"expected an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


def _readers(entries: Any) -> tuple[tuple[SerialReaderConfig, ...], tuple[ScannerConfig, ...], tuple[KnownReader, ...]]:
    if not isinstance(entries, list):
        raise AgentConfigError("readers", "expected an array of tables ([[readers]])")
    serial: list[SerialReaderConfig] = []
    scanners: list[ScannerConfig] = []
    extra: list[KnownReader] = []
    for index, entry in enumerate(entries):
        where = f"readers[{index}]"
        if not isinstance(entry, Mapping):
            raise AgentConfigError(where, "expected a table")
        kind_text = _str(entry, where, "kind")
        try:
            kind = ReaderKind(kind_text)
        except ValueError:
            choices = ", ".join(k.value for k in ReaderKind)
            raise AgentConfigError(f"{where}.kind", f"expected one of {choices}, got {kind_text!r}") from None
        if "vendor" in entry:
            extra.append(_known_reader(entry, where, kind))
            continue
        path = _str(entry, where, "path")
        if kind is ReaderKind.IDCARD_SERIAL:
            baudrate = int(_number(entry, where, "baudrate", 115200, 1200))
            serial.append(SerialReaderConfig(path, baudrate))
        elif kind is ReaderKind.SCANNER_HID:
            scanners.append(ScannerConfig(path))
        else:
            raise AgentConfigError(f"{where}.path", "PC/SC readers are found through pcscd; use agent.pcsc_reader")
    return tuple(serial), tuple(scanners), tuple(extra)


def _known_reader(entry: Mapping[str, Any], where: str, kind: ReaderKind) -> KnownReader:
    ids: list[int | None] = []
    for key in ("vendor", "product"):
        value = entry.get(key)
        if value is None and key == "product":
            ids.append(None)
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
            raise AgentConfigError(f"{where}.{key}", f"expected a USB id such as 0x1eab, got {value!r}")
        ids.append(value)
    name = entry.get("name", f"configured {kind.value} {ids[0]:04x}")
    if not isinstance(name, str):
        raise AgentConfigError(f"{where}.name", "expected a string")
    try:
        # A configured scanner vendor, like the built-in rows, counts only nodes that type text.
        requires = frozenset({CAP_KEYBOARD}) if kind is ReaderKind.SCANNER_HID else frozenset()
        return KnownReader(kind, ids[0], ids[1], name, "from the agent's configuration", requires=requires)
    except ValueError as err:
        raise AgentConfigError(where, str(err)) from err


def parse_agent_config(data: Mapping[str, Any]) -> AgentConfig:
    """Check a parsed TOML mapping and build the config."""
    server, device, agent = _table(data, "server"), _table(data, "device"), _table(data, "agent")
    credential = _str(device, "device", "credential")
    key = _str(device, "device", "key")
    if not key or not credential:
        raise AgentConfigError("device.key" if not key else "device.credential", "must not be empty")
    log_level = _str(agent, "agent", "log_level", "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise AgentConfigError("agent.log_level", f"expected one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    backoff_min = _number(agent, "agent", "reconnect_min_seconds", 1.0, 0.01)
    backoff_max = _number(agent, "agent", "reconnect_max_seconds", 60.0, backoff_min)
    serial, scanners, extra = _readers(data.get("readers", []))
    return AgentConfig(
        server_url=_server_url(_str(server, "server", "url")),
        device_key=key,
        credential=credential,
        hotplug=_bool(agent, "agent", "hotplug", True),
        pcsc=_bool(agent, "agent", "pcsc", True),
        pcsc_reader=_str(agent, "agent", "pcsc_reader", ""),
        ecard_prefix=_str(agent, "agent", "ecard_prefix", DEFAULT_ECARD_PREFIX),
        card_read_max_age_seconds=_number(agent, "agent", "card_read_max_age_seconds", 10.0, 0.1),
        ack_timeout_seconds=_number(agent, "agent", "ack_timeout_seconds", 5.0, 0.1),
        reconnect_backoff=(backoff_min, backoff_max),
        log_level=log_level,
        serial_readers=serial,
        scanners=scanners,
        extra_readers=extra,
    )
