"""Job fairs in the domain: the rules with their specific errors, the data screens get, a deleted employer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from content_factories import Factory
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.library.fairs.data import booth_order, fair_badges, fair_data, visible_fairs
from content.library.fairs.job_fairs import FairBooth, FairPosition, JobFair
from content.library.fairs.rules import save_fair
from tests.support.fair_factories import FAIR_START, fair

DATABASES = ("sqlite", "postgres")


def _employers(make: Factory) -> dict[str, Any]:
    tree = make.org_tree()
    ctrip = make.employer(name="兰州新区某某电子科技有限公司")
    bank = make.employer(name="甘肃某某银行股份有限公司")
    return {
        "tree": tree,
        "ctrip": ctrip,
        "bank": bank,
        "tech": make.vacancy(tree.city, title="嵌入式软件工程师", employer=ctrip),
        "tester": make.vacancy(tree.city, title="测试工程师", employer=ctrip),
        "teller": make.vacancy(tree.city, title="柜员", employer=bank),
    }


def test_a_fair_keeps_booths_in_walking_order_and_counts_published_positions(make: Factory, session: Session) -> None:
    w = _employers(make)
    w["tester"].status = "draft"
    f = fair(
        session,
        w["tree"].city,
        booths=[
            {"employer_id": w["bank"].id, "booth": "A10", "vacancy_ids": [w["teller"].id]},
            {"employer_id": w["ctrip"].id, "booth": "A2", "vacancy_ids": [w["tech"].id, w["tester"].id]},
        ],
    )
    data = fair_data(f)
    assert [b["booth"] for b in data["booths"]] == ["A2", "A10"]
    assert data["booths"][0] == {
        "booth": "A2",
        "employer": "兰州新区某某电子科技有限公司",
        "positions": 1,  # the draft is not counted
        "titles": ["嵌入式软件工程师"],
    }
    assert (data["theme"], data["theme_en"], data["venue"]) == ("高校毕业生专场", "For graduates", "兰州市人力资源市场")
    assert f.valid_until == f.ends_at  # shown from publishing until the fair ends
    assert booth_order("B1") > booth_order("A12")


def test_a_fair_at_a_hall_shows_the_hall_as_its_venue(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    hall = make.hall(tree.street, name="东岗街道便民服务中心", address="东岗西路1号")
    f = fair(session, tree.street, hall_id=hall.id, venue_name="", venue_address="")
    assert (fair_data(f)["venue"], fair_data(f)["address"]) == ("东岗街道便民服务中心", "东岗西路1号")


@pytest.mark.parametrize(
    ("booths", "field", "words"),
    [
        ("dup", "booths.1.booth", "already given to booths.0"),
        ("foreign", "booths.0.vacancy_ids", "is offered by 甘肃某某银行股份有限公司"),
        ("blank", "booths.0.booth", "booth number is required"),
        ("no_employer", "booths.0.employer_id", "no employer with id 999999"),
        ("twice", "booths.1.employer_id", "one booth per employer"),
    ],
)
def test_bad_booths_are_refused_naming_the_booth(
    make: Factory, session: Session, booths: str, field: str, words: str
) -> None:
    w = _employers(make)
    specs = {
        "dup": [
            {"employer_id": w["ctrip"].id, "booth": "A1", "vacancy_ids": []},
            {"employer_id": w["bank"].id, "booth": "a1", "vacancy_ids": []},
        ],
        "foreign": [{"employer_id": w["ctrip"].id, "booth": "A1", "vacancy_ids": [w["teller"].id]}],
        "blank": [{"employer_id": w["ctrip"].id, "booth": " ", "vacancy_ids": []}],
        "no_employer": [{"employer_id": 999999, "booth": "A1", "vacancy_ids": []}],
        "twice": [
            {"employer_id": w["ctrip"].id, "booth": "A1", "vacancy_ids": []},
            {"employer_id": w["ctrip"].id, "booth": "A2", "vacancy_ids": []},
        ],
    }[booths]
    with pytest.raises(ValidationError) as err:
        fair(session, w["tree"].city, booths=specs)
    assert words in err.value.errors[field]
    session.rollback()
    assert session.scalars(select(JobFair)).all() == []  # nothing half-saved


def test_hours_and_venue_are_checked(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    with pytest.raises(ValidationError) as err:
        fair(session, tree.city, ends_at=FAIR_START - timedelta(hours=1))
    assert "is not after starts_at" in err.value.errors["ends_at"]
    with pytest.raises(ValidationError) as err:
        fair(session, tree.city, ends_at=FAIR_START + timedelta(days=3))
    assert "at most 48 hours" in err.value.errors["ends_at"]
    with pytest.raises(ValidationError) as err:
        fair(session, tree.city, venue_name="", theme="综合")
    assert "venue is required" in err.value.errors["venue_name"]
    with pytest.raises(ValidationError) as err:
        fair(session, tree.city, theme="夜市专场")
    assert "not one of" in err.value.errors["theme"]
    assert fair(session, tree.city, venue_name="", theme="线上").venue == ""  # an online fair needs no place
    two_days = fair(session, tree.city, ends_at=FAIR_START + timedelta(hours=32))
    assert two_days.ends_at - two_days.starts_at == timedelta(hours=32)


def test_a_fair_whose_employer_is_deleted_keeps_the_booth_under_its_stored_name(
    make: Factory, session: Session
) -> None:
    tree = make.org_tree()
    gone = make.employer(name="某某建筑劳务有限公司")
    f = fair(session, tree.city, booths=[{"employer_id": gone.id, "booth": "C3", "vacancy_ids": []}])
    session.commit()
    session.delete(gone)
    session.commit()
    session.expire_all()
    [booth] = session.scalars(select(FairBooth)).all()
    assert booth.employer_id is None
    data = fair_data(session.get(JobFair, f.id))  # type: ignore[arg-type]
    assert data["booths"] == [{"booth": "C3", "employer": "某某建筑劳务有限公司", "positions": 0, "titles": []}]


def test_a_deleted_vacancy_leaves_its_booth_and_badges_nothing(make: Factory, session: Session) -> None:
    w = _employers(make)
    f = fair(
        session, w["tree"].city, booths=[{"employer_id": w["ctrip"].id, "booth": "A1", "vacancy_ids": [w["tech"].id]}]
    )
    session.commit()
    assert [b["booth"] for b in fair_badges(session, [w["tech"].id])[w["tech"].id]] == ["A1"]
    session.delete(w["tech"])
    session.commit()
    session.expire_all()
    assert session.scalars(select(FairPosition)).all() == []
    assert fair_data(session.get(JobFair, f.id))["booths"][0]["positions"] == 0  # type: ignore[arg-type]


def test_editing_booths_replaces_them_and_booth_numbers_may_swap(make: Factory, session: Session) -> None:
    w = _employers(make)
    f = fair(
        session,
        w["tree"].city,
        booths=[
            {"employer_id": w["ctrip"].id, "booth": "A1", "vacancy_ids": [w["tech"].id]},
            {"employer_id": w["bank"].id, "booth": "A2", "vacancy_ids": []},
        ],
    )
    session.commit()
    swapped = [
        {"employer_id": w["ctrip"].id, "booth": "A2", "vacancy_ids": [w["tester"].id]},
        {"employer_id": w["bank"].id, "booth": "A1", "vacancy_ids": [w["teller"].id]},
    ]
    save_fair(session, f, {"booths": swapped})
    session.commit()
    data = fair_data(f)
    assert [(b["booth"], b["employer"], b["titles"]) for b in data["booths"]] == [
        ("A1", "甘肃某某银行股份有限公司", ["柜员"]),
        ("A2", "兰州新区某某电子科技有限公司", ["测试工程师"]),
    ]


def test_a_hall_sees_the_fairs_of_its_nodes_until_they_end(make: Factory, session: Session) -> None:
    tree = make.org_tree()
    here = fair(session, tree.city, title="城关区春风行动招聘会")
    fair(session, tree.other_city, title="天水市招聘会")
    fair(session, tree.city, title="草稿", status="draft")
    session.commit()
    before = datetime(2026, 11, 24, tzinfo=UTC)
    assert [f.title for f in visible_fairs(session, tree.street, before)] == [here.title]
    assert visible_fairs(session, tree.street, FAIR_START + timedelta(hours=8)) == []
    assert visible_fairs(session, tree.street, datetime(2026, 11, 25, 2, tzinfo=UTC))[0].id == here.id  # running
