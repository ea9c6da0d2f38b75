"""The certificate lexicon: a person's words for a certificate meet a vacancy's words for it."""

from __future__ import annotations

import pytest

from content.demo.occupations import OCCUPATIONS
from content.matching import certificates
from content.matching.requirements import parse_requirements


def _satisfies(held_text: str, requirement: str) -> bool:
    held = certificates.held([held_text])
    asked = parse_requirements(requirement).required
    return bool(asked) and all(group & held for group in asked)


@pytest.mark.parametrize(
    ("held", "requirement"),
    [
        ("叉车证", "须持有特种设备作业人员证（N1叉车或Q2桥门式起重机）"),
        ("特种设备作业人员证（N1）", "须持有叉车证"),
        ("电工证", "须持有特种作业操作证（低压电工作业）"),
        ("低压电工作业证", "须持有电工证"),
        ("焊工证", "须持有特种作业操作证（熔化焊接与热切割作业）"),
        ("C1驾驶证", "C1及以上驾驶证"),
        ("B2驾驶证", "C1及以上驾驶证"),
        ("A1驾照", "须持有A1或B1驾驶证"),
        ("健康证", "须持有健康证"),
        ("保安证", "须持有保安员证"),
    ],
)
def test_a_persons_certificate_meets_the_vacancys_wording(held: str, requirement: str) -> None:
    assert _satisfies(held, requirement)


@pytest.mark.parametrize(
    ("held", "requirement"),
    [
        ("C1驾驶证", "须持有A1或B1驾驶证"),  # a lower class does not cover a higher one
        ("C2驾驶证", "C1及以上驾驶证"),
        ("健康证", "须持有特种作业操作证（低压电工作业）"),
        ("叉车证", "须持有挖掘机操作证书"),
    ],
)
def test_a_different_certificate_does_not(held: str, requirement: str) -> None:
    assert not _satisfies(held, requirement)


def test_a_driving_licence_covers_the_lower_classes_only() -> None:
    assert certificates.held(["B2驾驶证"]) == {"B2驾驶证", "C1驾驶证", "C2驾驶证"}
    assert certificates.held(["C1"]) == {"C1驾驶证", "C2驾驶证"}


def test_every_certificate_the_demo_asks_for_is_recognised() -> None:
    for occupation in OCCUPATIONS:
        if occupation.certificate and "驾驶证" not in occupation.certificate and "自备" not in occupation.certificate:
            assert certificates.mentions(occupation.certificate), occupation.certificate


def test_every_canonical_name_has_its_own_bit_in_a_64_bit_column() -> None:
    assert len(certificates.CERTIFICATES) <= 64
    assert len(set(certificates.BITS.values())) == len(certificates.CERTIFICATES)
    assert certificates.mask(["叉车证", "不在表中的证"]) == certificates.BITS["叉车证"]
