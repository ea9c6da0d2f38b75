"""Job families (工种大类) a citizen recognises at a kiosk, each a set of GB/T 6565 code prefixes.

A person without a 求职登记 states what they want in three taps (family, district, minimum pay:
docs/kiosk.md §6); the family is what the first tap offers. Twelve families cover the occupations
halls advertise (``content.library.occupations``) in words a citizen uses, not the classification's
(餐饮服务 rather than 住宿和餐饮服务人员). A family's ``key`` is its main prefix and never changes,
since a page may send it back; its ``prefixes`` are what the matcher is given as desired occupations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Family:
    """A job family: the key the kiosk sends, its zh-CN and English labels and its GB/T 6565 prefixes."""

    key: str
    label: str
    label_en: str
    prefixes: tuple[str, ...]

    def holds(self, occupation_code: str) -> bool:
        """Whether ``occupation_code`` lies under one of the family's prefixes (by whole code segments)."""
        return any(occupation_code == p or occupation_code.startswith(p + "-") for p in self.prefixes)


FAMILIES: Final[tuple[Family, ...]] = (
    Family("4-03", "餐饮服务", "Catering", ("4-03",)),
    Family("4-02", "快递物流", "Delivery and warehousing", ("4-02-05", "4-02-06", "4-02-07")),
    Family("4-07-05", "保安保洁", "Security, cleaning and property", ("4-07-05", "4-09", "4-06")),
    Family("4-10-01", "家政养老", "Housekeeping and elderly care", ("4-10-01",)),
    Family("6-29", "建筑装修", "Construction and decoration", ("6-29",)),
    Family("6-18", "生产制造", "Manufacturing and repair", ("6-18", "6-22", "6-28", "6-31", "4-12")),
    Family("4-02-02", "驾驶运输", "Driving and machinery", ("4-02-01", "4-02-02", "4-02-03", "4-02-04", "6-30")),
    Family("4-01", "销售客服", "Sales and customer service", ("4-01", "4-07-02", "4-05")),
    Family("4-10-03", "美容美发", "Beauty and hairdressing", ("4-10-03",)),
    Family("3", "办公文员", "Office and clerical", ("3",)),
    Family("2", "专业技术", "Professional and technical", ("2",)),
    Family("5", "农林牧渔", "Farming, forestry and fishing", ("5",)),
)

BY_KEY: Final = {f.key: f for f in FAMILIES}


def family(key: str) -> Family | None:
    """The family with ``key``, or None when there is none."""
    return BY_KEY.get(key)


def family_of(occupation_code: str) -> Family | None:
    """The first family holding ``occupation_code`` (None when no family does)."""
    return next((f for f in FAMILIES if f.holds(occupation_code)), None)
