"""Kiosk agent credentials and reader statuses on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.keyed_hash import derive_key
from content.citizens.kiosk_agents import (
    AgentCredential,
    NotAKiosk,
    ReaderKind,
    ReaderReport,
    ReaderState,
    issue_agent_credential,
    mark_readers_unknown,
    note_good_read,
    reader_statuses,
    replace_reader_statuses,
    set_reader_status,
    verify_agent_credential,
)
from content.org.screens import Screen

DATABASES = ("sqlite", "postgres")
KEY = derive_key("test-secret", "agent-credentials")
T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@pytest.fixture
def kiosk(make: Factory) -> Screen:
    return make.screen(kind="kiosk", name="自助终端1")


def report(
    reader_id: str, state: ReaderState = ReaderState.ATTACHED, kind: ReaderKind = ReaderKind.SSC_PCSC, message: str = ""
) -> ReaderReport:
    return ReaderReport(reader_id, kind, state, message)


def test_a_credential_verifies_and_is_stored_only_as_a_keyed_hash(session: Session, kiosk: Screen) -> None:
    credential = issue_agent_credential(session, kiosk, KEY)
    session.commit()
    assert len(credential) >= 40
    assert verify_agent_credential(session, kiosk.key, credential, KEY) == kiosk
    stored = session.scalars(select(AgentCredential)).one()
    assert credential not in stored.credential_hash and len(stored.credential_hash) == 64


def test_wrong_credential_wrong_key_or_unknown_device_is_refused(session: Session, kiosk: Screen) -> None:
    credential = issue_agent_credential(session, kiosk, KEY)
    assert verify_agent_credential(session, kiosk.key, credential + "x", KEY) is None
    assert verify_agent_credential(session, kiosk.key, credential, derive_key("other", "agent-credentials")) is None
    assert verify_agent_credential(session, "no-such-screen", credential, KEY) is None


def test_issuing_again_revokes_the_previous_credential(session: Session, kiosk: Screen) -> None:
    old = issue_agent_credential(session, kiosk, KEY)
    new = issue_agent_credential(session, kiosk, KEY)
    session.commit()
    assert verify_agent_credential(session, kiosk.key, old, KEY) is None
    assert verify_agent_credential(session, kiosk.key, new, KEY) == kiosk
    assert len(session.scalars(select(AgentCredential)).all()) == 1


def test_only_kiosks_get_credentials(session: Session, make: Factory, kiosk: Screen) -> None:
    wall = make.screen(kind="wall")
    with pytest.raises(NotAKiosk, match="only kiosk screens"):
        issue_agent_credential(session, wall, KEY)
    # A kiosk turned into a wall after its credential was issued is refused too.
    credential = issue_agent_credential(session, kiosk, KEY)
    kiosk.kind = "wall"
    session.flush()
    assert verify_agent_credential(session, kiosk.key, credential, KEY) is None


def test_hello_replaces_the_whole_reader_set(session: Session, kiosk: Screen) -> None:
    replace_reader_statuses(session, kiosk.id, [report("ssc-1"), report("idcard-1", kind=ReaderKind.IDCARD_SERIAL)], T0)
    replace_reader_statuses(
        session, kiosk.id, [report("ssc-1"), report("scan-1", kind=ReaderKind.SCANNER_HID)], T0 + timedelta(seconds=5)
    )
    session.commit()
    rows = reader_statuses(session, kiosk.id)
    assert [(r.reader_id, r.kind, r.state) for r in rows] == [
        ("scan-1", "scanner_hid", "attached"),
        ("ssc-1", "ssc_pcsc", "attached"),
    ]
    assert {r.reader_id: r.changed_at for r in rows}["ssc-1"] == T0, "unchanged rows keep their stamp"


def test_a_status_change_updates_one_row_and_its_stamp(session: Session, kiosk: Screen) -> None:
    set_reader_status(session, kiosk.id, report("ssc-1"), T0)
    row = set_reader_status(
        session, kiosk.id, report("ssc-1", ReaderState.FAULT, message="no ATR"), T0 + timedelta(seconds=9)
    )
    session.commit()
    assert (row.state, row.message, row.changed_at) == ("fault", "no ATR", T0 + timedelta(seconds=9))
    assert len(reader_statuses(session, kiosk.id)) == 1


def test_a_gone_agent_leaves_its_readers_unknown(session: Session, make: Factory, kiosk: Screen) -> None:
    other = make.screen(kind="kiosk", name="自助终端2")
    replace_reader_statuses(session, kiosk.id, [report("ssc-1"), report("idcard-1", ReaderState.DETACHED)], T0)
    set_reader_status(session, other.id, report("ssc-1"), T0)
    assert mark_readers_unknown(session, kiosk.id, T0 + timedelta(seconds=1)) == 2
    session.commit()
    assert {r.state for r in reader_statuses(session, kiosk.id)} == {"unknown"}
    assert [r.state for r in reader_statuses(session, other.id)] == ["attached"]
    assert mark_readers_unknown(session, kiosk.id, T0 + timedelta(seconds=2)) == 0


def test_a_fault_keeps_its_reason_and_count_until_the_next_good_status_clears_them(
    session: Session, kiosk: Screen
) -> None:
    fault = ReaderReport("idcard-1", ReaderKind.IDCARD_SERIAL, ReaderState.FAULT, "no answer", "timeout", 37)
    row = set_reader_status(session, kiosk.id, fault, T0)
    session.commit()
    assert (row.state, row.reason, row.repeated) == ("fault", "timeout", 37)
    row = set_reader_status(
        session, kiosk.id, ReaderReport("idcard-1", ReaderKind.IDCARD_SERIAL, ReaderState.IDLE), T0 + timedelta(1)
    )
    session.commit()
    assert (row.state, row.message, row.reason, row.repeated) == ("idle", "", "", 1)


def test_a_reason_sent_with_a_good_state_is_not_kept(session: Session, kiosk: Screen) -> None:
    row = set_reader_status(
        session, kiosk.id, ReaderReport("ssc-1", ReaderKind.SSC_PCSC, ReaderState.READING, "", "timeout", 3), T0
    )
    assert (row.reason, row.repeated) == ("", 1)


def test_the_last_good_read_only_moves_forward_and_survives_an_older_agent(session: Session, kiosk: Screen) -> None:
    later = T0 + timedelta(minutes=5)
    set_reader_status(
        session, kiosk.id, ReaderReport("ssc-1", ReaderKind.SSC_PCSC, ReaderState.IDLE, last_good_read_at=later), T0
    )
    row = set_reader_status(
        session, kiosk.id, ReaderReport("ssc-1", ReaderKind.SSC_PCSC, ReaderState.IDLE, last_good_read_at=T0), T0
    )
    assert row.last_good_read_at == later, "an older time does not move it back"
    row = set_reader_status(session, kiosk.id, report("ssc-1"), T0 + timedelta(minutes=6))  # an old agent: no key
    session.commit()
    session.expire_all()
    assert reader_statuses(session, kiosk.id)[0].last_good_read_at == later


def test_a_good_read_stamps_the_reader_and_ends_its_fault(session: Session, kiosk: Screen) -> None:
    set_reader_status(
        session, kiosk.id, ReaderReport("ssc-1", ReaderKind.SSC_PCSC, ReaderState.FAULT, "mute", "no_atr", 4), T0
    )
    row = note_good_read(session, kiosk.id, "ssc-1", T0 + timedelta(seconds=30))
    session.commit()
    assert row is not None
    assert (row.state, row.reason, row.repeated, row.last_good_read_at) == (
        "reading",
        "",
        1,
        T0 + timedelta(seconds=30),
    )
    assert note_good_read(session, kiosk.id, "never-reported", T0) is None


def test_a_gone_agent_clears_the_fault_reason_but_keeps_the_last_good_read(session: Session, kiosk: Screen) -> None:
    set_reader_status(
        session,
        kiosk.id,
        ReaderReport("ssc-1", ReaderKind.SSC_PCSC, ReaderState.FAULT, "mute", "no_atr", 4, last_good_read_at=T0),
        T0,
    )
    mark_readers_unknown(session, kiosk.id, T0 + timedelta(seconds=1))
    session.commit()
    session.expire_all()
    [row] = reader_statuses(session, kiosk.id)
    assert (row.state, row.reason, row.repeated, row.last_good_read_at) == ("unknown", "", 1, T0)
