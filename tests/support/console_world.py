"""A world with one console account per role, and a test-client sign-in that follows the real form."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from flask import Flask
from sqlalchemy.orm import Session

from content.accounts.staff import Role, add_account, hash_password
from content.org.screens import ScreenGroup
from content.org.tree import Hall
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.world import World, build_world

PASSWORD: Final = "console-pass-1"
NOON: Final = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
CSRF_IN_FORM: Final = re.compile(r'name="csrf_token" value="([^"]+)"')

# username → (role, where): "county" and "city" are org nodes of the world, "hall" its first hall.
ACCOUNTS: Final = {
    "admin": (Role.SYSTEM_ADMIN, None),
    "orgadmin": (Role.ORG_ADMIN, "city"),
    "editor": (Role.EDITOR, "city"),
    "approver": (Role.APPROVER, "city"),
    "manager": (Role.HALL_MANAGER, "hall"),
    "counter": (Role.COUNTER_STAFF, "hall"),
    "tech": (Role.FIELD_TECHNICIAN, "county"),
    "tianshui": (Role.ORG_ADMIN, "other_city"),  # another city: its subtree holds the other hall
}


@functools.cache
def stored_password() -> str:
    """``PASSWORD`` hashed once per process: scrypt is slow on purpose, and every test seeds eight accounts."""
    return hash_password(PASSWORD)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ConsoleWorld:
    world: World
    clock: Clock
    other_city_id: int
    group_id: int
    account_ids: dict[str, int] = field(default_factory=dict)


def seed_console_world(session: Session, clock: Clock) -> ConsoleWorld:
    """The world of tests/support/world.py, a screen group, and one account per role (committed)."""
    world = build_world(session, vacancies=2)
    other_city_id = session.get(Hall, world.other_hall_id).org_unit_id
    group = ScreenGroup(org_unit_id=world.city_id, name="兰州市入口屏")
    session.add(group)
    session.flush()
    places = {"city": world.city_id, "county": world.county_id, "other_city": other_city_id}
    ids = {}
    for username, (role, where) in ACCOUNTS.items():
        account = add_account(
            session,
            username=username,
            password=PASSWORD,
            display_name=f"{username}名",
            role=role,
            hall_id=world.hall_id if where == "hall" else None,
            org_unit_id=places.get(where or ""),
            password_hash=stored_password(),
        )
        ids[username] = account.id
    session.commit()
    return ConsoleWorld(world, clock, other_city_id, group.id, ids)


def build_console_world(app: Flask) -> ConsoleWorld:
    """``seed_console_world`` in the app's database, with the app's clock stopped at NOON."""
    clock = Clock(NOON)
    runtime(app).clock = clock
    with Session(database(app).engine) as session:
        return seed_console_world(session, clock)


def csrf_of(page: str) -> str:
    found = CSRF_IN_FORM.search(page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign in through the form; returns the response to the POST."""
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    return client.post("/console/login", data={"csrf_token": token, "username": username, "password": password})


def csrf_now(client: Any) -> str:
    """The signed-in session's CSRF token, read off the console's first page."""
    return csrf_of(client.get("/console/").get_data(as_text=True))
