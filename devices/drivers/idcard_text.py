"""Decoding of the 256-byte UCS-2LE text block of a GA/T 467 read, for all four document kinds.

Offsets are in bytes, from ``docs/cards.md`` §2. The byte at offset 248 tells the kind.
"""

from __future__ import annotations

from typing import Final

from content.citizens.idnumbers import id_number_problem
from devices.drivers.codes import nation_label, sex_label
from devices.drivers.idcard_protocol import TEXT_SIZE
from devices.errors import InvalidIdNumber, TextBlockError
from devices.events import DocumentKind, IdCardRead

KIND_OFFSET: Final = 248
_KINDS: Final = {"J": DocumentKind.HK_MACAO_TAIWAN, "I": DocumentKind.FOREIGNER_OLD, "Y": DocumentKind.FOREIGNER_2023}

# field name -> (offset, length) in bytes
RESIDENT_LAYOUT: Final = {
    "name": (0, 30),
    "sex_code": (30, 2),
    "nation_code": (32, 4),
    "birth_date": (36, 16),
    "address": (52, 70),
    "id_number": (122, 36),
    "issuing_authority": (158, 30),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
}
PERMIT_J_LAYOUT: Final = {
    **{k: v for k, v in RESIDENT_LAYOUT.items() if k != "nation_code"},
    "permit_number": (220, 18),
    "issue_count": (238, 4),
}
FOREIGNER_I_LAYOUT: Final = {
    "english_name": (0, 120),
    "sex_code": (120, 2),
    "id_number": (122, 30),
    "nationality": (152, 6),
    "name": (158, 30),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
    "birth_date": (220, 16),
    "card_version": (236, 4),
    "issuing_authority": (240, 8),
}
FOREIGNER_Y_LAYOUT: Final = {
    "name": (0, 30),
    "sex_code": (30, 2),
    "card_version": (32, 4),
    "birth_date": (36, 16),
    "english_name": (52, 70),
    "id_number": (122, 36),
    "issuing_authority": (158, 30),
    "valid_from": (188, 16),
    "valid_to": (204, 16),
    "english_name_2": (220, 22),
    "nationality": (242, 6),
    "previous_number_link": (250, 6),
}
LAYOUTS: Final = {
    DocumentKind.RESIDENT: RESIDENT_LAYOUT,
    DocumentKind.HK_MACAO_TAIWAN: PERMIT_J_LAYOUT,
    DocumentKind.FOREIGNER_OLD: FOREIGNER_I_LAYOUT,
    DocumentKind.FOREIGNER_2023: FOREIGNER_Y_LAYOUT,
}
# Padding seen on cards: spaces, and NULs on blank fields.
_PADDING: Final = " \x00\u3000"


def document_kind(block: bytes) -> DocumentKind:
    """The kind of document by the UCS-2LE character at offset 248 (anything else is a resident card)."""
    return _KINDS.get(block[KIND_OFFSET : KIND_OFFSET + 2].decode("utf-16-le", "replace"), DocumentKind.RESIDENT)


def _field(block: bytes, name: str, span: tuple[int, int]) -> str:
    offset, length = span
    try:
        return block[offset : offset + length].decode("utf-16-le").strip(_PADDING)
    except UnicodeDecodeError as err:
        raise TextBlockError(name, f"bytes {offset}..{offset + length - 1} are not valid UCS-2LE") from err


def decode_text_block(block: bytes, *, reader_id: str = "", validate_id_number: bool = True) -> IdCardRead:
    """Decode a 256-byte text block into an ``IdCardRead``.

    Raises ``TextBlockError`` for a wrong size or undecodable field, and ``InvalidIdNumber`` when the
    ID number of a resident card or J permit fails GB 11643 (the message never contains the number).
    """
    if len(block) != TEXT_SIZE:
        raise TextBlockError("text", f"a text block has {TEXT_SIZE} bytes, got {len(block)}")
    kind = document_kind(block)
    values = {name: _field(block, name, span) for name, span in LAYOUTS[kind].items()}
    if kind in (DocumentKind.RESIDENT, DocumentKind.HK_MACAO_TAIWAN) and validate_id_number:
        problem = id_number_problem(values["id_number"], from_card=True)
        if problem:
            raise InvalidIdNumber(problem)
    if "english_name_2" in values:
        # Y cards split the English name: characters 1–35 at offset 52, 36–46 at offset 220.
        first = block[52:122].decode("utf-16-le").rstrip(_PADDING)
        values["english_name"] = (first + values.pop("english_name_2")).strip(_PADDING)
    nation_code = values.get("nation_code", "")
    return IdCardRead(
        reader_id=reader_id,
        kind=kind,
        sex=sex_label(values["sex_code"]),
        nation=nation_label(nation_code) if nation_code else None,
        **values,
    )
