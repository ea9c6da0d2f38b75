"""A province's first day: a fresh `kiosk serve`, its first admin from `kiosk accounts create`, an org
admin made in the console, who manages the accounts below their node and not their peers on it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
import requests

from tests.support.browser import chromium_missing
from tests.support.console_browser import console_pages, shoot, sign_in
from tests.support.server import ServerProcess

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

ADMIN_PASSWORD: Final = "first-admin-pass-1"
ORG_ADMIN_PASSWORD: Final = "lanzhou-admin-pass-2"


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """`kiosk serve` on an empty data directory: no schema until it starts, no accounts, no org tree."""
    data = tmp_path / "data"
    server = ServerProcess(data, f"sqlite:///{data / 'kiosk.sqlite3'}")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def kiosk_accounts(server: ServerProcess, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """`kiosk accounts …` as the operator runs it on the server, with the server's settings."""
    env = {**os.environ, "KIOSK_DATA_DIR": str(server.data_dir), "KIOSK_DATABASE_URL": server.database_url}
    env.pop("KIOSK_ASYNC_MODE", None)
    return subprocess.run(
        [sys.executable, "-m", "kiosk_server.cli", "accounts", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def org_unit(server: ServerProcess, name: str, level: str, parent_id: int | None = None) -> int:
    """An org node made through the REST API with the bootstrap token, as a province's integration would."""
    answer = requests.post(
        f"{server.url}/api/v1/org-units",
        json={"name": name, "level": level, "parent_id": parent_id},
        headers={"Authorization": "Bearer test-token"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_the_first_admin_makes_an_org_admin_who_cannot_make_a_peer(fresh_server: ServerProcess, browser: Any) -> None:
    server = fresh_server
    province = org_unit(server, "甘肃省", "province")
    city = org_unit(server, "兰州市", "city", province)
    county = org_unit(server, "城关区", "county", city)

    made = kiosk_accounts(
        server, "create", "root", "--role", "system_admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr

    with console_pages(browser) as new_page:
        admin = new_page()
        sign_in(admin, server, "root", ADMIN_PASSWORD)
        admin.goto(f"{server.url}/console/users/new")
        admin.fill("#f-username", "lanzhou")
        admin.fill("#f-display_name", "兰州市管理员")
        admin.select_option("#f-role", "org_admin")
        admin.select_option("#f-org_unit_id", str(city))
        admin.fill("#f-password", ORG_ADMIN_PASSWORD)
        admin.click("main button[type=submit]")
        admin.wait_for_url("**/console/users")
        assert admin.locator("table >> text=lanzhou").count() == 1

        org_admin = new_page()
        sign_in(org_admin, server, "lanzhou", ORG_ADMIN_PASSWORD)
        org_admin.goto(f"{server.url}/console/users/new")
        offered = org_admin.eval_on_selector_all("#f-org_unit_id option", "options => options.map(o => o.value)")
        assert str(county) in offered, "the node below is offered"
        assert str(city) not in offered and str(province) not in offered, "their own node and above are not"

        # A forged form: their own node put back into the list and chosen, as a crafted POST would.
        org_admin.fill("#f-username", "peer")
        org_admin.fill("#f-display_name", "同级管理员")
        org_admin.select_option("#f-role", "org_admin")
        org_admin.evaluate(
            "id => { const o = new Option('兰州市', id); document.querySelector('#f-org_unit_id').add(o); o.selected = true; }",
            str(city),
        )
        org_admin.fill("#f-password", "peer-pass-word-3")
        with org_admin.expect_response(
            lambda r: r.url.endswith("/console/users/new") and r.request.method == "POST"
        ) as sent:
            org_admin.click("main button[type=submit]")
        assert sent.value.status == 400
        message = org_admin.locator("#f-org_unit_id-error")
        message.wait_for()
        assert "只能管理本级机构以下的账号" in message.inner_text()
        shoot(org_admin, "console-first-admin-peer-refused")  # test-artifacts/console-first-admin-peer-refused.png

        listed = kiosk_accounts(server, "list", stdin="")
        assert listed.returncode == 0, listed.stderr
        names = [line.split()[0] for line in listed.stdout.splitlines()[1:]]
        assert names == ["lanzhou", "root"], "the forged peer was not created"
