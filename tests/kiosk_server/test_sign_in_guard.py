"""The sign-in guard: growing delays per name that never lock the owner out, unknown names delayed alike,
per-address windows that slide and skip successes, and the client address behind trusted proxies."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from limits.storage import MemoryStorage, RedisStorage
from sqlalchemy.orm import Session

from content.accounts.staff import SignInRefused, StaffAccount, clear_sign_in_failures, failure_delay
from kiosk_server.database import database
from kiosk_server.sign_in_guard import SHARED_RETRY, SignInGuard, SignInThrottled
from tests.conftest import REDIS_SKIP, REDIS_UP, REDIS_URL, make_app
from tests.support.console_world import ConsoleWorld, build_console_world, csrf_of, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


def sign_in_from(client: Any, address: str, username: str, password: str = "console-pass-1") -> Any:
    """Sign in through the console form with ``X-Forwarded-For: address`` on both requests."""
    headers = {"X-Forwarded-For": address}
    token = csrf_of(client.get("/console/login", headers=headers).get_data(as_text=True))
    return client.post(
        "/console/login",
        headers=headers,
        data={"csrf_token": token, "username": username, "password": password},
    )


def fail_until_delayed(client: Any, cw: ConsoleWorld, username: str, failures: int) -> None:
    """``failures`` wrong passwords for ``username``, each as soon as the name may be tried."""
    for _ in range(failures):
        answer = sign_in(client, username, "wrong-password")
        if answer.status_code == 429:
            cw.clock.advance(seconds=int(answer.headers["Retry-After"]))
            answer = sign_in(client, username, "wrong-password")
        assert answer.status_code == 401


def test_the_delay_doubles_after_the_free_failures_up_to_its_cap() -> None:
    assert [failure_delay(n).total_seconds() for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert failure_delay(40) == failure_delay(400) == timedelta(minutes=15)


def assert_alike(known: Any, unknown: Any) -> None:
    """The answers for "editor" and for "nobody-here" differ in nothing but the name typed."""
    assert known.status_code == unknown.status_code
    assert known.headers.get("Retry-After") == unknown.headers.get("Retry-After")
    assert known.get_data(as_text=True).replace("editor", "?") == unknown.get_data(as_text=True).replace(
        "nobody-here", "?"
    )


def test_unknown_and_delayed_names_get_the_same_answer(cw: ConsoleWorld, client: Any) -> None:
    waits = []
    for _ in range(7):  # both names fail side by side, each as soon as it may be tried
        known, unknown = sign_in(client, "editor", "wrong-pass"), sign_in(client, "nobody-here", "wrong-pass")
        assert_alike(known, unknown)
        if known.status_code == 429:
            waits.append(known.headers["Retry-After"])
            cw.clock.advance(seconds=int(known.headers["Retry-After"]))
            known, unknown = sign_in(client, "editor", "wrong-pass"), sign_in(client, "nobody-here", "wrong-pass")
        assert known.status_code == unknown.status_code == 401
    assert waits == ["1", "2"]
    known, unknown = sign_in(client, "editor"), sign_in(client, "nobody-here", "console-pass-1")
    assert known.status_code == 429 and known.headers["Retry-After"] == "4"
    assert_alike(known, unknown)


def test_an_unknown_names_delay_passes_like_a_known_ones(cw: ConsoleWorld, client: Any) -> None:
    fail_until_delayed(client, cw, "nobody-here", 6)
    assert sign_in(client, "nobody-here", "x-password").headers["Retry-After"] == "2"
    cw.clock.advance(seconds=2)
    assert sign_in(client, "nobody-here", "x-password").status_code == 401, "checked again, and wrong"


def test_clearing_an_accounts_failures_lets_it_in_at_once(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    fail_until_delayed(client, cw, "editor", 12)
    assert sign_in(client, "editor").status_code == 429
    with Session(database(app).engine) as session:
        clear_sign_in_failures(session.get(StaffAccount, cw.account_ids["editor"]))
        session.commit()
    assert sign_in(client, "editor").status_code == 302


def test_one_accounts_failures_do_not_slow_another_behind_the_same_proxy(
    cw: ConsoleWorld, client: Any, app: Flask
) -> None:
    # Every request comes from the proxy's one address (no KIOSK_TRUSTED_PROXIES): the per-name delay
    # holds up the name that failed, not the hall's other staff.
    fail_until_delayed(client, cw, "editor", 9)
    assert sign_in(client, "editor").status_code == 429
    for name in ("approver", "orgadmin", "tech", "admin"):
        assert sign_in(app.test_client(), name).status_code == 302, name


def test_the_address_window_slides(cw: ConsoleWorld, app: Flask) -> None:
    guard = SignInGuard(MemoryStorage(), address_failures=2, address_window=60)
    with Session(database(app).engine) as db:

        def attempt(name: str) -> Any:
            return guard.sign_in(db, address="10.0.0.1", username=name, password="wrong-pass", now=cw.clock.now)

        for name in ("a1", "a2"):
            with pytest.raises(SignInRefused, match="用户名或密码不正确"):
                attempt(name)
        with pytest.raises(SignInThrottled) as throttled:
            attempt("a3")
        assert 0 < throttled.value.seconds <= 120
        other = guard.sign_in(db, address="10.0.0.2", username="editor", password="console-pass-1", now=cw.clock.now)
        assert other.username == "editor", "another address is not held up"
        cw.clock.advance(seconds=throttled.value.seconds)
        with pytest.raises(SignInRefused, match="用户名或密码不正确"):
            attempt("a4")


def test_without_trusted_proxies_x_forwarded_for_is_ignored(cw: ConsoleWorld, client: Any, app: Flask) -> None:
    app.extensions["kiosk_sign_in_guard"] = SignInGuard(MemoryStorage(), address_failures=3)
    for name in ("a1", "a2", "a3"):
        assert sign_in_from(client, "203.0.113.5", name, "wrong-password").status_code == 401
    # A made-up header does not buy a fresh address: anyone can send one.
    assert sign_in_from(client, "203.0.113.6", "editor").status_code == 429


def test_with_one_trusted_proxy_the_address_comes_from_x_forwarded_for(tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, database_url, trusted_proxies=1)
    try:
        build_console_world(app)
        app.extensions["kiosk_sign_in_guard"] = SignInGuard(MemoryStorage(), address_failures=3)
        client = app.test_client()
        for name in ("a1", "a2", "a3"):
            assert sign_in_from(client, "203.0.113.5", name, "wrong-password").status_code == 401
        assert sign_in_from(client, "203.0.113.5", "editor").status_code == 429
        assert sign_in_from(app.test_client(), "203.0.113.6", "editor").status_code == 302, "another citizen's desk"
    finally:
        database(app).engine.dispose()


def unreachable_redis() -> RedisStorage:
    """Redis storage on a port nobody listens on, raising as the guard's own storage would."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return RedisStorage(f"redis://127.0.0.1:{port}/0", wrap_exceptions=True, socket_connect_timeout=0.5)


