"""Citizen sessions on SQLite and PostgreSQL: open, replace, end by card/idle/hard limit/finish, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.demo_backend import DemoRecords
from content.citizens.keyed_hash import derive_key
from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState
from content.citizens.records import CardIdentity, CardSource, PersonRecord, UnknownPerson, identity_from_card
from content.citizens.sessions import (
    CARD_ONLY_NOTICE,
    CitizenSession,
    EndReason,
    end_expired,
    end_for_reader,
    end_session_by_token,
    end_sessions,
    expired_sessions,
    find_open,
    identify_and_open,
    open_session,
    open_session_for,
    reissue_token,
    token_hash,
    touch,
)
from content.org.screens import Screen
from tests.support.citizens import add_holder, ssc_read

DATABASES = ("sqlite", "postgres")
KEY = derive_key("test-secret", "records")
T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
IDLE, MAX = 60, 100
NAME = "欧阳明华"
PERSON = PersonRecord(
    ref="demo:7",
    name=NAME,
    sex_code="2",
    birth_date=date(1990, 5, 6),
    masked_id="620102********1234",
    region_code="620102",
)


def card(reader_id: str = "ssc-1", source: CardSource = CardSource.SSC) -> CardIdentity:
    return CardIdentity(source=source, reader_id=reader_id, card_number="A12345678")


@pytest.fixture
def kiosk(make: Factory) -> Screen:
    return make.screen(kind="kiosk", name="自助终端1")


def opened(session: Session, screen: Screen, at: datetime = T0, reader_id: str = "ssc-1"):  # type: ignore[no-untyped-def]
    citizen, token, replaced = open_session(session, screen, PERSON, card(reader_id), at, IDLE, MAX)
    session.commit()
    return citizen, token, replaced


def test_open_keeps_masked_facts_and_only_the_tokens_hash(session: Session, kiosk: Screen) -> None:
    citizen, token, replaced = opened(session, kiosk)
    assert replaced == []
    assert (citizen.masked_name, citizen.masked_id, citizen.sex_code) == ("欧***", "620102********1234", "2")
    assert citizen.token_hash == token_hash(token) and token not in citizen.token_hash
    assert citizen.expires_at == T0 + timedelta(seconds=IDLE)
    assert citizen.hard_expires_at == T0 + timedelta(seconds=MAX)
    assert open_session_for(session, kiosk.id) == citizen
    assert find_open(session, token, T0) == citizen


def test_opening_is_audited_by_kind_of_lookup_never_by_number_name_or_token(session: Session, kiosk: Screen) -> None:
    _, token, _ = opened(session, kiosk)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "citizen_session.open")).one()
    assert entry.actor == f"agent:screen-{kiosk.id}" and entry.object_id == str(kiosk.id)
    assert entry.summary["source"] == "ssc" and entry.summary["reader_id"] == "ssc-1"
    assert entry.summary["lookup"] == "card_number"
    text = repr(entry.summary) + entry.actor
    assert NAME not in text and "A12345678" not in text and token not in text and kiosk.key not in text


def test_a_new_card_replaces_the_open_session(session: Session, kiosk: Screen) -> None:
    first, _, _ = opened(session, kiosk)
    second, _, replaced = opened(session, kiosk, T0 + timedelta(seconds=5), reader_id="idcard-1")
    assert [c.id for c in replaced] == [first.id]
    assert replaced[0].end_reason == "replaced" and replaced[0].ended_at == T0 + timedelta(seconds=5)
    assert open_session_for(session, kiosk.id) == second


def test_card_removal_ends_only_that_readers_session_of_that_kiosk(
    session: Session, make: Factory, kiosk: Screen
) -> None:
    other = make.screen(kind="kiosk", name="自助终端2")
    mine, _, _ = opened(session, kiosk, reader_id="ssc-1")
    theirs, _, _ = opened(session, other, reader_id="ssc-1")
    assert end_sessions(session, kiosk.id, EndReason.CARD_REMOVED, T0, reader_id="idcard-1") == []
    ended = end_sessions(session, kiosk.id, EndReason.CARD_REMOVED, T0, reader_id="ssc-1")
    session.commit()
    assert [c.id for c in ended] == [mine.id] and ended[0].end_reason == "card_removed"
    assert open_session_for(session, other.id) == theirs
    assert end_sessions(session, kiosk.id, EndReason.CARD_REMOVED, T0, reader_id="ssc-1") == [], "ended once only"


def test_sessions_from_readers_without_a_card_end_on_reconnect(session: Session, kiosk: Screen) -> None:
    citizen, _, _ = opened(session, kiosk, reader_id="ssc-1")
    assert end_sessions(session, kiosk.id, EndReason.AGENT_RECONNECTED, T0, except_readers=["ssc-1"]) == []
    ended = end_sessions(session, kiosk.id, EndReason.AGENT_RECONNECTED, T0, except_readers=[])
    assert [(c.id, c.end_reason) for c in ended] == [(citizen.id, "agent_reconnected")]


def test_an_idle_session_times_out_once(session: Session, kiosk: Screen) -> None:
    citizen, token, _ = opened(session, kiosk)
    just_before = T0 + timedelta(seconds=IDLE - 1)
    assert expired_sessions(session, just_before) == [] and end_expired(session, just_before) == []
    at_expiry = T0 + timedelta(seconds=IDLE)
    assert expired_sessions(session, at_expiry) == [citizen]
    ended = end_expired(session, at_expiry)
    session.commit()
    assert [(c.id, c.end_reason) for c in ended] == [(citizen.id, "timeout")]
    assert end_expired(session, at_expiry + timedelta(seconds=1)) == []
    assert open_session_for(session, kiosk.id) is None and find_open(session, token, at_expiry) is None


def test_activity_extends_the_idle_expiry_up_to_the_hard_limit(session: Session, kiosk: Screen) -> None:
    _, token, _ = opened(session, kiosk)
    touched = touch(session, token, T0 + timedelta(seconds=30))
    assert touched is not None and touched.expires_at == T0 + timedelta(seconds=30 + IDLE)
    touched = touch(session, token, T0 + timedelta(seconds=70))
    assert touched is not None and touched.expires_at == T0 + timedelta(seconds=MAX), "capped at the hard limit"
    session.commit()
    assert end_expired(session, T0 + timedelta(seconds=MAX - 1)) == []
    assert [c.end_reason for c in end_expired(session, T0 + timedelta(seconds=MAX))] == ["timeout"]
    assert touch(session, token, T0 + timedelta(seconds=MAX + 1)) is None


def test_an_expired_but_unswept_session_cannot_be_touched_or_found(session: Session, kiosk: Screen) -> None:
    _, token, _ = opened(session, kiosk)
    late = T0 + timedelta(seconds=IDLE + 1)
    assert touch(session, token, late) is None
    assert open_session_for(session, kiosk.id, late) is None
    assert open_session_for(session, kiosk.id) is not None, "still to be ended (and announced) by the sweeper"


def test_finishing_ends_the_session_holding_the_token(session: Session, kiosk: Screen) -> None:
    citizen, token, _ = opened(session, kiosk)
    assert end_session_by_token(session, "not-the-token", EndReason.FINISHED, T0) is None
    ended = end_session_by_token(session, token, EndReason.FINISHED, T0 + timedelta(seconds=3))
    assert ended is not None and (ended.id, ended.end_reason) == (citizen.id, "finished")
    assert end_session_by_token(session, token, EndReason.FINISHED, T0 + timedelta(seconds=4)) is None


def test_a_reissued_token_replaces_the_old_one(session: Session, kiosk: Screen) -> None:
    citizen, old, _ = opened(session, kiosk)
    new = reissue_token(citizen)
    session.commit()
    assert new != old
    assert find_open(session, old, T0) is None and find_open(session, new, T0) == citizen


def test_identify_and_open_notes_a_card_only_read_and_audits_refusals(session: Session, kiosk: Screen) -> None:
    holder = add_holder(session, KEY)
    backend = DemoRecords(session, KEY, lambda: T0)
    read = ssc_read(holder, psam=False)
    identity = identity_from_card(CardSource.SSC, read["reader_id"], read["identity"], today=T0.date())
    result = identify_and_open(session, backend, kiosk, identity, T0, IDLE, MAX)
    session.commit()
    assert result.session.notice == CARD_ONLY_NOTICE and result.session.person_ref == f"demo:{holder.person_id}"
    unknown = identity_from_card(
        CardSource.SSC, "ssc-1", {**read["identity"], "card_number": "B00000001"}, today=T0.date()
    )
    with pytest.raises(UnknownPerson):
        identify_and_open(session, backend, kiosk, unknown, T0, IDLE, MAX)
    session.commit()
    refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "citizen_session.refused")).one()
    assert refused.summary == {
        "source": "ssc",
        "reader_id": "ssc-1",
        "lookup": "card_number",
        "error": "unknown_person",
    }
    assert session.scalar(select(CitizenSession).where(CitizenSession.ended_at.is_(None))) == result.session


def reader(reader_id: str, state: ReaderState, *, card_lost: bool = False) -> ReaderReport:
    return ReaderReport(reader_id, ReaderKind.SSC_PCSC, state, card_lost=card_lost)


@pytest.mark.parametrize(
    ("state", "card_lost", "reason"),
    [(ReaderState.DETACHED, False, "reader_detached"), (ReaderState.FAULT, True, "reader_fault")],
    ids=["detached", "fault-card-lost"],
)
def test_a_reader_that_loses_its_card_ends_the_session_it_opened(
    session: Session, kiosk: Screen, state: ReaderState, card_lost: bool, reason: str
) -> None:
    citizen, _, _ = opened(session, kiosk, reader_id="ssc-1")
    ended = end_for_reader(session, kiosk.id, reader("ssc-1", state, card_lost=card_lost), T0 + timedelta(seconds=3))
    session.commit()
    assert [(c.id, c.end_reason, c.ended_at) for c in ended] == [(citizen.id, reason, T0 + timedelta(seconds=3))]
    assert open_session_for(session, kiosk.id) is None


@pytest.mark.parametrize(
    "report",
    [
        reader("idcard-1", ReaderState.DETACHED),  # another reader of the same kiosk
        reader("ssc-1", ReaderState.FAULT),  # a fault that still sees the card
        reader("ssc-1", ReaderState.IDLE),
        reader("ssc-1", ReaderState.READING),
        reader("ssc-1", ReaderState.ATTACHED),
    ],
    ids=["other-reader", "fault-card-seen", "idle", "reading", "attached"],
)
def test_other_reader_statuses_leave_the_session_open(session: Session, kiosk: Screen, report: ReaderReport) -> None:
    citizen, _, _ = opened(session, kiosk, reader_id="ssc-1")
    assert end_for_reader(session, kiosk.id, report, T0 + timedelta(seconds=3)) == []
    session.commit()
    still = open_session_for(session, kiosk.id)
    assert still is not None and still.id == citizen.id


def test_a_session_without_a_masked_id_logs_that_it_has_none(session: Session, kiosk: Screen) -> None:
    person = PersonRecord(
        ref="http:9", name=NAME, sex_code="2", birth_date=date(1990, 5, 6), masked_id="", region_code=""
    )
    citizen, _, _ = open_session(session, kiosk, person, card(), T0, IDLE, MAX)
    assert citizen.logged_id == "(no ID number from the records backend)"
    assert "masked_id='(no ID number" in repr(citizen)
    with_id, _, _ = opened(session, kiosk)
    assert with_id.logged_id == "62****************"
