"""PDF documents as content items: their rules, their manifest item (pages in order), proof of play."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from content_factories import Factory
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.widgets.documents import Document
from content.org.screens import Screen
from content.signage.manifest import resolve
from content.signage.proof_of_play import play_report, record_plays

DATABASES = ("sqlite", "postgres")

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGES = ["a1" * 32, "b2" * 32, "c3" * 32]


def sh(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def document(make: Factory, **overrides: object) -> Document:
    fields = {
        "title": "就业创业政策解读",
        "org_unit_id": make.org_tree().province.id,
        "status": "published",
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
        "sha256": "9f" * 32,
        "size_bytes": 2048,
        "page_hashes": list(PAGES),
        "page_mime": "image/webp",
        "page_width": 1920,
        "page_height": 1358,
    } | overrides
    row = Document(**fields)
    make.session.add(row)
    make.session.flush()
    return row


@pytest.fixture
def screen(make: Factory) -> Screen:
    return make.screen(make.hall(make.org_tree().street))


def test_a_document_shows_ten_seconds_a_page_unless_told(make: Factory) -> None:
    assert document(make).seconds_per_page == 10


@pytest.mark.parametrize("seconds", [0, -3, 3601, True])
def test_seconds_per_page_out_of_range_names_the_field(make: Factory, seconds: object) -> None:
    with pytest.raises(ValidationError) as refused:
        document(make, seconds_per_page=seconds)
    assert list(refused.value.errors) == ["seconds_per_page"]


def test_manifest_item_lists_every_page_in_order(make: Factory, session: Session, screen: Screen) -> None:
    doc = document(make, seconds_per_page=8)
    make.schedule(layer="default", playlists={"main": make.playlist([{"kind": "item", "item": doc}])})
    body = resolve(session, screen, sh(22, 9)).body
    assert body["segments"][0]["regions"]["main"] == [{"kind": "item", "item": f"document:{doc.id}", "duration": 15}]
    assert body["items"][f"document:{doc.id}"] == {
        "kind": "document",
        "id": doc.id,
        "title": "就业创业政策解读",
        "pages": [{"url": f"/media/{sha}", "sha256": sha} for sha in PAGES],
        "page_mime": "image/webp",
        "width": 1920,
        "height": 1358,
        "seconds_per_page": 8,
    }


def test_an_archived_document_leaves_the_manifest(make: Factory, session: Session, screen: Screen) -> None:
    doc = document(make, status="archived")
    make.schedule(layer="default", playlists={"main": make.playlist([{"kind": "item", "item": doc}])})
    body = resolve(session, screen, sh(22, 9)).body
    assert f"document:{doc.id}" not in body["items"] and body["segments"][0]["regions"].get("main", []) == []


def test_plays_of_a_document_are_booked_and_reported(make: Factory, session: Session, screen: Screen) -> None:
    doc = document(make)
    now = datetime(2026, 12, 2, 4, 30, tzinfo=UTC)
    start = now - timedelta(minutes=5)
    result = record_plays(
        session, screen.id, [{"id": doc.id, "kind": "document", "start": start.isoformat(), "seconds": 30.0}], now=now
    )
    assert result.accepted == 1
    rows = play_report(session, start=now - timedelta(hours=1), end=now + timedelta(hours=1), group_by="item")
    assert [(row.item_kind, row.item_title, row.plays, row.seconds) for row in rows] == [
        ("document", "就业创业政策解读", 1, 30.0)
    ]
