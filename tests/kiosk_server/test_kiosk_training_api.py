"""The kiosk's 培训查询 API: courses visible from the hall, the filters, one course with its QR, no-store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.org.tree import OrgUnit
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk, add_kiosk
from tests.support.training_factories import course
from tests.support.world import World, build_world


@dataclass
class Site:
    world: World
    kiosk: Kiosk
    other_kiosk: Kiosk
    ids: dict[str, int]


@pytest.fixture
def site(app: Flask) -> Site:
    policy = runtime(app).policy
    today = runtime(app).clock().date()
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        other = add_kiosk(session, world.other_hall_id, policy.credential_key, name="天水终端")
        county, province = session.get(OrgUnit, world.county_id), session.get(OrgUnit, world.province_id)
        assert county is not None and province is not None
        soon = course(
            session,
            county,
            title="养老护理员（初级）",
            starts_on=today + timedelta(days=5),
            ends_on=today + timedelta(days=20),
            subsidy_groups=["就业困难人员"],
            district="城关区",
        )
        later = course(
            session,
            county,
            title="挖掘机操作",
            starts_on=today + timedelta(days=60),
            ends_on=today + timedelta(days=80),
            occupation_code="6-29-01-03",
            district="七里河区",
            subsidy_groups=["脱贫劳动力"],
            enrol_url="",
        )
        full = course(
            session,
            province,
            title="叉车司机",
            starts_on=today + timedelta(days=3),
            ends_on=today + timedelta(days=9),
            places_left=0,
            subsidy_groups=["失业人员"],
        )
        session.commit()
        return Site(world, kiosk, other, {"soon": soon.id, "later": later.id, "full": full.id})


def get(client: Any, path: str, kiosk: Kiosk, **params: str) -> Any:
    return client.get(path, headers={"X-Screen-Key": kiosk.key}, query_string=params)


def titles(answer: Any) -> list[str]:
    return [c["title"] for c in answer.get_json()["items"]]


def test_the_list_shows_visible_courses_soonest_first_and_is_not_stored(client: Any, site: Site) -> None:
    answer = get(client, "/kiosk/api/training", site.kiosk)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert titles(answer) == ["叉车司机", "养老护理员（初级）", "挖掘机操作"]
    body = answer.get_json()
    assert {g["value"] for g in body["groups"]} == {"就业困难人员", "脱贫劳动力", "失业人员"}
    assert [f["value"] for f in body["families"]] == ["4", "6"]


def test_filters_narrow_the_list(client: Any, site: Site) -> None:
    assert titles(get(client, "/kiosk/api/training", site.kiosk, open="1")) == ["养老护理员（初级）", "挖掘机操作"]
    assert titles(get(client, "/kiosk/api/training", site.kiosk, soon="1")) == ["叉车司机", "养老护理员（初级）"]
    assert titles(get(client, "/kiosk/api/training", site.kiosk, district="七里河区")) == ["挖掘机操作"]
    assert titles(get(client, "/kiosk/api/training", site.kiosk, family="6")) == ["挖掘机操作"]
    assert titles(get(client, "/kiosk/api/training", site.kiosk, group="失业人员")) == ["叉车司机"]


@pytest.mark.parametrize(("name", "value"), [("family", "9"), ("group", "外星人"), ("soon", "yes"), ("page", "x")])
def test_a_bad_filter_is_a_400_naming_it(client: Any, site: Site, name: str, value: str) -> None:
    answer = get(client, "/kiosk/api/training", site.kiosk, **{name: value})
    assert answer.status_code == 400 and name in answer.get_json()["message"]


def test_one_course_comes_with_the_qr_of_its_enrolment_page(client: Any, site: Site) -> None:
    answer = get(client, f"/kiosk/api/training/{site.ids['soon']}", site.kiosk)
    body = answer.get_json()
    assert body["enrol_url"] == "https://example.org/enrol/1" and body["qr_svg"].startswith("<svg")
    assert get(client, f"/kiosk/api/training/{site.ids['later']}", site.kiosk).get_json()["qr_svg"] == ""


def test_a_course_not_visible_from_the_hall_is_a_404(client: Any, site: Site) -> None:
    answer = get(client, f"/kiosk/api/training/{site.ids['soon']}", site.other_kiosk)
    assert answer.status_code == 404 and answer.get_json()["message"] == "该培训课程已下线或不存在。"
    assert titles(get(client, "/kiosk/api/training", site.other_kiosk)) == ["叉车司机"]
