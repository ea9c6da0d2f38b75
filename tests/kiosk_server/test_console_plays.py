"""The proof-of-play page: per item and per screen, confined to the subtree, CSV that Excel opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Vacancy
from content.org.screens import Screen
from content.signage.proof_of_play import Play, record_plays
from kiosk_server.database import database
from tests.support.console_world import ConsoleWorld, build_console_world, sign_in


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    built = build_console_world(app)
    with Session(database(app).engine) as session:
        screens = {s.name: s.id for s in session.scalars(select(Screen))}
        vacancy = session.scalars(select(Vacancy).order_by(Vacancy.id)).first()
        at = built.clock.now - timedelta(hours=2)
        record_plays(session, screens["大厅1号屏"], [Play(vacancy.id, "vacancy", at, 30.0, 3)], built.clock.now)
        record_plays(session, screens["天水大厅屏"], [Play(vacancy.id, "vacancy", at, 600.0, 20)], built.clock.now)
        session.commit()
    return built


def test_an_org_admin_counts_only_the_plays_of_their_subtree(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "orgadmin")
    page = client.get("/console/plays").get_data(as_text=True)
    assert '<tr class="play-row">' in page and "<td>3</td><td>0.5</td>" in page
    assert "<td>20</td>" not in page and "<td>23</td>" not in page
    client.get("/console/")  # keep the sign-in alive
    admin = client.application.test_client()
    sign_in(admin, "admin")
    assert "<td>23</td><td>10.5</td>" in admin.get("/console/plays").get_data(as_text=True)


def test_by_screen_and_the_csv_export(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    page = client.get("/console/plays?group=screen").get_data(as_text=True)
    assert "大厅1号屏" in page and "天水大厅屏" in page
    csv = client.get("/console/plays?group=screen&format=csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    assert csv.data.startswith(b"\xef\xbb\xbf") and "天水大厅屏" in csv.get_data(as_text=True)


def test_a_bad_period_is_reported_beside_its_field(cw: ConsoleWorld, client: Any) -> None:
    sign_in(client, "admin")
    bad = client.get("/console/plays?from=yesterday&to=2026-01-01")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and 'id="f-from-error"' in text and 'id="f-to-error"' in text
