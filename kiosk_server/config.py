"""Settings: one typed object read once from ``KIOSK_*`` variables, a TOML file or a mapping."""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from content.accounts.email_addresses import is_address
from content.citizens.http_rules import base_url_problem, parse_auth_header
from content.library.widgets.hosts import HostAllowList
from content.matching.weights import DEFAULT_WEIGHTS, Weights, weights_from_mapping
from kiosk_server.data_dir import writing_to

PREFIX: Final = "KIOSK_"
ASYNC_MODES: Final = ("threading", "gevent", "eventlet")
RECORDS_BACKENDS: Final = ("demo", "http")
SECURE_COOKIES: Final = ("auto", "true", "false")
MAX_RECORDS_TIMEOUT_SECONDS: Final = 60.0


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{PREFIX}{key.upper()}: {problem}")
        self.key = key


def _cast_str(value: str) -> str:
    return value


def _cast_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true/false, got {value!r}")


def _cast_int(value: str) -> int:
    return int(value)


def _cast_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"unknown time zone {value!r}") from err
    return value


def _cast_async_mode(value: str) -> str:
    if value not in ASYNC_MODES:
        raise ValueError(f"expected one of {', '.join(ASYNC_MODES)}, got {value!r}")
    return value


def _cast_seconds(value: str) -> float:
    seconds = float(value)
    if not seconds > 0:
        raise ValueError(f"expected a number of seconds above 0, got {value!r}")
    return seconds


def _cast_proxy_hops(value: str) -> int:
    hops = int(value)
    if not 0 <= hops <= 5:
        raise ValueError(f"expected the number of reverse proxies in front of the server, 0 to 5, got {value!r}")
    return hops


def _cast_secure_cookies(value: str) -> str:
    lowered = value.strip().lower()
    if lowered not in SECURE_COOKIES:
        raise ValueError(f"expected one of {', '.join(SECURE_COOKIES)}, got {value!r}")
    return lowered


def _cast_records_backend(value: str) -> str:
    if value not in RECORDS_BACKENDS:
        raise ValueError(f"expected one of {', '.join(RECORDS_BACKENDS)}, got {value!r}")
    return value


def _cast_records_http_url(value: str) -> str:
    problem = base_url_problem(value) if value else None
    if problem is not None:
        raise ValueError(problem)
    return value


def _cast_records_timeout(value: str) -> float:
    seconds = _cast_seconds(value)
    if seconds > MAX_RECORDS_TIMEOUT_SECONDS:
        raise ValueError(f"expected at most {MAX_RECORDS_TIMEOUT_SECONDS:g} seconds (a kiosk waits), got {value!r}")
    return seconds


def _cast_database_url(value: str) -> str:
    scheme = urlparse(value).scheme
    if not scheme.startswith(("sqlite", "postgresql")):
        raise ValueError(f"expected a sqlite:// or postgresql+psycopg:// URL, got scheme {scheme!r}")
    if scheme == "postgresql" or scheme == "postgres":
        return "postgresql+psycopg" + value[len(scheme) :]
    return value


def _cast_queue_url(value: str) -> str:
    if value and urlparse(value).scheme not in {"redis", "rediss"}:
        raise ValueError(f"expected empty (in-process) or a redis:// URL, got {value!r}")
    return value


def _cast_minutes(value: str) -> int:
    minutes = int(value)
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"expected whole minutes from 0 to 1440, got {value!r}")
    return minutes


def _cast_evaluation_seconds(value: str) -> int:
    seconds = int(value)
    if not 10 <= seconds <= 3600:
        raise ValueError(f"expected whole seconds from 10 to 3600, got {value!r}")
    return seconds


def _cast_flap_limit(value: str) -> int:
    limit = int(value)
    if not 1 <= limit <= 100:
        raise ValueError(
            f"expected how many raises an hour before an alert counts as flapping, 1 to 100, got {value!r}"
        )
    return limit


def _cast_port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise ValueError(f"expected a TCP port, 1 to 65535, got {value!r}")
    return port


def _cast_webhook_url(value: str) -> str:
    if value and (urlparse(value).scheme not in {"http", "https"} or not urlparse(value).netloc):
        raise ValueError("expected empty (no webhook) or an http:// or https:// URL")  # never echo: it may hold a token
    return value


def _cast_addresses(value: str) -> tuple[str, ...]:
    addresses = tuple(part.strip() for part in value.split(",") if part.strip())
    for address in addresses:
        if not is_address(address):
            raise ValueError(f"expected e-mail addresses separated by commas, got {address!r}")
    return addresses


