"""Vocational certificates and licences the matcher recognises, each under one canonical name with the ways texts write it.

A job seeker says 叉车证; a vacancy asks for 特种设备作业人员证（N1叉车或Q2桥门式起重机）. Both are
read through the same patterns, so the seeker's 叉车证 satisfies the vacancy. Driving licences
cover the lower classes (GB/T driving-licence classes: a B2 holder may drive what C1 allows), so
C1及以上驾驶证 is met by A1, A2, A3, B1, B2 or C1. Names are short enough for a reason on a kiosk
(要求证书：叉车证 ✓). The table holds what the demo's vacancies and Gansu's halls commonly ask for;
a certificate it does not know still counts through the text score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Certificate:
    name: str  # canonical, as a reason shows it
    name_en: str
    pattern: re.Pattern[str]  # how a requirement or a person's list writes it
    covers: tuple[str, ...] = ()  # canonical names a holder also satisfies (lower driving-licence classes)


def _licence(cls: str, covers: tuple[str, ...]) -> Certificate:
    pattern = re.compile(rf"(?<![A-Za-z0-9]){cls}(?![0-9])")
    return Certificate(f"{cls}驾驶证", f"{cls} driving licence", pattern, tuple(f"{c}驾驶证" for c in covers))


CERTIFICATES: Final = (
    Certificate("叉车证", "forklift licence", re.compile(r"叉车|(?<![A-Za-z0-9])N1(?![0-9])")),
    Certificate("起重机证", "crane licence", re.compile(r"起重机|(?<![A-Za-z0-9])Q[12](?![0-9])")),
    Certificate("电工证", "electrician licence", re.compile(r"电工证|电工作业|电工操作证|电工特种作业|电工上岗证")),
    Certificate("焊工证", "welder licence", re.compile(r"焊工证|焊接与热切割|焊接作业|焊工操作证")),
    Certificate("健康证", "health certificate", re.compile(r"健康证")),
    Certificate("保安员证", "security guard licence", re.compile(r"保安员?证")),
    Certificate("护士执业证", "nurse licence", re.compile(r"护士执业")),
    Certificate("会计资格", "accounting qualification", re.compile(r"会计专业技术资格|会计证|会计师证")),
    Certificate("育婴员证", "infant care certificate", re.compile(r"育婴[员师](?:职业技能等级)?证")),
    Certificate("保育员证", "nursery certificate", re.compile(r"保育员(?:职业技能等级)?证")),
    Certificate("养老护理员证", "elderly care certificate", re.compile(r"养老护理员?(?:职业技能等级)?证")),
    Certificate(
        "消防设施操作员证", "fire equipment operator certificate", re.compile(r"消防设施操作员(?:职业技能等级)?证")
    ),
    Certificate("司炉证", "boiler operator licence", re.compile(r"司炉|(?<![A-Za-z0-9])G[12](?![0-9])")),
    Certificate("登高架设证", "work-at-height licence", re.compile(r"登高架设|架子工证")),
    Certificate("挖掘机证", "excavator licence", re.compile(r"挖掘机(?:操作)?证")),
    Certificate("农机驾驶证", "farm machinery licence", re.compile(r"拖拉机|联合收割机|农机驾驶证")),
    Certificate("车工证", "lathe operator certificate", re.compile(r"车工(?:职业技能等级)?证")),
    Certificate("汽车维修工证", "car mechanic certificate", re.compile(r"汽车维修工?(?:职业技能等级)?证")),
    Certificate("货运从业资格证", "freight transport qualification", re.compile(r"货物?运输?从业资格")),
    Certificate("客运从业资格证", "passenger transport qualification", re.compile(r"旅?客运输?从业资格")),
    _licence("A1", ("A3", "B1", "B2", "C1", "C2")),
    _licence("A2", ("B1", "B2", "C1", "C2")),
    _licence("A3", ("C1", "C2")),
    _licence("B1", ("C1", "C2")),
    _licence("B2", ("C1", "C2")),
    _licence("C1", ("C2",)),
    _licence("C2", ()),
)

BY_NAME: Final = {c.name: c for c in CERTIFICATES}
BITS: Final = {c.name: 1 << i for i, c in enumerate(CERTIFICATES)}  # fits an unsigned 64-bit column


@dataclass(frozen=True)
class Mention:
    """Where a text names a certificate: ``text[start:end]`` is read as ``name``."""

    start: int
    end: int
    name: str


def mentions(text: str) -> tuple[Mention, ...]:
    """Every certificate ``text`` names, in reading order (one per place: the first table entry wins)."""
    found: list[Mention] = []
    for certificate in CERTIFICATES:
        found.extend(Mention(m.start(), m.end(), certificate.name) for m in certificate.pattern.finditer(text))
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[Mention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return tuple(kept)


def held(certificates: Iterable[str]) -> frozenset[str]:
    """The canonical names a person holding ``certificates`` (as they wrote them) satisfies, covered classes included."""
    names: set[str] = set()
    for text in certificates:
        names.update(m.name for m in mentions(text))
    for name in list(names):
        names.update(BY_NAME[name].covers)
    return frozenset(names)


def mask(names: Iterable[str]) -> int:
    """The bits of the canonical ``names`` (unknown names have none)."""
    bits = 0
    for name in names:
        bits |= BITS.get(name, 0)
    return bits


def name_en(name: str) -> str:
    """The English name of a canonical certificate (the name itself when unknown)."""
    certificate = BY_NAME.get(name)
    return certificate.name_en if certificate is not None else name
