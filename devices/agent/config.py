"""The agent's configuration: one TOML file written by provisioning, read once and checked.

Every problem names the key that holds it (``device.credential: missing``), so a technician on a
ladder can fix the file without reading code. The credential is kept out of ``repr``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

from devices.agent.printer_config import PrinterConfig, PrinterConfigError, parse_printers
from devices.drivers.known_readers import CAP_KEYBOARD, KnownReader, ReaderKind
from devices.drivers.scan_classify import DEFAULT_ECARD_PREFIX
from devices.drivers.vendor_idcard import OUTPUT_FILES, OUTPUT_STYLES, VendorLibrarySettings, VendorSymbols
from devices.errors import DeviceError

DEFAULT_PATH: Final = Path("/etc/kiosk/agent.toml")
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR")
# Identical reader faults are reported once, then once per this interval with a count; shorter than
# the minimum is no rate limit at all on a line that faults ten times a second.
FAULT_REPORT_INTERVAL: Final = 60.0
MIN_FAULT_REPORT_INTERVAL: Final = 5.0
BAUDRATES: Final = (1200, 4_000_000)  # what a USB-serial bridge can be set to


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
    fault_report_interval_seconds: float = FAULT_REPORT_INTERVAL
    serial_readers: tuple[SerialReaderConfig, ...] = ()
    scanners: tuple[ScannerConfig, ...] = ()
    extra_readers: tuple[KnownReader, ...] = ()  # more vendor/product ids for hotplug
    vendor_readers: tuple[VendorLibrarySettings, ...] = ()  # ID card readers behind a vendor library
    printers: tuple[PrinterConfig, ...] = ()  # [[printers]]: at most one per role (printer_config.py)


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
    if not math.isfinite(value):  # TOML has nan and inf; no setting here means either
        raise AgentConfigError(f"{section}.{key}", f"expected a finite number, got {value}")
    if value < minimum:
        raise AgentConfigError(f"{section}.{key}", f"must be at least {minimum}, got {value}")
    return float(value)


def _whole(table: Mapping[str, Any], section: str, key: str, default: int, span: tuple[int, int]) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AgentConfigError(f"{section}.{key}", f"expected a whole number, got {value!r}")
    if not span[0] <= value <= span[1]:
        raise AgentConfigError(f"{section}.{key}", f"must be between {span[0]} and {span[1]}, got {value}")
    return value


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
            baudrate = _whole(entry, where, "baudrate", 115200, BAUDRATES)
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


def _vendor_int(entry: Mapping[str, Any], where: str, key: str, default: int, low: int, high: int) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AgentConfigError(f"{where}.{key}", f"expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise AgentConfigError(f"{where}.{key}", f"expected {low}..{high}, got {value}")
    return value


def _symbol_name(table: Mapping[str, Any], where: str, key: str, default: str) -> str:
    value = _str(table, where, key, default)
    if not value.isidentifier() or not value.isascii():
        raise AgentConfigError(f"{where}.{key}", f"expected a C symbol name such as {default}, got {value!r}")
    return value


def _vendor_readers(entries: Any) -> tuple[VendorLibrarySettings, ...]:
    """``[[idcard_vendor]]``: ID card readers driven through the vendor's shared library."""
    if not isinstance(entries, list):
        raise AgentConfigError("idcard_vendor", "expected an array of tables ([[idcard_vendor]])")
    settings: list[VendorLibrarySettings] = []
    for index, entry in enumerate(entries):
        where = f"idcard_vendor[{index}]"
        if not isinstance(entry, Mapping):
            raise AgentConfigError(where, "expected a table")
        unknown = sorted(set(entry) - {f for f in VendorLibrarySettings.__dataclass_fields__})
        if unknown:
            raise AgentConfigError(f"{where}.{unknown[0]}", "unknown key")
        library = _str(entry, where, "library")
        if not library.startswith("/"):
            raise AgentConfigError(
                f"{where}.library", f"expected an absolute path to the vendor's .so, got {library!r}"
            )
        output = _str(entry, where, "output", OUTPUT_FILES)
        if output not in OUTPUT_STYLES:
            raise AgentConfigError(f"{where}.output", f"expected one of {', '.join(OUTPUT_STYLES)}, got {output!r}")
        workdir = _str(entry, where, "workdir", "")
        if workdir and not workdir.startswith("/"):
            raise AgentConfigError(f"{where}.workdir", f"expected an absolute directory, got {workdir!r}")
        files = {
            key: _str(entry, where, key, default)
            for key, default in (("text_file", "wz.txt"), ("photo_file", "zp.wlt"))
        }
        for key, value in files.items():
            if not value or "/" in value or value in {".", ".."}:
                raise AgentConfigError(f"{where}.{key}", f"expected a file name without a directory, got {value!r}")
        symbols_where = f"{where}.symbols"
        symbols_table = entry.get("symbols", {})
        if not isinstance(symbols_table, Mapping):
            raise AgentConfigError(symbols_where, 'expected a table such as { read = "Read_Content" }')
        defaults = VendorSymbols()
        unknown = sorted(set(symbols_table) - {"init", "authenticate", "read", "close"})
        if unknown:
            raise AgentConfigError(
                f"{symbols_where}.{unknown[0]}", "unknown key; expected init, authenticate, read, close"
            )
        read_default = "ReadBaseMsg" if output != OUTPUT_FILES else defaults.read
        symbols = VendorSymbols(
            init=_symbol_name(symbols_table, symbols_where, "init", defaults.init),
            authenticate=_symbol_name(symbols_table, symbols_where, "authenticate", defaults.authenticate),
            read=_symbol_name(symbols_table, symbols_where, "read", read_default),
            close=_symbol_name(symbols_table, symbols_where, "close", defaults.close),
        )
        settings.append(
            VendorLibrarySettings(
                library=library,
                port=_vendor_int(entry, where, "port", 1001, 0, 65535),
                poll_seconds=_number(entry, where, "poll_seconds", 0.2, 0.02),
                output=output,
                workdir=workdir,
                text_file=files["text_file"],
                photo_file=files["photo_file"],
                read_mode=_vendor_int(entry, where, "read_mode", 1, -(2**31), 2**31 - 1),
                success_code=_vendor_int(entry, where, "success_code", 1, -(2**31), 2**31 - 1),
                removal_misses=_vendor_int(entry, where, "removal_misses", 2, 1, 100),
                name=_str(entry, where, "name", ""),
                symbols=symbols,
            )
        )
    ids = [s.reader_id for s in settings]
    for index, reader_id in enumerate(ids):
        if reader_id in ids[:index]:
            raise AgentConfigError(f"idcard_vendor[{index}]", f"a second reader with id {reader_id!r}: give it a name")
    return tuple(settings)


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
        fault_report_interval_seconds=_number(
            agent, "agent", "fault_report_interval_seconds", FAULT_REPORT_INTERVAL, MIN_FAULT_REPORT_INTERVAL
        ),
        serial_readers=serial,
        scanners=scanners,
        extra_readers=extra,
        vendor_readers=_vendor_readers(data.get("idcard_vendor", [])),
        printers=_printers(data.get("printers", [])),
    )


def _printers(entries: Any) -> tuple[PrinterConfig, ...]:
    try:
        return parse_printers(entries)
    except PrinterConfigError as err:
        raise AgentConfigError(err.key, str(err).removeprefix(f"{err.key}: ")) from None