def _cast_matching_weights(value: str) -> Weights:
    if not value.strip():
        return DEFAULT_WEIGHTS
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as err:
        raise ValueError(f'expected a JSON object such as {{"pay": 3}}, got malformed JSON: {err}') from err
    if not isinstance(parsed, dict):
        raise ValueError(f'expected a JSON object such as {{"pay": 3}}, got {type(parsed).__name__}')
    return weights_from_mapping(parsed)  # WeightsError (a ValueError) names the weight


def _cast_document_pages(value: str) -> int:
    pages = int(value)
    if not 1 <= pages <= 1000:
        raise ValueError(f"expected 1 to 1000 pages, got {pages}")
    return pages


def _cast_database_connections(value: str) -> int:
    connections = int(value)
    if not 2 <= connections <= 1000:
        raise ValueError(f"expected 2 to 1000 connections, got {connections}")
    return connections


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment, typed and checked."""

    data_dir: Path
    database_url: str
    database_connections: int  # the most PostgreSQL connections this process opens (its pool and overflow)
    secret_key: str = field(repr=False)  # never in a log line or a traceback's locals
    message_queue_url: str  # empty: in-process queue (single process)
    async_mode: str
    default_timezone: str
    api_token: str = field(repr=False)
    heartbeat_seconds: int
    publish_poll_seconds: int
    public_index: bool  # list every screen (and so its key) on the start page: demos only
    testing: bool
    citizen_session_idle_seconds: int  # a citizen session ends after this long without activity
    citizen_session_max_seconds: int  # ... and this long after it opened, at the latest
    records_backend: str  # who resolves a card to a person: "demo" (synthetic people in this database) or "http"
    session_sweep_seconds: float  # how often expired citizen sessions are looked for
    records_http_url: str  # base URL of the upstream records API (docs/records-http.md), for "http"
    records_http_auth_header: tuple[str, str] | None = field(repr=False)  # (name, value) sent on every call
    records_http_timeout_seconds: float  # the whole of one call to the upstream, connecting included
    trusted_proxies: int  # reverse proxies in front whose X-Forwarded-For/-Proto/-Host are believed (ProxyFix)
    secure_cookies: str  # "auto" (Secure when the request came over HTTPS), "true" or "false"
    alert_behind_minutes: int  # a screen showing old content this long raises an alert (content/signage/alert_rules.py)
    alert_reader_fault_minutes: int  # ... a kiosk reader in fault this long (at once when the fault repeats)
    alert_clear_minutes: int  # ... and an alert clears once its condition has been gone this long
    alert_flap_limit: int  # more raises than this within an hour make one "flapping" alert
    alert_webhook_url: str = field(repr=False)  # JSON POST per alert change; empty: none (may hold a token)
    alert_smtp_host: str  # e-mail alerts through this server; empty: no e-mail
    alert_smtp_port: int
    alert_smtp_starttls: bool
    alert_smtp_user: str
    alert_smtp_password: str = field(repr=False)
    alert_smtp_from: str
    alert_smtp_to: tuple[str, ...]  # addresses that get every alert e-mail, besides the accounts' own; may be empty
    evaluation_wait_seconds: int  # 好差评: a pending evaluation older than this is 未评价 (an evaluator away that long)
    evaluation_answer_seconds: int  # ... and the evaluator waits this long for a citizen's answer
    matching_weights: Weights  # job matching's score weights (content/matching/weights.py); default unless set
    widget_hosts: HostAllowList  # hosts web pages and feeds may use (content/library/widgets/hosts.py); empty: off
    document_max_pages: int  # a PDF document with more pages is refused on upload (kiosk_server/pdf_pages.py)

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


# key -> (cast, default); a default of None means "derived" (see load_settings).
_SPEC: Final[dict[str, tuple[Callable[[str], Any], str | None]]] = {
    "data_dir": (_cast_str, "./var"),
    "database_url": (_cast_database_url, None),
    "database_connections": (_cast_database_connections, "20"),
    "secret_key": (_cast_str, None),
    "message_queue_url": (_cast_queue_url, ""),
    "async_mode": (_cast_async_mode, "threading"),
    "default_timezone": (_cast_timezone, "Asia/Shanghai"),
    "api_token": (_cast_str, None),
    "heartbeat_seconds": (_cast_int, "45"),
    "publish_poll_seconds": (_cast_int, "5"),
    "public_index": (_cast_bool, "false"),
    "testing": (_cast_bool, "false"),
    "citizen_session_idle_seconds": (_cast_int, "180"),
    "citizen_session_max_seconds": (_cast_int, "1200"),
    "records_backend": (_cast_records_backend, "demo"),
    "session_sweep_seconds": (_cast_seconds, "1"),
    "records_http_url": (_cast_records_http_url, ""),
    "records_http_auth_header": (parse_auth_header, ""),
    "records_http_timeout_seconds": (_cast_records_timeout, "5"),
    "trusted_proxies": (_cast_proxy_hops, "0"),
    "secure_cookies": (_cast_secure_cookies, "auto"),
    "alert_behind_minutes": (_cast_minutes, "10"),
    "alert_reader_fault_minutes": (_cast_minutes, "5"),
    "alert_clear_minutes": (_cast_minutes, "5"),
    "alert_flap_limit": (_cast_flap_limit, "3"),
    "alert_webhook_url": (_cast_webhook_url, ""),
    "alert_smtp_host": (_cast_str, ""),
    "alert_smtp_port": (_cast_port, "587"),
    "alert_smtp_starttls": (_cast_bool, "true"),
    "alert_smtp_user": (_cast_str, ""),
    "alert_smtp_password": (_cast_str, ""),
    "alert_smtp_from": (_cast_str, ""),
    "alert_smtp_to": (_cast_addresses, ""),
    "evaluation_wait_seconds": (_cast_evaluation_seconds, "300"),
    "evaluation_answer_seconds": (_cast_evaluation_seconds, "60"),
    "matching_weights": (_cast_matching_weights, ""),
    "widget_hosts": (HostAllowList.parse, ""),
    "document_max_pages": (_cast_document_pages, "50"),
}


def _read_or_create_secret(path: Path, nbytes: int) -> str:
    """Return the secret kept in ``path``, creating it (mode 0600) on first run."""
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from a mapping, else ``KIOSK_*`` variables, else ``KIOSK_CONFIG`` TOML, else defaults.

    Raises ConfigError naming the key when a value cannot be cast, UnwritableDirectory when the keys
    cannot be written to the data directory.
    """
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(_SPEC)
    if unknown:
        raise ConfigError(sorted(unknown)[0], "not a known setting")

    file_values: dict[str, Any] = {}
    config_path = env.get(PREFIX + "CONFIG")
    if config_path:
        try:
            file_values = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError("config", f"cannot read {config_path}: {err}") from err

    raw: dict[str, Any] = {}
    for key, (cast, default) in _SPEC.items():
        if key in overrides:
            value = overrides[key]
        elif PREFIX + key.upper() in env:
            value = env[PREFIX + key.upper()]
        elif key in file_values:
            value = file_values[key]
        else:
            value = default
        if value is None:
            raw[key] = None
            continue
        try:
            raw[key] = cast(str(value))
        except ValueError as err:
            raise ConfigError(key, str(err)) from err

    data_dir = Path(raw["data_dir"]).expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError("data_dir", f"cannot create {data_dir}: {err}") from err
    raw["data_dir"] = data_dir
    if raw["database_url"] is None:
        raw["database_url"] = f"sqlite:///{data_dir / 'kiosk.sqlite3'}"
    with writing_to(data_dir):  # a read-only or full data directory: UnwritableDirectory, not a traceback
        if raw["secret_key"] is None:
            raw["secret_key"] = _read_or_create_secret(data_dir / "secret_key", 32)
        if raw["api_token"] is None:
            raw["api_token"] = _read_or_create_secret(data_dir / "api_token", 24)
    if raw["heartbeat_seconds"] < 5:
        raise ConfigError("heartbeat_seconds", "must be at least 5")
    if raw["citizen_session_idle_seconds"] < 10:
        raise ConfigError("citizen_session_idle_seconds", "must be at least 10")
    if raw["citizen_session_max_seconds"] < raw["citizen_session_idle_seconds"]:
        raise ConfigError(
            "citizen_session_max_seconds",
            f"must be at least KIOSK_CITIZEN_SESSION_IDLE_SECONDS ({raw['citizen_session_idle_seconds']})",
        )
    if raw["records_backend"] == "http" and not raw["records_http_url"]:
        raise ConfigError("records_http_url", "required when KIOSK_RECORDS_BACKEND is http")
    if raw["alert_smtp_host"] and not raw["alert_smtp_from"]:  # KIOSK_ALERT_SMTP_TO may be empty: accounts' addresses
        raise ConfigError("alert_smtp_host", "set KIOSK_ALERT_SMTP_FROM too, or leave it empty")
    names = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in raw.items() if k in names})
