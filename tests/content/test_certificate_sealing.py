"""The domain of a trusted 参保证明 (issue 21), on SQLite and PostgreSQL: the sealed identity and its every end,
codes without look-alikes, seal images checked by content, signing identities sealed at rest."""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from content_factories import Factory
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.citizens.certificate_codes import ALPHABET, CODE_LENGTH, lookup_hashes, new_code, normalise_code
from content.citizens.certificates import find_certificate
from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState
from content.citizens.records import CardIdentity, CardSource, PersonRecord
from content.citizens.seal_images import MAX_BYTES, SealImageError, check_png, seal_for_hall, set_seal
from content.citizens.sealed import FullIdentity, seal_identity, unseal_identity
from content.citizens.sessions import (
    CitizenSession,
    EndReason,
    end_expired,
    end_for_reader,
    end_session_by_token,
    end_sessions,
    open_session,
    reissue_token,
)
from content.citizens.signing_keys import (
    SigningIdentity,
    generate_identity,
    identity_for_hall,
    import_pkcs12,
    open_identity,
    self_signed,
)
from content.errors import ValidationError
from content.org.screens import Screen
from content.org.tree import OrgUnit

DATABASES = ("sqlite", "postgres")
T0 = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
IDLE, MAX = 60, 100
NAME, ID_NUMBER = "欧阳明华", "62010219900506123X"
PERSON = PersonRecord("demo:7", NAME, "2", date(1990, 5, 6), "620102********123X", "620102")
SEAL_KEY = bytes(range(32))


@pytest.fixture
def kiosk(make: Factory) -> Screen:
    return make.screen(kind="kiosk", name="自助终端1")


def opened(
    session: Session, screen: Screen, reader_id: str = "idcard-1", at: datetime = T0
) -> tuple[CitizenSession, str]:
    identity = CardIdentity(source=CardSource.IDCARD, reader_id=reader_id, id_number=ID_NUMBER, name=NAME)
    citizen, token, _ = open_session(session, screen, PERSON, identity, at, IDLE, MAX)
    session.commit()
    return citizen, token


def stored_blob(session: Session, citizen_id: int) -> bytes | None:
    session.expire_all()
    return session.scalar(select(CitizenSession.sealed_identity).where(CitizenSession.id == citizen_id))


def test_the_session_row_holds_the_identity_sealed_under_the_token_only(session: Session, kiosk: Screen) -> None:
    citizen, token = opened(session, kiosk)
    blob = stored_blob(session, citizen.id)
    assert blob is not None and ID_NUMBER.encode() not in blob and NAME.encode() not in blob
    assert unseal_identity(blob, token) == FullIdentity(NAME, ID_NUMBER)
    assert unseal_identity(blob, token + "x") is None and unseal_identity(blob[:-1], token) is None
    assert ID_NUMBER not in repr(FullIdentity(NAME, ID_NUMBER)) and NAME not in repr(FullIdentity(NAME, ID_NUMBER))
    assert unseal_identity(seal_identity(FullIdentity(NAME, ""), token), token) == FullIdentity(NAME, "")


