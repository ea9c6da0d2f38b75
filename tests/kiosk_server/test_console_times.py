"""Times in the console: a date-only deadline reads as that date, and KIOSK_DEFAULT_TIMEZONE is the console's zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from kiosk_server.database import database
from tests.conftest import make_app
from tests.support.console_world import ConsoleWorld, build_console_world, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.fixture
def urumqi_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    application = make_app(tmp_path, database_url, default_timezone="Asia/Urumqi")
    yield application
    database(application).engine.dispose()


def set_deadline(app: Flask, until: datetime) -> str:
    """Give the first vacancy this end (and no start); its title, to find its row."""
    with Session(database(app).engine) as session:
        vacancy = session.scalars(select(Vacancy).order_by(Vacancy.id)).first()
        assert vacancy is not None
        vacancy.valid_from, vacancy.valid_until = None, until
        session.commit()
        return vacancy.title


def row_of(page: str, title: str) -> str:
    start = page.index(title)
    return page[start : page.index("</tr>", start)]


def test_a_date_only_deadline_shows_as_that_date(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    # 有效期至 2026-12-31 is kept as the first instant it no longer holds: 2027-01-01 00:00 Beijing time.
    title = set_deadline(app, datetime(2026, 12, 31, 16, 0, tzinfo=UTC))
    sign_in(client, "admin")
    row = row_of(client.get("/console/vacancies").get_data(as_text=True), title)
    assert "至 2026-12-31" in row and "2027-01-01" not in row


def test_a_deadline_with_a_time_keeps_its_time(cw: ConsoleWorld, app: Flask, client: Any) -> None:
    title = set_deadline(app, datetime(2026, 12, 31, 9, 30, tzinfo=UTC))
    sign_in(client, "admin")
    row = row_of(client.get("/console/vacancies").get_data(as_text=True), title)
    assert "至 2026-12-31 17:30" in row


def test_the_console_shows_times_in_the_default_time_zone(urumqi_app: Flask) -> None:
    build_console_world(urumqi_app)
    client = urumqi_app.test_client()
    # 2026-12-31 20:00 UTC: 2027-01-01 04:00 in Beijing, 02:00 in Urumqi (UTC+6).
    title = set_deadline(urumqi_app, datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    sign_in(client, "admin")
    row = row_of(client.get("/console/vacancies").get_data(as_text=True), title)
    assert "至 2027-01-01 02:00" in row
