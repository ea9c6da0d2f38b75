"""APDU builders, status-word handling, and the card protocol against the in-memory virtual card."""

from __future__ import annotations

import pytest

from devices.drivers import ssc_apdu as apdu
from devices.drivers.ssc_card import PSAM_MESSAGE, PinStatus, SocialSecurityCard
from devices.drivers.ssc_tlv import NameNotGbk
from devices.errors import InvalidIdNumber
from devices.simulators.ssc_card import PEOPLE, VirtualSscCard


class ScriptedCard:
    """A transmit callable answering from a script of (expected apdu, data, sw); fails on anything else."""

    def __init__(self, *steps: tuple[bytes, bytes, int]) -> None:
        self.steps = list(steps)

    def __call__(self, command: bytes) -> tuple[bytes, int, int]:
        assert self.steps, f"unexpected APDU {command.hex()}"
        expected, data, sw = self.steps.pop(0)
        assert command == expected, f"expected {expected.hex()}, got {command.hex()}"
        return data, sw >> 8, sw & 0xFF


def transmit_to(card: VirtualSscCard):
    def transmit(command: bytes) -> tuple[bytes, int, int]:
        answer = card.process(command)
        return answer[:-2], answer[-2], answer[-1]

    return transmit


# builders ------------------------------------------------------------------------------------------


def test_builders_match_the_reference_bytes():
    assert apdu.select_mf().hex().upper() == "00A40000023F00"
    assert apdu.select_ssse().hex().upper() == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    assert apdu.select_ef(apdu.EF05).hex().upper() == "00A4020002EF05"
    assert apdu.select_ef(apdu.EF06).hex().upper() == "00A4020002EF06"
    assert apdu.read_record_by_tag(0x08, 0x14).hex().upper() == "00B2080014"
    assert apdu.get_response(0x1A).hex().upper() == "00C000001A"


def test_verify_pin_packs_bcd_and_pads_odd_lengths():
    assert apdu.verify_pin("123456").hex().upper() == "0020000003123456"
    assert apdu.verify_pin("12345").hex().upper() == "002000000312345F"


@pytest.mark.parametrize("pin", ["", "123", "12a456", "１２３４", "1234567890123"])
def test_verify_pin_rejects_non_digit_or_bad_length(pin):
    with pytest.raises(ValueError):
        apdu.verify_pin(pin)


# status words ----------------------------------------------------------------------------------------


def test_exchange_returns_data_on_9000():
    card = ScriptedCard((apdu.select_mf(), b"", 0x9000))
    assert apdu.exchange(card, apdu.select_mf(), "select MF") == b""


def test_exchange_follows_61xx_with_get_response():
    card = ScriptedCard((apdu.select_ssse(), b"", 0x6104), (apdu.get_response(4), b"\x6f\x02\x84\x00", 0x9000))
    assert apdu.exchange(card, apdu.select_ssse(), "select SSSE") == b"\x6f\x02\x84\x00"
    assert not card.steps


def test_exchange_resends_with_the_le_a_6cxx_asks_for():
    card = ScriptedCard(
        (apdu.read_record_by_tag(7, 0x20), b"", 0x6C0B),
        (apdu.read_record_by_tag(7, 0x0B), b"\x07\x09ABCDEFGHI", 0x9000),
    )
    assert apdu.exchange(card, apdu.read_record_by_tag(7, 0x20), "read") == b"\x07\x09ABCDEFGHI"


def test_endless_61xx_is_an_error_not_a_hang():
    class Endless:
        def __call__(self, command):
            return b"x", 0x61, 0x01

    with pytest.raises(apdu.TooManyResponses):
        apdu.exchange(Endless(), apdu.select_mf(), "select MF")


@pytest.mark.parametrize(
    ("sw", "error", "words"),
    [
        (0x6982, apdu.SecurityStatusNotSatisfied, "PSAM"),
        (0x6983, apdu.AuthenticationBlocked, "locked"),
        (0x6A82, apdu.FileNotFound, "not found"),
        (0x6A83, apdu.RecordNotFound, "record not found"),
        (0x6A86, apdu.BadParameters, "P1/P2"),
        (0x63C2, apdu.WrongPin, "2 tries left"),
        (0x9303, apdu.ApplicationLocked, "permanently locked"),
        (0x6F00, apdu.CardStatusError, "unexpected"),
    ],
)
def test_each_status_word_raises_its_specific_error(sw, error, words):
    card = ScriptedCard((apdu.select_mf(), b"", sw))
    with pytest.raises(error) as info:
        apdu.exchange(card, apdu.select_mf(), "select MF")
    assert type(info.value) is error
    assert words in str(info.value) and f"{sw:04X}" in str(info.value) and "select MF" in str(info.value)


