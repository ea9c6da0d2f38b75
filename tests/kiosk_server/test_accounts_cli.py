"""`kiosk accounts …`: the first administrator of a fresh server, and the accounts' upkeep from a shell."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.accounts.staff import StaffAccount, password_matches
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.kiosk_cli import run_kiosk
from tests.support.world import World, build_world

GOOD = "a-long-pass-9\n"


def kiosk(
    data_dir: Path, *args: str, stdin: str = "", database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``kiosk`` as an operator would, with the environment `kiosk serve` reads."""
    env = {"KIOSK_DATA_DIR": str(data_dir)}
    if database_url is not None:
        env["KIOSK_DATABASE_URL"] = database_url
    return run_kiosk(env, *args, stdin=stdin)


@pytest.fixture
def tree(database_url: str) -> Iterator[tuple[str, World]]:
    """A database holding the test world's org tree (a province, cities, a county, halls)."""
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        session.commit()
    yield database_url, world
    engine.dispose()


def stored(database_url: str, username: str) -> tuple[StaffAccount | None, list[AuditEntry]]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            account = session.scalar(select(StaffAccount).where(StaffAccount.username == username))
            entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
            if account is not None:
                session.expunge(account)
            for entry in entries:
                session.expunge(entry)
            return account, entries
    finally:
        engine.dispose()


def test_the_first_admin_of_a_fresh_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    made = kiosk(data, "accounts", "create", "root", "--role", "system_admin", "--password-stdin", stdin=GOOD)
    assert made.returncode == 0, made.stderr
    assert "created root (system_admin)" in made.stdout
    url = f"sqlite:///{data / 'kiosk.sqlite3'}"
    account, entries = stored(url, "root")
    assert account is not None and account.role == "system_admin" and account.active
    assert password_matches("a-long-pass-9", account.password_hash)
    assert [(e.actor, e.action, e.object_id) for e in entries] == [("cli", "created", str(account.id))]
    assert "a-long-pass-9" not in str(entries[0].summary)
    listed = kiosk(data, "accounts", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split() == ["root", "system_admin", "—", "active"]


def test_a_node_by_name_path_or_id_and_a_hall_by_name(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, world = tree
    cases = [
        ("city", "org_admin", ["--node", "兰州市"], world.city_id),
        ("county", "editor", ["--node", "甘肃省/兰州市/城关区"], world.county_id),
        ("byid", "approver", ["--node", str(world.city_id)], world.city_id),
    ]
    for name, role, where, unit_id in cases:
        made = kiosk(
            tmp_path,
            "accounts",
            "create",
            name,
            "--role",
            role,
            *where,
            "--password-stdin",
            stdin=GOOD,
            database_url=url,
        )
        assert made.returncode == 0, made.stderr
        account, _ = stored(url, name)
        assert account is not None and account.org_unit_id == unit_id, name
    made = kiosk(
        tmp_path, "accounts", "create", "wang", "--role", "counter_staff", "--hall", str(world.hall_id),
        "--email", " wang@hall.example.org ", "--password-stdin", stdin=GOOD, database_url=url,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    account, _ = stored(url, "wang")
    assert account is not None and account.hall_id == world.hall_id
    assert account.email == "wang@hall.example.org"
    city, _ = stored(url, "city")
    assert city is not None and city.email is None, "no --email: no address"


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["--role", "boss", "--node", "兰州市"], GOOD, "unknown role 'boss'"),
        (["--role", "editor", "--node", "火星市"], GOOD, "there is no org node named '火星市'"),
        (["--role", "editor", "--node", "999999"], GOOD, "there is no org node with the id 999999"),
        (["--role", "editor"], GOOD, "give --node"),
        (["--role", "counter_staff", "--node", "兰州市"], GOOD, "give --hall"),
        (["--role", "editor", "--node", "兰州市"], "short\n", "password: at least 8 characters"),
        (["--role", "editor", "--node", "兰州市"], "\n", "password: at least 8 characters"),
        (["--role", "editor", "--node", "兰州市", "--email", "zhao at example.org"], GOOD, "email: expected one @"),
    ],
)
def test_a_refusal_is_one_clear_line_and_exit_status_2(
    tmp_path: Path, tree: tuple[str, World], args: list[str], stdin: str, says: str
) -> None:
    url, _ = tree
    refused = kiosk(tmp_path, "accounts", "create", "zhao", *args, "--password-stdin", stdin=stdin, database_url=url)
    assert refused.returncode == 2
    assert says in refused.stderr and "Traceback" not in refused.stderr
    assert stored(url, "zhao")[0] is None


