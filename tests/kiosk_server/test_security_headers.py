"""Security headers on every kind of page, the session cookie's Secure flag, and the database file's mode."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from kiosk_server.database import database, make_engine
from tests.conftest import make_app
from tests.support.console_world import build_console_world, csrf_of
from tests.support.world import build_world

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


@pytest.fixture
def wall_key(app: Flask) -> str:
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        session.commit()
        return world.wall_keys[0]


@pytest.mark.parametrize("path", ["/", "/console/login", "/counter/login", "/api/v1/openapi.json", "/healthz"])
def test_every_answer_carries_the_security_headers(client: Any, path: str) -> None:
    answer = client.get(path)
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("style-src-attr")[0], "no inline script or style block without a nonce"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_a_screen_page_loads_from_this_server_only(client: Any, wall_key: str) -> None:
    answer = client.get(f"/screen/{wall_key}")
    assert answer.status_code == 200
    assert "script-src 'self' 'nonce-" in answer.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in answer.headers["Content-Security-Policy"]


def test_inline_blocks_carry_this_answers_nonce(client: Any) -> None:
    first, second = client.get("/"), client.get("/")
    nonce = NONCE.search(first.headers["Content-Security-Policy"])
    assert nonce and f'<style nonce="{nonce.group(1)}">' in first.get_data(as_text=True)
    other = NONCE.search(second.headers["Content-Security-Policy"])
    assert other and other.group(1) != nonce.group(1), "a fresh nonce per answer"


def session_cookie(answer: Any) -> str:
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "the sign-in sets the session cookie"
    return str(cookies[-1])


def signed_in_cookie(app: Flask, *, scheme: str = "http", **headers: str) -> str:
    """The session cookie set by signing in as the editor over ``scheme`` with ``headers``."""
    client, base = app.test_client(), f"{scheme}://localhost"
    token = csrf_of(client.get("/console/login", base_url=base, headers=headers).get_data(as_text=True))
    answer = client.post(
        "/console/login",
        base_url=base,
        headers=headers,
        data={"csrf_token": token, "username": "editor", "password": "console-pass-1"},
    )
    assert answer.status_code == 302
    return session_cookie(answer)


def test_the_session_signer_is_made_once_per_key_and_a_new_key_is_honoured(app: Flask) -> None:
    # Made once, not at every request and Socket.IO event; a rotated key (the old one kept as a
    # fallback) gets a signer of its own that still reads cookies signed under the old key.
    build_console_world(app)
    cookie = signed_in_cookie(app).split(";")[0].split("=", 1)[1]
    interface = app.session_interface
    first = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert first is interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    old = app.secret_key
    app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = "a-rotated-key-" + "x" * 32, [old]
    try:
        rotated = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        assert rotated is not first
        assert rotated.loads(cookie), "a cookie signed under the old key still opens"
    finally:
        app.secret_key, app.config["SECRET_KEY_FALLBACKS"] = old, []


def test_auto_cookies_are_secure_only_over_https(app: Flask) -> None:
    build_console_world(app)
    assert "; Secure" not in signed_in_cookie(app)
    secure = signed_in_cookie(app, scheme="https")
    assert "; Secure" in secure and "HttpOnly" in secure


def test_a_forwarded_proto_counts_only_from_a_trusted_proxy(app: Flask, tmp_path: Path) -> None:
    build_console_world(app)
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "; Secure" not in signed_in_cookie(app, **forwarded), "anyone can send the header"
    trusting = make_app(tmp_path / "trusting", f"sqlite:///{tmp_path / 'trusting.sqlite3'}", trusted_proxies=1)
    try:
        build_console_world(trusting)
        assert "; Secure" in signed_in_cookie(trusting, **forwarded)
    finally:
        database(trusting).engine.dispose()


@pytest.mark.parametrize(("mode", "scheme", "secure"), [("true", "http", True), ("false", "https", False)])
def test_cookies_can_be_forced_either_way(tmp_path: Path, mode: str, scheme: str, secure: bool) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'kiosk.sqlite3'}", secure_cookies=mode)
    try:
        build_console_world(app)
        assert ("; Secure" in signed_in_cookie(app, scheme=scheme)) is secure
    finally:
        database(app).engine.dispose()


def test_the_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    fresh, old = tmp_path / "fresh.sqlite3", tmp_path / "old.sqlite3"
    old.touch(mode=0o644)
    old.chmod(0o644)
    for path in (fresh, old):
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        engine.dispose()
        assert path.stat().st_mode & 0o777 == 0o600, path.name
