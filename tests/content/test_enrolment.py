"""Enrolment codes: drawing, uniqueness among live codes, claiming, delivering once, expiry, rate limits."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.org.enrolment import (
    ALPHABET,
    CODE_LIFETIME,
    REQUEST_LIMIT,
    WRONG_CODE_LIMIT,
    CodeRefused,
    CodeState,
    EnrolmentCode,
    IssuedCode,
    Placement,
    TooManyRequests,
    claim,
    digest,
    expire_sweep,
    find_code,
    normalise_code,
    poll,
    request_code,
    revoke_screen,
)
from content.org.screens import Orientation, Panel, ScreenKind
from content.outbox import OutboxEvent

DATABASES = ("sqlite", "postgres")
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def _issue(
    session: Session, *, address: str = "10.0.0.1", now: datetime = NOW, rng: random.Random | None = None
) -> IssuedCode:
    if rng is None:
        return request_code(session, device="display", client="1920x1080", address=address, now=now)
    return request_code(session, device="display", client="1920x1080", address=address, now=now, rng=rng)


def _placement(factory: Factory, **overrides: object) -> Placement:
    fields: dict[str, object] = {"hall": factory.hall(), "name": "一楼大屏", "kind": ScreenKind.WALL} | overrides
    return Placement(**fields)  # type: ignore[arg-type]


def test_codes_use_only_the_alphabet_without_look_alikes() -> None:
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 25


def test_typed_codes_are_case_and_separator_tolerant() -> None:
    assert normalise_code(" k7q-m4x ") == "K7QM4X"
    assert normalise_code("k7q m4x") == "K7QM4X"
    for bad in ("K7QM4", "K7QM4XX", "K7QM4O", "K7QM45"):
        with pytest.raises(CodeRefused) as refused:
            normalise_code(bad)
        assert refused.value.reason == "malformed"


def test_neither_code_nor_secret_is_stored(session: Session) -> None:
    issued = _issue(session)
    row = session.get(EnrolmentCode, issued.id)
    assert row is not None
    stored = {getattr(row, c.key) for c in EnrolmentCode.__table__.columns}
    assert issued.code not in stored and issued.secret not in stored
    assert row.code_hash == row.live_code_hash == digest(issued.code)
    assert row.secret_hash == digest(issued.secret)
    assert len(issued.secret) >= 43  # 32 random bytes, urlsafe
    assert issued.expires_at == NOW + CODE_LIFETIME


def test_two_live_codes_are_never_equal_even_when_the_random_source_repeats(session: Session) -> None:
    first = _issue(session, rng=random.Random(42))
    second = _issue(session, rng=random.Random(42))  # draws the same first code, then another
    assert first.code != second.code
    live = session.scalars(select(EnrolmentCode.live_code_hash).where(EnrolmentCode.live_code_hash.is_not(None)))
    assert sorted(h for h in live if h) == sorted([digest(first.code), digest(second.code)])


def test_an_expired_code_may_be_drawn_again(session: Session) -> None:
    first = _issue(session, rng=random.Random(7))
    again = _issue(session, rng=random.Random(7), now=NOW + CODE_LIFETIME, address="10.0.0.2")
    assert again.code == first.code  # the first is no longer live, so its code is free
    old = session.get(EnrolmentCode, first.id)
    assert old is not None and old.state == CodeState.EXPIRED.value and old.live_code_hash is None


def test_requests_per_address_are_limited(session: Session) -> None:
    for _ in range(REQUEST_LIMIT):
        _issue(session)
    with pytest.raises(TooManyRequests) as limited:
        _issue(session)
    assert 0 < limited.value.retry_after <= 600
    _issue(session, address="10.0.0.9")  # another address is not held up
    _issue(session, now=NOW + timedelta(minutes=10, seconds=1))  # and the window passes


def test_a_claimed_code_delivers_its_new_screen_once(session: Session, make: Factory) -> None:
    issued = _issue(session)
    assert poll(session, issued.secret, NOW) is not None
    waiting = poll(session, issued.secret, NOW)
    assert waiting is not None and waiting.state is CodeState.WAITING and waiting.expires_at == issued.expires_at
    group = make.screen_group()
    placement = _placement(
        make,
        kind=ScreenKind.KIOSK,
        width_px=1080,
        height_px=1920,
        orientation=Orientation.PORTRAIT,
        panel=Panel.LCD,
        groups=(group,),
        tags=("入口", "一楼"),
    )
    row = find_code(session, issued.code.lower(), actor="tech", now=NOW + timedelta(minutes=1))
    claimed = claim(session, row, actor="tech", now=NOW + timedelta(minutes=1), placement=placement)
    screen = claimed.screen
    assert (screen.kind, screen.width_px, screen.height_px, screen.orientation) == ("kiosk", 1080, 1920, "portrait")
    assert screen.tags == ["一楼", "入口"] and [g.id for g in screen.groups] == [group.id]
    assert session.scalar(select(OutboxEvent).where(OutboxEvent.payload["kind"].as_string() == "screen")) is not None
    delivered = poll(session, issued.secret, NOW + timedelta(minutes=1, seconds=2))
    assert delivered is not None and delivered.state is CodeState.DELIVERED and delivered.screen is screen
    again = poll(session, issued.secret, NOW + timedelta(minutes=1, seconds=4))
    assert again is not None and again.state is CodeState.DELIVERED and again.screen is None


def test_wrong_expired_and_used_codes_are_refused_with_their_reason(session: Session, make: Factory) -> None:
    issued = _issue(session, rng=random.Random(1))
    wrong = "".join(ch for ch in "YYYYYY")
    assert wrong != issued.code
    with pytest.raises(CodeRefused) as refused:
        find_code(session, wrong, actor="tech", now=NOW)
    assert refused.value.reason == "unknown"
    row = find_code(session, issued.code, actor="tech", now=NOW)
    claim(session, row, actor="tech", now=NOW, placement=_placement(make))
    with pytest.raises(CodeRefused) as used:
        find_code(session, issued.code, actor="tech", now=NOW)
    assert used.value.reason == "used"
    late = _issue(session, address="10.0.0.3")
    with pytest.raises(CodeRefused) as expired:
        find_code(session, late.code, actor="tech", now=NOW + CODE_LIFETIME)
    assert expired.value.reason == "expired"
    gone = poll(session, late.secret, NOW + CODE_LIFETIME)
    assert gone is not None and gone.state is CodeState.EXPIRED


def test_wrong_codes_are_limited_per_account(session: Session) -> None:
    for _ in range(WRONG_CODE_LIMIT):
        with pytest.raises(CodeRefused):
            find_code(session, "YYYYYY", actor="tech", now=NOW)
    issued = _issue(session)
    with pytest.raises(TooManyRequests) as limited:
        find_code(session, issued.code, actor="tech", now=NOW)  # even the right code waits
    assert limited.value.what == "wrong codes"
    assert find_code(session, issued.code, actor="manager", now=NOW).id == issued.id  # another account may
    later = NOW + timedelta(minutes=10, seconds=1)  # the window passed
    fresh = _issue(session, address="10.0.0.5", now=later)
    assert find_code(session, fresh.code, actor="tech", now=later).id == fresh.id


def test_replacing_a_device_rekeys_the_screen_at_once(session: Session, make: Factory) -> None:
    screen = make.screen()
    old_key = screen.key
    issued = _issue(session)
    row = find_code(session, issued.code, actor="tech", now=NOW)
    claimed = claim(session, row, actor="tech", now=NOW, replace=screen)
    assert claimed.replaced and claimed.screen is screen and screen.key != old_key
    delivered = poll(session, issued.secret, NOW)
    assert delivered is not None and delivered.screen is screen


def test_revoking_rekeys_and_revokes_a_code_not_yet_collected(session: Session, make: Factory) -> None:
    issued = _issue(session)
    row = find_code(session, issued.code, actor="tech", now=NOW)
    screen = claim(session, row, actor="tech", now=NOW, placement=_placement(make)).screen
    key = screen.key
    assert revoke_screen(session, screen) == 1
    assert screen.key != key
    found = poll(session, issued.secret, NOW)
    assert found is not None and found.state is CodeState.REVOKED


def test_unknown_secret_polls_none(session: Session) -> None:
    assert poll(session, "no-such-secret", NOW) is None


def test_sweep_expires_waiting_and_uncollected_codes(session: Session, make: Factory) -> None:
    waiting = _issue(session)
    claimed_code = _issue(session, address="10.0.0.4")
    row = find_code(session, claimed_code.code, actor="tech", now=NOW)
    claim(session, row, actor="tech", now=NOW, placement=_placement(make))
    assert expire_sweep(session, NOW + timedelta(minutes=5)) == 0
    assert expire_sweep(session, NOW + CODE_LIFETIME) == 2
    states = {r.id: r.state for r in session.scalars(select(EnrolmentCode))}
    assert states[waiting.id] == states[claimed_code.id] == CodeState.EXPIRED.value
