"""Independent EF05/EF06 test vectors, assembled by hand from the field formats of docs/cards.md §1.

Every answer below is written out as hex, field by field (tag, length, value): format b (binary)
for the card identification code, cn (packed BCD, right-padded with ``F``) for dates and the nation,
an (ASCII, right-padded with ``00``) for the version, card number, ID number and sex, GBK padded with
``00`` to 30 bytes for the name and 20 for its extension. Nothing here comes from the simulator's or
the driver's own encoders, so a misunderstanding of the standard cannot hide in both at once.

``TableCard`` answers APDUs from a table and raises on any APDU it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.drivers import ssc_apdu as apdu
from devices.drivers.ssc_card import PSAM_MESSAGE, SocialSecurityCard
from devices.drivers.ssc_tlv import TlvError
from devices.errors import DeviceError, InvalidIdNumber


class UnknownApdu(AssertionError):
    """The driver sent an APDU the table does not hold."""


class TableCard:
    """``transmit`` for ``SocialSecurityCard``: answers each known APDU (hex) with its response (hex + SW).

    An answer given as a list is a sequence: the first time the first answer, then the next, and
    asking once more than the list holds raises too.
    """

    def __init__(self, table: Mapping[str, str | list[str]]) -> None:
        self.table: dict[str, list[str]] = {
            _hex(command): [_hex(a) for a in answer] if isinstance(answer, list) else [_hex(answer)] * 1_000
            for command, answer in table.items()
        }
        self.sent: list[str] = []

    def __call__(self, command: bytes) -> tuple[bytes, int, int]:
        key = command.hex().upper()
        self.sent.append(key)
        if not self.table.get(key):
            raise UnknownApdu(f"the card does not know APDU {key} (or was asked it too often)")
        answer = bytes.fromhex(self.table[key].pop(0))
        return answer[:-2], answer[-2], answer[-1]


def _hex(text: str) -> str:
    return text.replace(" ", "").upper()


# The commands, as docs/cards.md §1 writes them --------------------------------------------------------

SELECT_MF = "00A40000023F00"
SELECT_SSSE = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"  # "sx1.sh." + 社会保障 in GBK
SELECT_EF05 = "00A4020002EF05"
SELECT_EF06 = "00A4020002EF06"
READ_01 = "00B2010012"  # card id code, Le 0x12 = tag + length + 16 bytes
READ_03 = "00B2030006"  # spec version
READ_05 = "00B2050006"  # issue date
READ_06 = "00B2060006"  # expiry date
READ_07 = "00B207000B"  # card number
READ_08 = "00B2080014"  # ID number
READ_09 = "00B2090020"  # name
READ_4E = "00B24E0016"  # name extension
READ_0A = "00B20A0003"  # sex
READ_0B = "00B20B0003"  # nation
READ_0D = "00B20D0006"  # birth date

OK = "9000"
DENIED = "6982"  # security status not satisfied (3.0 card, no PSAM)
NO_RECORD = "6A83"
NO_FILE = "6A82"

# 卡识别码: 620100 (region: 兰州市) · D156000005 (RID) · 8A0B4F41C77B5E24 (card serial), 16 bytes binary.
CARD_ID_CODE = "620100D1560000058A0B4F41C77B5E24"
ID_ZHANG = "363230313032313938353033313230303133"  # "620102198503120013" (check character 3)
ID_LI = "313130313035313939303037313530303232"  # "110105199007150022"
ID_AHMAT = "363530313032313937383131323030303332"  # "650102197811200032"
NAME_ZHANG = "D5C5CEB0" + "00" * 26  # 张伟, GBK, 00-padded to 30 bytes


def ef05(
    *,
    code: str = "0110" + CARD_ID_CODE + OK,
    version: str = "0304 322E3030" + OK,  # "2.00"
    issue: str = "0504 20200601" + OK,
    expiry: str = "0604 20300601" + OK,
    number: str = "0709 413132333435363738" + OK,  # "A12345678"
) -> dict[str, str]:
    return {
        SELECT_SSSE: OK,
        SELECT_EF05: OK,
        READ_01: code,
        READ_03: version,
        READ_05: issue,
        READ_06: expiry,
        READ_07: number,
    }


def ef06(
    *,
    select: str = OK,
    id_number: str = "0812" + ID_ZHANG + OK,
    name: str = "091E" + NAME_ZHANG + OK,
    extension: str = NO_RECORD,
    sex: str = "0A01 31" + OK,  # "1"
    nation: str = "0B01 01" + OK,  # 01 汉
    birth: str = "0D04 19850312" + OK,
) -> dict[str, str]:
    return {
        SELECT_EF06: select,
        READ_08: id_number,
        READ_09: name,
        READ_4E: extension,
        READ_0A: sex,
        READ_0B: nation,
        READ_0D: birth,
    }


def read(table: Mapping[str, str | list[str]]):
    return SocialSecurityCard(TableCard(table)).read("vectors")


# Generations --------------------------------------------------------------------------------------------


def test_second_generation_card_reads_every_field():
    event = read(ef05() | ef06())
    assert event.card_id_code == CARD_ID_CODE
    assert event.region_code == "620100"
    assert (event.card_number, event.spec_version, event.generation) == ("A12345678", "2.00", 2)
    assert (event.issue_date, event.expiry_date) == ("20200601", "20300601")
    assert (event.id_number, event.name, event.sex_code, event.sex) == ("620102198503120013", "张伟", "1", "男")
    assert (event.nation_code, event.nation, event.birth_date) == ("01", "汉", "19850312")
    assert event.personal_fields_available and event.message == ""


def test_first_generation_card_wants_the_mf_first_and_has_no_name_extension():
    table: dict[str, str | list[str]] = {
        **ef05(version="0304 312E3000" + OK),  # "1.0", an-padded with 00
        **ef06(
            id_number="0812" + ID_LI + OK,
            name="091E C0EE88D2" + "00" * 26 + OK,  # 李堃: 堃 is a GBK extension character (88 D2)
            sex="0A01 32" + OK,
        ),
        # The SSSE is not found until the MF is selected; then it answers 61xx and GET RESPONSE fetches the FCI.
        SELECT_SSSE: [NO_FILE, "610F"],
        SELECT_MF: [OK],
        "00C000000F": ["6F0D 840B 7378312E73682EC9E7BBE1" + OK],
    }
    card = TableCard(table)
    event = SocialSecurityCard(card).read("vectors")
    assert (event.generation, event.spec_version) == (1, "1.0")
    assert (event.id_number, event.name, event.sex) == ("110105199007150022", "李堃", "女")
    assert card.sent[:4] == [SELECT_SSSE, SELECT_MF, SELECT_SSSE, "00C000000F"]


def test_name_extension_4e_is_appended():
    table = ef05() | ef06(
        id_number="0812" + ID_AHMAT + OK,
        name="091E B0A2B2B7B6C5C8C8BACFC2FC" + "00" * 18 + OK,  # 阿卜杜热合曼
        extension="4E14 A1A4C2F2C2F2CCE1" + "00" * 12 + OK,  # ·买买提
        nation="0B01 05" + OK,
        birth="0D04 19781120" + OK,
    )
    event = read(table)
    assert (event.name, event.nation) == ("阿卜杜热合曼·买买提", "维吾尔")


def test_rare_gbk_characters_whose_trail_bytes_look_like_ascii():
    # 陶赟 (赟 = DA 53, trail byte "S") and 龚昇 (昇 = 95 4E, trail byte = the 4E tag) stay whole.
    assert read(ef05() | ef06(name="091E CCD5DA53" + "00" * 26 + OK)).name == "陶赟"
    assert read(ef05() | ef06(name="091E B9A8954E" + "00" * 26 + OK)).name == "龚昇"
    assert read(ef05() | ef06(name="091E CDF586B4" + "00" * 26 + OK)).name == "王喆"


def test_third_generation_card_without_psam_is_identified_by_number_code_and_version():
    table = ef05(
        version="0304 332E3030" + OK,  # "3.00"
        issue=DENIED,
        expiry=DENIED,
        number="0709 433330303030303031" + OK,  # "C30000001"
    ) | {SELECT_EF06: OK, READ_08: DENIED}
    event = read(table)
    assert (event.generation, event.card_number, event.card_id_code) == (3, "C30000001", CARD_ID_CODE)
    assert event.region_code == "620100"
    assert not event.personal_fields_available and event.message == PSAM_MESSAGE
    assert (event.id_number, event.name, event.issue_date, event.expiry_date) == ("", "", "", "")


def test_third_generation_card_that_refuses_even_to_select_ef06():
    table = ef05(version="0304 332E3030" + OK) | {SELECT_EF06: DENIED}
    event = read(table)
    assert event.generation == 3 and not event.personal_fields_available
    assert (event.issue_date, event.expiry_date) == ("20200601", "20300601")


def test_third_generation_card_read_with_access_gives_the_person():
    event = read(ef05(version="0304 332E3030" + OK) | ef06())
    assert event.generation == 3 and event.personal_fields_available and event.id_number == "620102198503120013"


# Field formats ----------------------------------------------------------------------------------------


def test_card_id_code_is_binary_shown_as_upper_case_hex():
    code = "110000D156000005000000000000000A"
    event = read(ef05(code="0110" + code.lower() + OK) | ef06())
    assert event.card_id_code == code and event.region_code == "110000"


def test_card_id_code_without_the_rid_is_kept_as_read():
    code = "440300A00000000300112233445566FF"
    event = read(ef05(code="0110" + code + OK) | ef06())
    assert event.card_id_code == code and event.region_code == "440300"


@pytest.mark.parametrize(
    "code",
    [
        "0110 6A0100D1560000058A0B4F41C77B5E24",  # region code with a hex letter
        "0110 000000D1560000058A0B4F41C77B5E24",  # region code all zero
        "0110" + "00" * 16,  # NUL fill
        "010F 620100D1560000058A0B4F41C77B5E",  # 15 bytes: wrong length
        "0111 620100D1560000058A0B4F41C77B5E2400",  # 17 bytes: wrong length
    ],
)
def test_bad_card_id_codes_are_rejected(code):
    with pytest.raises(TlvError, match="EF05/01"):
        read(ef05(code=code + OK))


def test_f_padded_bcd_date_after_a_6cxx_resend():
    table = ef05() | ef06(birth="6C07")
    table["00B20D0007"] = "0D05 19850312FF" + OK
    assert read(table).birth_date == "19850312"


def test_non_bcd_nibble_in_a_date_is_rejected():
    with pytest.raises(TlvError, match="EF06/0D"):
        read(ef05() | ef06(birth="0D04 1985A312" + OK))


def test_invalid_check_character_is_rejected_without_the_number_in_the_message():
    with pytest.raises(InvalidIdNumber) as info:
        read(ef05() | ef06(id_number="0812 363230313032313938353033313230303158" + OK))  # ...001X
    assert "620102" not in str(info.value)


def test_id_number_of_the_wrong_length_is_rejected():
    with pytest.raises(InvalidIdNumber, match="18 characters"):
        read(ef05() | ef06(id_number="0811 3632303130323139383530333132303031" + OK))


def test_truncated_tlv_is_rejected():
    with pytest.raises(TlvError, match="announces 30 bytes"):
        read(ef05() | ef06(name="091E D5C5CEB0" + OK))


def test_record_with_another_tag_is_rejected():
    with pytest.raises(TlvError, match="does not contain tag 07"):
        read(ef05(number="0809 413132333435363738" + OK))


# Hostile input -------------------------------------------------------------------------------------------


def test_huge_answer_after_a_6cff_is_rejected():
    table = ef05(number="6CFF")
    table["00B20700FF"] = "07FD" + "FF" * 253 + OK
    with pytest.raises(TlvError, match="EF05/07"):
        read(table)


def test_answer_longer_than_any_record_is_rejected():
    with pytest.raises(TlvError, match="EF05/01"):
        read(ef05(code="0110" + CARD_ID_CODE + "00" * 4000 + OK))


def test_endless_61xx_chain_is_an_error_not_a_hang():
    table = ef05()
    table[SELECT_SSSE] = "61FF"
    table["00C00000FF"] = "FF" * 255 + "61FF"
    with pytest.raises(apdu.TooManyResponses):
        read(table)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"id_number": "0812" + "00" * 18 + OK}, InvalidIdNumber),
        ({"name": "091E" + "00" * 30 + OK}, TlvError),
        ({"sex": "0A01 00" + OK}, TlvError),
    ],
)
def test_nul_filled_person_fields_are_rejected(overrides, error):
    with pytest.raises(error):
        read(ef05() | ef06(**overrides))


def test_nul_filled_card_number_is_rejected():
    with pytest.raises(TlvError, match="EF05/07"):
        read(ef05(number="0709" + "00" * 9 + OK))


@pytest.mark.parametrize(
    "field",
    ["code", "version", "issue", "number"],
)
def test_ff_filled_ef05_answers_are_rejected(field):
    with pytest.raises(TlvError):
        read(ef05(**{field: "FF" * 18 + OK}))


def test_ff_filled_nation_reads_as_unknown():
    # A nation code of all F is an empty cn field (foreigners' cards): not a reason to refuse the card.
    event = read(ef05() | ef06(nation="0B01 FF" + OK))
    assert (event.nation_code, event.nation) == ("", None) and event.personal_fields_available


@pytest.mark.parametrize("field", ["id_number", "name", "sex", "birth"])
def test_ff_filled_values_in_ef06_are_rejected(field):
    tag = {"id_number": "0812", "name": "091E", "sex": "0A01", "birth": "0D04"}[field]
    size = int(tag[2:], 16)
    with pytest.raises(DeviceError):
        read(ef05() | ef06(**{field: tag + "FF" * size + OK}))


# Property: whatever the records hold, only the driver's own errors come out ----------------------------

_READS = (READ_01, READ_03, READ_05, READ_06, READ_07, READ_08, READ_09, READ_4E, READ_0A, READ_0B, READ_0D)
_SW = st.sampled_from([OK, OK, OK, DENIED, NO_RECORD, NO_FILE, "6A86", "6983", "9303", "6F00", "6281"])


@settings(max_examples=3_000, deadline=None)
@given(
    records=st.fixed_dictionaries({apdu_hex: st.binary(max_size=300) for apdu_hex in _READS}),
    words=st.fixed_dictionaries({apdu_hex: _SW for apdu_hex in _READS}),
)
def test_arbitrary_record_bytes_raise_only_the_drivers_errors(records, words):
    table = ef05() | ef06()
    for apdu_hex in _READS:
        table[apdu_hex] = records[apdu_hex].hex() + words[apdu_hex]
    try:
        event = read(table)
    except DeviceError:
        return
    assert len(event.card_id_code) == 32 and event.region_code.isdigit()
    assert event.generation in (1, 2, 3) and event.card_number.isalnum()


@settings(max_examples=1_000, deadline=None)
@given(records=st.fixed_dictionaries({apdu_hex: st.binary(min_size=2, max_size=40) for apdu_hex in _READS}))
def test_well_framed_records_with_arbitrary_values_raise_only_the_drivers_errors(records):
    # Tag and length right, value arbitrary: reaches every field decoder.
    table = ef05() | ef06()
    for apdu_hex in _READS:
        value = records[apdu_hex]
        table[apdu_hex] = apdu_hex[4:6] + f"{len(value):02X}" + value.hex() + OK
    try:
        read(table)
    except DeviceError:
        pass
