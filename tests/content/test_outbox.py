"""The outbox's numbering: rows get the next revision after they commit, and only covered rows are marked."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content import outbox
from content.outbox import OutboxEvent

DATABASES = ("sqlite", "postgres")
AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def commit_events(session: Session, count: int) -> list[OutboxEvent]:
    events = [outbox.add_event(session, "content", kind="vacancy", id=n, action="created") for n in range(count)]
    session.commit()
    return events


def test_committed_rows_share_the_next_revision_and_a_schema_without_migrations_gets_its_head(
    session: Session,
) -> None:
    assert outbox.revision(session) == 0, "a schema made by create_all has no head yet"
    first = commit_events(session, 2)
    assert outbox.number_committed(session) == 1
    session.commit()
    second = commit_events(session, 1)
    assert outbox.number_committed(session) == 2
    session.commit()
    assert outbox.number_committed(session) == 2, "nothing new committed: the revision stays"
    session.commit()
    seqs = {id_: seq for id_, seq in session.execute(select(OutboxEvent.id, OutboxEvent.seq))}
    assert seqs == {first[0].id: 1, first[1].id: 1, second[0].id: 2}
    assert outbox.revision(session) == 2


def test_a_rolled_back_numbering_leaves_the_rows_for_the_next(session: Session) -> None:
    commit_events(session, 1)
    assert outbox.number_committed(session) == 1
    session.rollback()
    assert outbox.revision(session) == 0
    assert outbox.number_committed(session) == 1
    session.commit()
    assert session.scalars(select(OutboxEvent.seq)).all() == [1]


def test_only_the_rows_a_revision_covers_are_marked_published(session: Session) -> None:
    commit_events(session, 2)
    outbox.number_committed(session)
    session.commit()
    [later] = commit_events(session, 1)  # committed after the revision a snapshot was built from
    assert outbox.mark_published(session, 1, AT) == 2
    assert outbox.mark_published(session, 1, AT) == 0, "marked once"
    session.commit()
    session.refresh(later)
    assert later.published_at is None and later.seq is None
    outbox.number_committed(session)
    assert outbox.mark_published(session, 2, AT) == 1
    session.commit()
    assert session.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))).all() == []
