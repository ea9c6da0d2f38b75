"""The start page: a demo links every screen; a production server never lists screen keys."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_app


def test_start_page_never_lists_screen_keys_outside_a_demo(app, client) -> None:
    from sqlalchemy.orm import Session

    from kiosk_server.database import database
    from tests.support.world import build_world

    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=1)
    page = client.get("/").get_data(as_text=True)
    assert world.wall_keys[0] not in page
    assert "不公开列出" in page


def test_demo_start_page_links_every_screen(tmp_path: Path) -> None:
    from sqlalchemy.orm import Session

    from kiosk_server.database import database
    from tests.support.world import build_world

    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'k.sqlite3'}", public_index=True)
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=1)
    page = app.test_client().get("/").get_data(as_text=True)
    for key in [*world.wall_keys, world.led_key, world.other_wall_key]:
        assert f"/screen/{key}" in page