def test_a_taken_name_is_refused(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, _ = tree
    args = ("accounts", "create", "li", "--role", "editor", "--node", "兰州市", "--password-stdin")
    assert kiosk(tmp_path, *args, stdin=GOOD, database_url=url).returncode == 0
    again = kiosk(tmp_path, *args, stdin=GOOD, database_url=url)
    assert again.returncode == 2 and "the user name 'li' is taken" in again.stderr
    assert "Traceback" not in again.stderr


def test_without_a_terminal_the_password_must_come_from_stdin(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, _ = tree
    refused = kiosk(tmp_path, "accounts", "create", "li", "--role", "editor", "--node", "兰州市", database_url=url)
    assert refused.returncode == 2 and "--password-stdin" in refused.stderr
    assert stored(url, "li")[0] is None


def test_unlock_reset_and_disable_are_audited(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, _ = tree
    base = ("accounts", "create", "li", "--role", "editor", "--node", "兰州市", "--password-stdin")
    assert kiosk(tmp_path, *base, stdin=GOOD, database_url=url).returncode == 0
    engine = make_engine(url)
    with Session(engine) as session:
        account = session.scalar(select(StaffAccount).where(StaffAccount.username == "li"))
        assert account is not None
        account.failed_logins, account.locked_until = 0, account.created_at.replace(year=2999)
        session.commit()
    engine.dispose()
    assert "locked" in kiosk(tmp_path, "accounts", "list", database_url=url).stdout.splitlines()[1]

    assert kiosk(tmp_path, "accounts", "unlock", "li", database_url=url).returncode == 0
    account, _ = stored(url, "li")
    assert account is not None and account.locked_until is None
    reset = kiosk(
        tmp_path, "accounts", "reset-password", "li", "--password-stdin", stdin="another-pass-7\n", database_url=url
    )
    assert reset.returncode == 0, reset.stderr
    account, _ = stored(url, "li")
    assert account is not None and password_matches("another-pass-7", account.password_hash)
    assert account.session_version == 1  # every session of the account ended
    assert kiosk(tmp_path, "accounts", "disable", "li", database_url=url).returncode == 0
    account, entries = stored(url, "li")
    assert account is not None and not account.active and account.session_version == 2
    assert [(e.actor, e.action) for e in entries] == [
        ("cli", "created"),
        ("cli", "unlocked"),
        ("cli", "password_reset"),
        ("cli", "disabled"),
    ]
    assert "another-pass-7" not in " ".join(str(e.summary) for e in entries)
    assert kiosk(tmp_path, "accounts", "list", database_url=url).stdout.splitlines()[1].split()[-1] == "disabled"


def test_an_unknown_account_is_refused(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, _ = tree
    for action in ("unlock", "disable"):
        refused = kiosk(tmp_path, "accounts", action, "nobody", database_url=url)
        assert refused.returncode == 2 and "there is no account 'nobody'" in refused.stderr


def test_the_prompt_asks_twice_and_refuses_two_different_passwords() -> None:
    import argparse
    import io

    from kiosk_server.accounts_cli import Refused, _password

    args = argparse.Namespace(password_stdin=False)
    answers = iter(["a-long-pass-9", "a-long-pass-8"])
    with pytest.raises(Refused, match="the two passwords differ"):
        _password(args, io.StringIO(), lambda _prompt: next(answers))
    same = iter(["a-long-pass-9", "a-long-pass-9"])
    assert _password(args, io.StringIO(), lambda _prompt: next(same)) == "a-long-pass-9"
    piped = argparse.Namespace(password_stdin=True)
    assert _password(piped, io.StringIO("ends in a space \r\nnext line\n"), None) == "ends in a space "
