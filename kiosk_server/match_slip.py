"""The printed list of matched vacancies (岗位清单) as ESC/POS bytes for the kiosk's slip printer.

What a citizen takes to the counter: for each vacancy its title, employer, pay, district and
contact, then 请携带本单到人工窗口咨询. Vacancies are public; the list carries nothing of the person
(no name, no ID number, not even the reasons, which say what the person asked for). Printed like the
queue slip (``kiosk_server/ticket_slip.py``: Chinese character mode, GB18030, control characters
stripped from every text), with the hall's name and the print time on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kiosk_server.ticket_slip import (
    ALIGN_CENTER,
    ALIGN_LEFT,
    BOLD_OFF,
    BOLD_ON,
    CHINESE_OFF,
    CHINESE_ON,
    ESC,
    FEED_LINES,
    INIT,
    LF,
    PARTIAL_CUT,
    SIZE_NORMAL,
    SIZE_TALL,
    SlipError,
    issue_time,
)
from kiosk_server.ticket_slip import _text as text_line  # one rule for printable text: control characters go

TITLE: Final = "岗位推荐清单"
TAKE_IT: Final = "请携带本单到人工窗口咨询"
MAX_ITEMS: Final = 10
RULE: Final = "-" * 32


@dataclass(frozen=True)
class ListedVacancy:
    """One vacancy as the list prints it."""

    title: str
    employer: str
    pay: str  # the vacancy's salary text (3000-4000元, 面议)
    district: str
    contact: str


@dataclass(frozen=True)
class MatchList:
    """What the list says; ``printed_at`` is aware, printed in ``timezone`` (the hall's)."""

    hall_name: str
    vacancies: Sequence[ListedVacancy]
    printed_at: datetime
    timezone: str


def match_list_bytes(content: MatchList) -> bytes:
    """The ESC/POS job printing ``content``, from reset to cut."""
    if not content.vacancies:
        raise SlipError("vacancies: the list needs at least one vacancy")
    if len(content.vacancies) > MAX_ITEMS:
        raise SlipError(f"vacancies: at most {MAX_ITEMS}, got {len(content.vacancies)}")
    out = bytearray(INIT + CHINESE_ON + ALIGN_CENTER)
    out += BOLD_ON + SIZE_TALL + text_line(content.hall_name) + SIZE_NORMAL + BOLD_OFF
    out += text_line(TITLE)
    out += text_line(issue_time(content.printed_at, content.timezone))
    out += ALIGN_LEFT
    for number, vacancy in enumerate(content.vacancies, start=1):
        out += text_line(RULE)
        out += BOLD_ON + text_line(f"{number}. {vacancy.title}") + BOLD_OFF
        out += text_line(f"单位：{vacancy.employer}")
        out += text_line(f"薪资：{vacancy.pay}")
        if vacancy.district:
            out += text_line(f"地区：{vacancy.district}")
        if vacancy.contact:
            out += text_line(f"联系：{vacancy.contact}")
    out += text_line(RULE)
    out += ALIGN_CENTER + LF + BOLD_ON + text_line(TAKE_IT) + BOLD_OFF
    out += ALIGN_LEFT + CHINESE_OFF + ESC + b"d" + bytes((FEED_LINES,)) + PARTIAL_CUT
    return bytes(out)
