"""The records seam (content.citizens.records): reading a card's identity, masking, and reprs that keep numbers out."""

from __future__ import annotations

from datetime import date

import pytest

from content.citizens.idnumbers import compose_id_number, mask_id_number, mask_id_number_for_log
from content.citizens.keyed_hash import derive_key, keyed_card_hash, keyed_id_hash
from content.citizens.records import (
    CardIdentity,
    CardSource,
    InvalidIdentity,
    PersonRecord,
    RecordsError,
    age_on,
    identity_from_card,
    mask_name,
    sex_label,
)

TODAY = date(2026, 11, 22)
NUMBER = compose_id_number("620102", date(1985, 3, 4), 123)
NAME = "欧阳明华"


def idcard(**fields: object) -> dict[str, object]:
    return {
        "document_kind": "resident",
        "id_number": NUMBER,
        "name": NAME,
        "sex_code": "1",
        "birth_date": "19850304",
        **fields,
    }


def test_an_idcard_identity_is_read_with_its_birth_date() -> None:
    identity = identity_from_card(CardSource.IDCARD, "idcard-1", idcard(), today=TODAY)
    assert (identity.id_number, identity.name, identity.birth_date) == (NUMBER, NAME, date(1985, 3, 4))
    assert identity.lookup == "id_number" and not identity.card_only


def test_a_lowercase_check_character_is_normalised() -> None:
    number = next(
        compose_id_number("620102", date(1990, 1, d), 11)
        for d in range(1, 29)
        if compose_id_number("620102", date(1990, 1, d), 11).endswith("X")
    )
    identity = identity_from_card(CardSource.IDCARD, "r", idcard(id_number=number.lower()), today=TODAY)
    assert identity.id_number == number


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"id_number": NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")}, "id_number", "check character"),
        ({"id_number": ""}, "id_number", "missing"),
        ({"name": "  "}, "name", "missing"),
        ({"document_kind": "passport"}, "document_kind", "expected one of"),
        ({"birth_date": "19851304"}, "birth_date", "calendar date"),
        ({"sex_code": "m"}, "sex_code", "GB/T 2261.1"),
        ({"id_number": 620102}, "id_number", "expected text"),
        ({"id_number": compose_id_number("620102", date(2030, 1, 1), 11)}, "id_number", "out of range"),
    ],
)
def test_a_bad_idcard_identity_names_the_field_and_never_the_number(
    fields: dict[str, object], field: str, fragment: str
) -> None:
    with pytest.raises(InvalidIdentity) as info:
        identity_from_card(CardSource.IDCARD, "idcard-1", idcard(**fields), today=TODAY)
    assert info.value.code == "invalid_identity" and info.value.field == field
    assert fragment in str(info.value)
    assert NUMBER[6:14] not in str(info.value)


def test_foreigners_cards_are_checked_for_shape_not_gb11643() -> None:
    identity = identity_from_card(
        CardSource.IDCARD, "r", idcard(document_kind="I", id_number="ABC123456789012", name=""), today=TODAY
    )
    assert identity.document_kind == "I" and identity.id_number == "ABC123456789012" and identity.name == ""
    with pytest.raises(InvalidIdentity, match="15 or 18"):
        identity_from_card(CardSource.IDCARD, "r", idcard(document_kind="Y", id_number="12345"), today=TODAY)


def test_a_taiwan_residents_permit_number_is_a_gb11643_number() -> None:
    number = compose_id_number("830000", date(1990, 2, 3), 21)
    identity = identity_from_card(CardSource.IDCARD, "r", idcard(document_kind="J", id_number=number), today=TODAY)
    assert identity.id_number == number