def test_wrong_pin_carries_tries_left():
    assert apdu.status_error("verify PIN", 0x63, 0xC1).tries_left == 1


# the card protocol over the in-memory virtual card --------------------------------------------------


@pytest.mark.parametrize("generation", [1, 2])
def test_reads_ef05_and_ef06_of_first_and_second_generation_cards(generation):
    person = PEOPLE[0]
    event = SocialSecurityCard(transmit_to(VirtualSscCard(person, generation=generation))).read("r1")
    assert event.generation == generation and event.spec_version == f"{generation}.00"
    assert event.personal_fields_available and event.message == ""
    assert (event.id_number, event.name, event.sex, event.nation) == (person.id_number, person.name, "男", "汉")
    assert event.birth_date == person.birth_date
    assert (event.issue_date, event.expiry_date) == ("20200601", "20300601")
    assert event.region_code == person.id_number[:6] and len(event.card_number) == 9


def test_the_simulator_writes_the_card_id_code_in_binary_as_real_cards_do():
    card = VirtualSscCard(PEOPLE[0], card_number="A12345678", region="620100")
    raw = card.ef05[0x01]
    assert len(raw) == 16 and raw[:8] == bytes.fromhex("620100D156000005")
    event = SocialSecurityCard(transmit_to(card)).read()
    assert event.card_id_code == raw.hex().upper() and len(event.card_id_code) == 32
    assert event.card_id_code.startswith("620100D156000005") and event.region_code == "620100"


def test_name_extension_is_appended_on_second_generation_cards_only():
    person = PEOPLE[2]
    assert SocialSecurityCard(transmit_to(VirtualSscCard(person, generation=2))).read().name == "阿卜杜热合曼·买买提"
    assert SocialSecurityCard(transmit_to(VirtualSscCard(person, generation=1))).read().name == "阿卜杜热合曼"


def test_falls_back_to_selecting_the_mf_first():
    event = SocialSecurityCard(transmit_to(VirtualSscCard(PEOPLE[1], require_mf_first=True))).read()
    assert event.id_number == PEOPLE[1].id_number and event.sex == "女"


def test_third_generation_card_is_identified_without_a_psam():
    card = VirtualSscCard(PEOPLE[3], generation=3, card_number="A12345678")
    event = SocialSecurityCard(transmit_to(card)).read()
    assert event.generation == 3 and event.card_number == "A12345678"
    assert not event.personal_fields_available and event.message == PSAM_MESSAGE
    assert "PSAM" in event.message
    assert (event.id_number, event.name, event.issue_date) == ("", "", "")


def test_invalid_id_number_on_the_card_is_a_specific_error_without_the_number():
    card = VirtualSscCard(PEOPLE[0])
    bad = PEOPLE[0].id_number[:-1] + ("0" if PEOPLE[0].id_number[-1] != "0" else "1")
    card.ef06[0x08] = bad.encode()
    with pytest.raises(InvalidIdNumber) as info:
        SocialSecurityCard(transmit_to(card)).read()
    assert bad not in str(info.value)


def test_name_that_is_not_gbk_is_a_specific_error():
    card = VirtualSscCard(PEOPLE[0])
    card.ef06[0x09] = b"\xff\xfe" + b"\x00" * 28
    with pytest.raises(NameNotGbk):
        SocialSecurityCard(transmit_to(card)).read()


def test_pin_right_wrong_with_tries_left_then_locked():
    card = SocialSecurityCard(transmit_to(VirtualSscCard(PEOPLE[0], pin="123456", pin_tries=3)))
    assert card.verify_pin("123456").status is PinStatus.OK
    assert (card.verify_pin("000000").status, card.verify_pin("000000").tries_left) == (PinStatus.WRONG, 1)
    assert card.verify_pin("000000").status is PinStatus.LOCKED
    assert card.verify_pin("123456").status is PinStatus.LOCKED