def test_sign_in_goes_on_with_this_process_counting_when_redis_is_down(
    cw: ConsoleWorld, client: Any, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app.extensions["kiosk_sign_in_guard"] = SignInGuard(unreachable_redis(), address_failures=3)
    with caplog.at_level(logging.WARNING, logger="kiosk_server.sign_in_guard"):
        assert sign_in(app.test_client(), "editor").status_code == 302, "not a 500"
    assert "shared storage unreachable" in caplog.text
    for name in ("a1", "a2", "a3"):
        assert sign_in(client, name, "wrong-password").status_code == 401
    assert sign_in(client, "editor").status_code == 429, "the address is still throttled, by this process"


@pytest.mark.skipif(not REDIS_UP, reason=REDIS_SKIP)
def test_the_shared_counters_are_tried_again_after_a_while(cw: ConsoleWorld, app: Flask) -> None:
    store = redis.Redis.from_url(REDIS_URL)
    now = [0.0]
    shared = RedisStorage(REDIS_URL, key_prefix="kiosk-sign-in-retry-test", wrap_exceptions=True)
    shared.reset()
    guard = SignInGuard(shared, address_failures=50, monotonic=lambda: now[0])
    guard._storage._down_until = SHARED_RETRY  # noqa: SLF001 - as if Redis had failed at 0 and come back since
    with Session(database(app).engine) as db:

        def fail() -> None:
            with pytest.raises(SignInRefused):
                guard.sign_in(db, address="10.9.9.9", username="nobody-x", password="wrong", now=cw.clock.now)

        fail()
        assert not list(store.scan_iter("kiosk-sign-in-retry-test*")), "still counting locally"
        now[0] = SHARED_RETRY
        fail()
        assert list(store.scan_iter("kiosk-sign-in-retry-test*")), "back on the shared counters"
    shared.reset()
