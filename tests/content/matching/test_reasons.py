"""Reasons: the texts a person reads, each made from the facts it carries."""

from __future__ import annotations

from datetime import timedelta

from content.matching import scores
from content.matching.reasons import explain
from tests.support.matching_data import AT, HALL, posting, seeker


def _texts(**overrides: object) -> dict[str, str]:
    person = overrides.pop("person", seeker())
    return {r.code: r.text for r in explain(posting(**overrides), person, AT)}  # type: ignore[arg-type]


def test_a_forklift_driver_reads_why_a_forklift_job_fits() -> None:
    person = seeker(
        occupations=("6-30-05-01",), certificates=("叉车证",), pay_min=4000, districts=("城关区",), skills=("叉车驾驶",)
    )
    reasons = explain(posting(headcount=10, created_at=AT - timedelta(days=1)), person, AT)
    assert [r.text for r in reasons] == [
        "符合求职意向",
        "要求证书：叉车证 ✓",
        "技能：叉车驾驶 ✓",
        "薪资符合期望",
        "在您选择的城关区",
        "新发布",
        "招10人",
    ]
    assert all(r.favourable for r in reasons)
    assert reasons[1].data == {"certificate": "叉车证"} and reasons[1].text_en == "Required: forklift licence ✓"


def test_a_missing_certificate_is_said_and_counts_against() -> None:
    (reason,) = [r for r in explain(posting(), seeker(), AT) if r.code.startswith("certificate")]
    assert reason.text == "要求证书：叉车证或起重机证 ✗" and not reason.favourable


def test_pay_below_the_minimum_and_negotiable_pay_are_said_as_such() -> None:
    assert _texts(person=seeker(pay_min=7000))["pay_below"] == "薪资低于期望"
    assert _texts(person=seeker(pay_min=7000), salary_min=None, salary_max=None)["pay_negotiable"] == "薪资面议"
    assert "pay_fits" in _texts(person=seeker(pay_min=7000), salary_min=5000, salary_max=None)  # 5000元以上


def test_distance_is_shown_as_rounded_for_display() -> None:
    place = (HALL[0] + 0.027, HALL[1])  # about 3 km north
    reasons = explain(posting(latitude=place[0], longitude=place[1]), seeker(latitude=HALL[0], longitude=HALL[1]), AT)
    (distance,) = [r for r in reasons if r.code == "distance"]
    km = scores.display_km(scores.haversine_km(*HALL, *place))
    assert distance.data == {"km": km} and distance.text == f"距本大厅{km:g}公里" and 2.9 < km < 3.1
    assert scores.display_km(12.46) == 12.0 and scores.display_km(3.04) == 3.0


def test_districts_the_hall_stood_in_for_are_not_called_the_persons_choice() -> None:
    assert _texts(person=seeker(districts=("城关区",), districts_stated=False))["district"] == "在城关区"


def test_related_and_past_occupations_are_named() -> None:
    near = _texts(person=seeker(occupations=("6-30-05-05",)))
    assert near.get("occupation_near") == "相近职业" and "occupation_wanted" not in near
    assert _texts(person=seeker(past_occupations=("6-30-05-01",)))["occupation_past"] == "做过同类工作"
    assert _texts(person=seeker(occupations=("6-30",)))["occupation_wanted"] == "符合求职意向"  # a family prefix


def test_pay_fits_exactly_when_the_top_of_the_range_reaches_the_minimum() -> None:
    assert "pay_fits" in _texts(person=seeker(pay_min=6000), salary_min=4500, salary_max=6000)
    assert "pay_below" in _texts(person=seeker(pay_min=6001), salary_min=4500, salary_max=6000)
