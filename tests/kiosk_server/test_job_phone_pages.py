"""发到手机: the kiosk's QR code of a vacancy and the public phone page it opens (/m/jobs/<id>)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import segno
from flask import Flask
from sqlalchemy.orm import Session

from content.library.items import Employer, Vacancy
from kiosk_server.database import database
from kiosk_server.settings_access import runtime
from tests.support.citizens import Kiosk, add_holder, add_kiosk
from tests.support.world import build_world


@dataclass
class Site:
    kiosk: Kiosk
    other_kiosk: Kiosk  # in another city's hall: the county's vacancies are not visible there
    live: int
    draft: int
    expired: int
    not_yet: int


def _vacancy(employer: Employer, org_unit_id: int, title: str, **overrides: Any) -> Vacancy:
    fields: dict[str, Any] = {
        "org_unit_id": org_unit_id,
        "title": title,
        "employer_id": employer.id,
        "occupation_code": "4-02-06-03",
        "headcount": 3,
        "salary_min": 4500,
        "salary_max": 6000,
        "education": "高中/中专",
        "district": "城关区",
        "requirements": "持叉车证，能适应倒班",
        "contact": "0931-8123456",
        "valid_until": datetime.now(UTC) + timedelta(days=30),
    }
    fields.update(overrides)
    return Vacancy(**fields)


@pytest.fixture
def site(app: Flask) -> Site:
    policy = runtime(app).policy
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        other = add_kiosk(session, world.other_hall_id, policy.credential_key, name="天水终端")
        add_holder(session, policy.records_key)
        employer = session.get(Employer, world.employer_id)
        assert employer is not None
        employer.address = "兰州市城关区东岗西路1号"
        now = datetime.now(UTC)
        rows = [
            _vacancy(employer, world.county_id, "叉车司机"),
            _vacancy(employer, world.county_id, "草稿岗位", status="draft"),
            _vacancy(employer, world.county_id, "过期岗位", valid_until=now - timedelta(days=1)),
            _vacancy(employer, world.county_id, "未到期岗位", valid_from=now + timedelta(days=2)),
        ]
        session.add_all(rows)
        session.commit()
        return Site(kiosk, other, *(row.id for row in rows))


def test_the_phone_page_shows_a_live_vacancy_s_public_facts_cached_a_minute(client: Any, site: Site) -> None:
    answer = client.get(f"/m/jobs/{site.live}")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=60"
    html = answer.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    for fact in (
        "叉车司机",
        "4500-6000元/月",
        "兰州新区物流有限公司",
        "城关区",
        "兰州市城关区东岗西路1号",
        "3 人",
        "高中/中专",
        "生活服务（4-02-06-03）",
        "持叉车证，能适应倒班",
        "发布：城关区",
    ):
        assert fact in html, f"{fact} missing from the phone page"
    assert 'href="tel:0931-8123456"' in html


@pytest.mark.parametrize("which", ["draft", "expired", "not_yet"])
def test_a_vacancy_that_is_not_live_is_a_404_page_that_says_so(client: Any, site: Site, which: str) -> None:
    answer = client.get(f"/m/jobs/{getattr(site, which)}")
    assert answer.status_code == 404
    assert answer.headers["Cache-Control"] == "no-store", "a withdrawn vacancy must not linger in caches"
    html = answer.get_data(as_text=True)
    assert "岗位已下线" in html and "过期岗位" not in html and "草稿岗位" not in html and "未到期岗位" not in html


def test_a_missing_vacancy_is_a_404_page(client: Any, site: Site) -> None:
    for path in (f"/m/jobs/{site.live + 1000}", "/m/jobs/99999999999", "/m/jobs/abc"):
        answer = client.get(path)
        assert answer.status_code == 404, path
    assert "岗位已下线" in client.get(f"/m/jobs/{site.live + 1000}").get_data(as_text=True)


def test_the_kiosk_gets_a_qr_code_of_the_phone_page_of_a_vacancy_it_can_show(client: Any, site: Site) -> None:
    answer = client.get(f"/kiosk/api/vacancies/{site.live}/qr", headers={"X-Screen-Key": site.kiosk.key})
    assert answer.status_code == 200, answer.data
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert body["url"] == f"http://localhost/m/jobs/{site.live}"
    assert body["svg"].startswith("<svg") and "<?xml" not in body["svg"]
    # The code holds exactly the address: what a phone decodes is the page above.
    expected = segno.make(body["url"], error="m").svg_inline(omitsize=True, light="#fff", dark="#000")
    assert body["svg"] == expected
    assert client.get(body["url"].removeprefix("http://localhost")).status_code == 200


def test_no_qr_code_for_a_vacancy_the_kiosk_cannot_show_or_for_a_screen_that_is_no_kiosk(
    client: Any, site: Site
) -> None:
    mine = {"X-Screen-Key": site.kiosk.key}
    for ident in (site.draft, site.expired, site.not_yet, site.live + 1000):
        answer = client.get(f"/kiosk/api/vacancies/{ident}/qr", headers=mine)
        assert answer.status_code == 404 and answer.get_json()["error"] == "not_found", ident
    elsewhere = client.get(f"/kiosk/api/vacancies/{site.live}/qr", headers={"X-Screen-Key": site.other_kiosk.key})
    assert elsewhere.status_code == 404, "another city's hall does not list the county's vacancies"
    unknown = client.get(f"/kiosk/api/vacancies/{site.live}/qr", headers={"X-Screen-Key": "nope"})
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "unknown_screen"