def _removed(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    end_sessions(session, kiosk.id, EndReason.CARD_REMOVED, T0 + timedelta(seconds=5), reader_id=citizen.reader_id)


def _idle(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    assert end_expired(session, T0 + timedelta(seconds=IDLE)) != []


def _hard_max(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    citizen.expires_at = citizen.hard_expires_at  # kept busy: only the hard maximum ends it
    session.flush()
    assert end_expired(session, T0 + timedelta(seconds=MAX)) != []


def _replaced(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    opened(session, kiosk, reader_id="idcard-2", at=T0 + timedelta(seconds=3))


def _finish(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    assert end_session_by_token(session, token, EndReason.FINISHED, T0 + timedelta(seconds=3)) is not None


def _reader_gone(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    report = ReaderReport(citizen.reader_id, ReaderKind.IDCARD_SERIAL, ReaderState.DETACHED)
    assert end_for_reader(session, kiosk.id, report, T0 + timedelta(seconds=3)) != []


def _reissued(session: Session, kiosk: Screen, citizen: CitizenSession, token: str) -> None:
    reissue_token(citizen)


ENDS: dict[str, Callable[[Session, Screen, CitizenSession, str], None]] = {
    "card_removed": _removed,
    "idle_timeout": _idle,
    "hard_max": _hard_max,
    "replaced": _replaced,
    "finished": _finish,
    "reader_detached": _reader_gone,
    "token_reissued": _reissued,
}


@pytest.mark.parametrize("end", list(ENDS))
def test_the_sealed_identity_is_wiped_by_every_end(session: Session, kiosk: Screen, end: str) -> None:
    citizen, token = opened(session, kiosk)
    assert stored_blob(session, citizen.id) is not None
    ENDS[end](session, kiosk, citizen, token)
    session.commit()
    assert stored_blob(session, citizen.id) is None


# -- codes -------------------------------------------------------------------------------------------------------------


def test_codes_use_no_look_alikes_and_come_in_groups_of_four() -> None:
    assert not set("0O1IL") & set(ALPHABET) and len(ALPHABET) == 31
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4] * 5 and set("".join(groups)) <= set(ALPHABET)
    assert CODE_LENGTH == 20


def test_a_code_is_found_in_any_case_with_or_without_separators(session: Session, make: Factory, kiosk: Screen) -> None:
    from content.citizens.certificates import issue_certificate
    from tests.content.test_certificates import person_records

    citizen, _ = opened(session, kiosk)
    issued = issue_certificate(session, citizen, person_records(), "城关区公共就业服务中心", T0)
    session.commit()
    code = issued.code
    plain = code.replace("-", "")
    for typed in (
        code,
        code.lower(),
        plain,
        plain.lower(),
        " ".join(code.split("-")),
        f"  {code.lower()}  ",
        code.replace("-", "－"),
    ):
        assert find_certificate(session, typed) == issued.cert, typed
    assert normalise_code(plain[:-1]) is None and find_certificate(session, plain[:-1]) is None
    assert find_certificate(session, plain[:-1] + ("2" if plain[-1] != "2" else "3")) is None


def test_old_style_codes_still_verify(session: Session, kiosk: Screen) -> None:
    """A code issued before (token_urlsafe(16), case-sensitive, hashed as printed) is still found."""
    from content.citizens.certificates import issue_certificate
    from tests.content.test_certificates import person_records

    citizen, _ = opened(session, kiosk)
    cert = issue_certificate(session, citizen, person_records(), "大厅", T0).cert
    old = secrets.token_urlsafe(16)
    cert.code_hash = hashlib.sha256(old.encode()).hexdigest()
    session.commit()
    assert find_certificate(session, old) == cert
    assert hashlib.sha256(old.encode()).hexdigest() in lookup_hashes(old)
    if old != old.swapcase():
        assert find_certificate(session, old.swapcase()) is None, "old codes stay case-sensitive"
    assert find_certificate(session, "x" * 65) is None and find_certificate(session, "") is None


# -- seal images ---------------------------------------------------------------------------------------------------------


def png(width: int = 120, height: int = 120, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 16, 46, 128) if mode == "RGBA" else (200, 16, 46)).save(out, format="PNG")
    return out.getvalue()


def test_a_seal_must_be_a_whole_png_within_limits() -> None:
    good = check_png(png())
    assert (good.width, good.height, good.has_alpha) == (120, 120, True)
    assert check_png(png(mode="RGB")).has_alpha is False
    jpeg = io.BytesIO()
    Image.new("RGB", (10, 10)).save(jpeg, format="JPEG")
    cases = {
        "empty": b"",
        "not_png": jpeg.getvalue(),
        "broken_png": png()[:-40],  # truncated: the header is fine, the pixels are not all there
        "too_big": png()[:8] + b"\0" * MAX_BYTES,
        "too_large": png(2001, 10),
    }
    for code, data in cases.items():
        with pytest.raises(SealImageError) as refused:
            check_png(data)
        assert refused.value.code == code, code
    named_png = b"GIF89a" + png()[6:]
    with pytest.raises(SealImageError, match="not a PNG"):
        check_png(named_png)


def test_a_hall_without_a_seal_uses_its_nearest_ancestors(session: Session, make: Factory) -> None:
    hall = make.hall(name="城关区公共就业服务中心")
    unit = session.get(OrgUnit, hall.org_unit_id)
    assert unit is not None
    assert seal_for_hall(session, hall) is None
    root_id = unit.ancestor_ids()[0]
    province = set_seal(session, check_png(png(100, 100)), "t", T0, org_unit_id=root_id)
    assert seal_for_hall(session, hall) == province
    if unit.id != root_id:
        nearer = set_seal(session, check_png(png(90, 90)), "t", T0, org_unit_id=unit.id)
        assert seal_for_hall(session, hall) == nearer
    own = set_seal(session, check_png(png(80, 80)), "t", T0, hall_id=hall.id)
    assert seal_for_hall(session, hall) == own
    again = set_seal(session, check_png(png(70, 70)), "t", T0, hall_id=hall.id)
    assert again.id == own.id and again.width == 70, "a new upload replaces the hall's seal"


# -- signing identities -----------------------------------------------------------------------------------------------


def test_a_generated_identity_is_sealed_at_rest_and_inherited(session: Session, make: Factory) -> None:
    hall = make.hall(name="城关区公共就业服务中心")
    unit = session.get(OrgUnit, hall.org_unit_id)
    assert unit is not None and identity_for_hall(session, hall) is None
    root = session.get(OrgUnit, unit.ancestor_ids()[0])
    assert root is not None
    row = generate_identity(session, root, "甘肃省人力资源和社会保障厅", SEAL_KEY, T0)
    session.commit()
    assert identity_for_hall(session, hall) == row and row.subject_name == "甘肃省人力资源和社会保障厅"
    assert b"PRIVATE KEY" not in row.key_sealed
    opened_ = open_identity(row, SEAL_KEY)
    assert opened_ is not None and opened_.chain[0].subject.rfc4514_string().endswith("C=CN")
    assert open_identity(row, bytes(32)) is None, "another server secret cannot open it"
    with pytest.raises(ValidationError):
        generate_identity(session, root, "  ", SEAL_KEY, T0)


def test_a_pkcs12_file_is_imported_and_a_bad_one_is_refused(session: Session, make: Factory) -> None:
    hall = make.hall(name="城关区公共就业服务中心")
    unit = session.get(OrgUnit, hall.org_unit_id)
    assert unit is not None
    key, cert = self_signed("城关区人社局", datetime.now(UTC))
    data = pkcs12.serialize_key_and_certificates(b"x", key, cert, None, BestAvailableEncryption(b"pw"))
    row = import_pkcs12(session, unit, data, b"pw", SEAL_KEY, datetime.now(UTC))
    assert identity_for_hall(session, hall) == row and row.subject_name == "城关区人社局"
    for bad, password in ((data, b"wrong"), (b"not a pkcs12 file", None)):
        with pytest.raises(ValidationError, match="PKCS#12"):
            import_pkcs12(session, unit, bad, password, SEAL_KEY, datetime.now(UTC))
    assert len(session.scalars(select(SigningIdentity)).all()) == 1
    old_key, expired = self_signed("过期", datetime.now(UTC) - timedelta(days=10), days=1)
    with pytest.raises(ValidationError, match="expired"):
        import_pkcs12(
            session,
            unit,
            pkcs12.serialize_key_and_certificates(b"x", old_key, expired, None, BestAvailableEncryption(b"pw")),
            b"pw",
            SEAL_KEY,
            datetime.now(UTC),
        )
