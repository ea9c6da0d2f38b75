"""Settings: typed, defaulted, persisted secrets, and errors that name the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk_server.config import ConfigError, load_settings


def test_defaults_put_sqlite_and_generated_secrets_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path / "var")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'kiosk.sqlite3'}"
    assert settings.default_timezone == "Asia/Shanghai"
    assert settings.message_queue_url == ""
    assert len(settings.secret_key) >= 32
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_citizen_session_defaults_follow_the_protocol(tmp_path: Path) -> None:
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert settings.citizen_session_idle_seconds == 180 and settings.citizen_session_max_seconds == 1200
    assert settings.records_backend == "demo" and settings.session_sweep_seconds == 1.0
    tuned = load_settings(
        {"data_dir": str(tmp_path), "citizen_session_idle_seconds": 30, "session_sweep_seconds": "0.25"}, environ={}
    )
    assert tuned.citizen_session_idle_seconds == 30 and tuned.session_sweep_seconds == 0.25


def test_secret_key_is_kept_across_starts(tmp_path: Path) -> None:
    env = {"KIOSK_DATA_DIR": str(tmp_path)}
    first, second = load_settings(environ=env), load_settings(environ=env)
    assert first.secret_key == second.secret_key
    assert first.api_token == second.api_token


def test_environment_overrides_toml_file_and_defaults(tmp_path: Path) -> None:
    toml = tmp_path / "kiosk.toml"
    toml.write_text('default_timezone = "Asia/Urumqi"\nheartbeat_seconds = 30\n', encoding="utf-8")
    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_CONFIG": str(toml), "KIOSK_HEARTBEAT_SECONDS": "50"}
    settings = load_settings(environ=env)
    assert settings.default_timezone == "Asia/Urumqi"
    assert settings.heartbeat_seconds == 50


def test_postgres_url_gets_the_psycopg_driver(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path), "database_url": "postgresql://u@h/db"}, environ={})
    assert settings.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("KIOSK_HEARTBEAT_SECONDS", "often", "KIOSK_HEARTBEAT_SECONDS"),
        ("KIOSK_DEFAULT_TIMEZONE", "Asia/Beijing", "unknown time zone 'Asia/Beijing'"),
        ("KIOSK_ASYNC_MODE", "asyncio", "KIOSK_ASYNC_MODE"),
        ("KIOSK_DATABASE_URL", "mysql://x/y", "KIOSK_DATABASE_URL"),
        ("KIOSK_MESSAGE_QUEUE_URL", "amqp://x", "KIOSK_MESSAGE_QUEUE_URL"),
        ("KIOSK_TESTING", "maybe", "KIOSK_TESTING"),
        ("KIOSK_CITIZEN_SESSION_IDLE_SECONDS", "5", "must be at least 10"),
        ("KIOSK_CITIZEN_SESSION_MAX_SECONDS", "60", "must be at least KIOSK_CITIZEN_SESSION_IDLE_SECONDS (180)"),
        ("KIOSK_RECORDS_BACKEND", "ldap", "expected one of demo, http, got 'ldap'"),
        ("KIOSK_RECORDS_HTTP_URL", "ftp://records.example", "expected an http:// or https:// base URL"),
        ("KIOSK_RECORDS_HTTP_URL", "https://records.example/api?x=1", "without query or fragment"),
        (
            "KIOSK_RECORDS_HTTP_URL",
            "https://records.example:99999/api",
            "KIOSK_RECORDS_HTTP_URL: the URL does not parse",
        ),
        ("KIOSK_RECORDS_HTTP_AUTH_HEADER", "Bad Name: x", "not an HTTP header name"),
        ("KIOSK_RECORDS_HTTP_AUTH_HEADER", "X-Key: a\x00b", "line break"),
        ("KIOSK_RECORDS_HTTP_AUTH_HEADER", "Bearer abc", "expected 'Header-Name: value'"),
        ("KIOSK_RECORDS_HTTP_TIMEOUT_SECONDS", "0", "above 0"),
        ("KIOSK_RECORDS_HTTP_TIMEOUT_SECONDS", "600", "at most 60 seconds"),
        ("KIOSK_SESSION_SWEEP_SECONDS", "0", "above 0"),
        ("KIOSK_SESSION_SWEEP_SECONDS", "soon", "KIOSK_SESSION_SWEEP_SECONDS"),
        ("KIOSK_TRUSTED_PROXIES", "-1", "the number of reverse proxies in front of the server, 0 to 5"),
        ("KIOSK_TRUSTED_PROXIES", "yes", "KIOSK_TRUSTED_PROXIES"),
        ("KIOSK_SECURE_COOKIES", "always", "expected one of auto, true, false, got 'always'"),
        ("KIOSK_DATABASE_CONNECTIONS", "1", "expected 2 to 1000 connections, got 1"),
        ("KIOSK_DATABASE_CONNECTIONS", "many", "KIOSK_DATABASE_CONNECTIONS"),
    ],
)
def test_malformed_values_fail_naming_the_key(tmp_path: Path, key: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), key: value})
    assert fragment in str(info.value)
    assert key in str(info.value)


def test_proxies_are_not_trusted_and_cookies_follow_the_request_by_default(tmp_path: Path) -> None:
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert settings.trusted_proxies == 0 and settings.secure_cookies == "auto"
    chosen = load_settings(
        environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_TRUSTED_PROXIES": "1", "KIOSK_SECURE_COOKIES": "TRUE"}
    )
    assert chosen.trusted_proxies == 1 and chosen.secure_cookies == "true"


def test_unknown_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KIOSK_DATABSE_URL: not a known setting"):
        load_settings({"databse_url": "sqlite://"}, environ={"KIOSK_DATA_DIR": str(tmp_path)})


def test_cli_stops_at_start_up_with_the_bad_key(tmp_path: Path) -> None:
    env = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_DEFAULT_TIMEZONE": "Mars/Olympus", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk_server.cli", "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "KIOSK_DEFAULT_TIMEZONE" in result.stderr
    assert "Mars/Olympus" in result.stderr


# -- the records backend ---------------------------------------------------------------------------


def test_records_http_settings_default_to_off_with_a_five_second_timeout(tmp_path: Path) -> None:
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert settings.records_http_url == "" and settings.records_http_auth_header is None
    assert settings.records_http_timeout_seconds == 5.0


def test_the_http_backend_reads_url_auth_header_and_timeout(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "KIOSK_DATA_DIR": str(tmp_path),
            "KIOSK_RECORDS_BACKEND": "http",
            "KIOSK_RECORDS_HTTP_URL": "https://si.example.gov.cn/api/v1",
            "KIOSK_RECORDS_HTTP_AUTH_HEADER": "Authorization: Bearer s3cr3t-token",
            "KIOSK_RECORDS_HTTP_TIMEOUT_SECONDS": "2.5",
        }
    )
    assert settings.records_backend == "http"
    assert settings.records_http_url == "https://si.example.gov.cn/api/v1"
    assert settings.records_http_auth_header == ("Authorization", "Bearer s3cr3t-token")
    assert settings.records_http_timeout_seconds == 2.5


def test_the_http_backend_without_a_url_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_RECORDS_BACKEND": "http"})
    assert str(info.value) == "KIOSK_RECORDS_HTTP_URL: required when KIOSK_RECORDS_BACKEND is http"


def test_the_auth_header_value_stays_out_of_reprs_and_errors(tmp_path: Path) -> None:
    from kiosk_server.records_backends import CitizenPolicy

    settings = load_settings(
        {
            "data_dir": str(tmp_path),
            "records_backend": "http",
            "records_http_url": "http://127.0.0.1:9/records",
            "records_http_auth_header": "X-Api-Key: s3cr3t-token",
        },
        environ={},
    )
    policy = CitizenPolicy.from_settings(settings)
    assert "s3cr3t-token" not in repr(settings) and "s3cr3t-token" not in repr(policy)
    with pytest.raises(ConfigError) as info:
        load_settings({"data_dir": str(tmp_path), "records_http_auth_header": "s3cr3t-token"}, environ={})
    assert "s3cr3t-token" not in str(info.value) and "KIOSK_RECORDS_HTTP_AUTH_HEADER" in str(info.value)
    with pytest.raises(ConfigError) as info:
        load_settings(
            {"data_dir": str(tmp_path), "records_http_url": "https://user:s3cr3t-token@si.example/api"}, environ={}
        )
    assert "s3cr3t-token" not in str(info.value) and "KIOSK_RECORDS_HTTP_URL" in str(info.value)


def test_the_policy_builds_the_configured_backend(tmp_path: Path) -> None:
    from content.citizens.demo_backend import DemoRecords
    from content.citizens.http_records import HttpRecords
    from kiosk_server.records_backends import CitizenPolicy

    def backend(**overrides: str) -> object:
        settings = load_settings({"data_dir": str(tmp_path), **overrides}, environ={})
        return CitizenPolicy.from_settings(settings).backend(None, lambda: None)  # type: ignore[arg-type]

    assert isinstance(backend(), DemoRecords)
    http = backend(
        records_backend="http",
        records_http_url="https://si.example/api/",
        records_http_auth_header="Authorization: Bearer s3cr3t-token",
        records_http_timeout_seconds="3",
    )
    assert isinstance(http, HttpRecords)
    assert repr(http) == "HttpRecords(base_url='https://si.example/api', auth=set, timeout_seconds=3)"


def test_the_settings_repr_shows_neither_the_secret_key_nor_the_api_token(tmp_path: Path) -> None:
    settings = load_settings({"data_dir": str(tmp_path), "secret_key": "s3cret-key-value", "api_token": "t0ken-value"})
    shown = repr(settings)
    assert "s3cret-key-value" not in shown and "t0ken-value" not in shown
    assert "database_url" in shown
