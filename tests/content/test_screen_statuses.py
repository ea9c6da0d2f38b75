"""Screens' status rows written many at once: inserted when new, updated when there, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.screens import ScreenStatus, write_statuses

DATABASES = ("sqlite", "postgres")
AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def status(screen_id: int, version: str | None, connected: bool = True, info: str = "") -> dict[str, object]:
    return {
        "screen_id": screen_id,
        "last_seen_at": AT,
        "manifest_version": version,
        "connected": connected,
        "client_info": info,
    }


def test_one_write_inserts_the_new_rows_and_updates_the_ones_there(session: Session, make: Factory) -> None:
    hall = make.hall()
    old, new = make.screen(hall), make.screen(hall)
    session.add(ScreenStatus(screen_id=old.id, manifest_version="v0", connected=False, client_info="旧"))
    session.commit()
    write_statuses(session, [status(old.id, "v1", info="Chromium 156"), status(new.id, None, connected=False)])
    session.commit()
    session.expire_all()
    rows = {r.screen_id: r for r in session.scalars(select(ScreenStatus))}
    assert (rows[old.id].manifest_version, rows[old.id].connected, rows[old.id].client_info) == (
        "v1",
        True,
        "Chromium 156",
    )
    assert (rows[new.id].manifest_version, rows[new.id].connected) == (None, False)
    assert rows[new.id].last_seen_at is not None and rows[new.id].last_seen_at.replace(tzinfo=UTC) == AT


def test_a_thousand_statuses_in_one_write(session: Session, make: Factory) -> None:
    hall = make.hall()
    screens = [make.screen(hall) for _ in range(1000)]
    session.commit()
    write_statuses(session, [status(s.id, f"v{s.id}") for s in screens])
    write_statuses(session, [])  # nothing to write: no statement
    session.commit()
    got = {row[0]: row[1] for row in session.execute(select(ScreenStatus.screen_id, ScreenStatus.manifest_version))}
    assert got == {s.id: f"v{s.id}" for s in screens}