def test_an_ssc_read_without_psam_is_card_only() -> None:
    identity = identity_from_card(
        CardSource.SSC,
        "ssc-1",
        {
            "card_number": "a12345678",
            "card_id_code": "620100D156",
            "region_code": "620100",
            "generation": 3,
            "id_number": "",
            "name": "",
            "personal_fields_available": False,
        },
        today=TODAY,
    )
    assert identity.card_number == "A12345678"
    assert identity.card_only and identity.lookup == "card_number"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"card_number": ""}, "card_number"),
        ({"card_number": "A1234-678"}, "card_number"),
        ({"generation": "3"}, "generation"),
        ({"personal_fields_available": "no"}, "personal_fields_available"),
        ({"id_number": "620102198503041230"}, "id_number"),
    ],
)
def test_a_bad_ssc_identity_names_the_field(fields: dict[str, object], field: str) -> None:
    base = {
        "card_number": "A12345678",
        "generation": 2,
        "id_number": NUMBER,
        "name": NAME,
        "personal_fields_available": True,
    }
    with pytest.raises(InvalidIdentity) as info:
        identity_from_card(CardSource.SSC, "ssc-1", {**base, **fields}, today=TODAY)
    assert info.value.field == field


def test_an_ecard_needs_a_token() -> None:
    assert identity_from_card(CardSource.ECARD, "scan", {"token": "HRSS-ESSC:abc"}, today=TODAY).lookup == "ecard_token"
    with pytest.raises(InvalidIdentity, match="identity.token: missing"):
        identity_from_card(CardSource.ECARD, "scan", {}, today=TODAY)


def test_reprs_show_masked_numbers_only() -> None:
    identity = identity_from_card(
        CardSource.SSC,
        "ssc-1",
        {"card_number": "A12345678", "id_number": NUMBER, "name": NAME, "personal_fields_available": True},
        today=TODAY,
    )
    token_identity = CardIdentity(source=CardSource.ECARD, reader_id="scan", token="HRSS-ESSC:secret-token-body")
    person = PersonRecord(
        ref="demo:1",
        name=NAME,
        sex_code="1",
        birth_date=date(1985, 3, 4),
        masked_id=mask_id_number(NUMBER),
        region_code="620102",
    )
    for text in (repr(identity), str(identity), repr(person), str(person), repr(token_identity)):
        for secret in (NUMBER, NAME, "A12345678", "secret-token-body", NUMBER[6:14]):
            assert secret not in text, text
    assert mask_id_number_for_log(NUMBER) in repr(identity) and mask_id_number(NUMBER) not in repr(identity)
    assert mask_id_number_for_log(NUMBER) in repr(person) and mask_id_number(NUMBER) not in repr(person)
    assert "欧***" in repr(person)


def test_masks_and_labels() -> None:
    assert mask_name("张三") == "张*" and mask_name("欧阳明华") == "欧***" and mask_name("") == ""
    assert mask_id_number(NUMBER) == f"{NUMBER[:6]}********{NUMBER[-4:]}"
    assert mask_id_number("ABC123456789012") == "ABC**********12"
    assert (sex_label("1"), sex_label("2"), sex_label("")) == ("男", "女", "未知")
    assert age_on(date(1985, 3, 4), date(2026, 3, 3)) == 40 and age_on(date(1985, 3, 4), date(2026, 3, 4)) == 41


def test_keyed_hashes_depend_on_the_key_and_normalise() -> None:
    key, other = derive_key("secret", "records"), derive_key("secret", "agent-credentials")
    assert key != other and len(key) == 32
    assert keyed_id_hash(NUMBER, key) != keyed_id_hash(NUMBER, other)
    assert keyed_id_hash(f" {NUMBER.lower()} ", key) == keyed_id_hash(NUMBER, key)
    assert keyed_card_hash("a12345678", key) == keyed_card_hash("A12345678", key) != keyed_id_hash("A12345678", key)
    assert NUMBER not in keyed_id_hash(NUMBER, key)


def test_every_records_error_has_its_protocol_code() -> None:
    from content.citizens import records

    codes = {
        cls.code
        for cls in (
            records.InvalidIdentity,
            records.UnknownPerson,
            records.TokenExpired,
            records.TokenInvalid,
            records.BackendUnavailable,
        )
    }
    assert codes == {"invalid_identity", "unknown_person", "token_expired", "token_invalid", "backend_unavailable"}
    assert issubclass(records.UnknownPerson, RecordsError)
