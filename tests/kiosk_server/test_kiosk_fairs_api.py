"""The kiosk's 招聘会 API: fairs visible from the hall that have not ended, one fair with its booths and their
live jobs, a deleted employer, the booth map image."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.library.fairs.job_fairs import JobFair
from content.library.items import Employer, Vacancy
from content.org.tree import OrgUnit
from kiosk_server.database import database
from kiosk_server.settings_access import runtime, settings
from tests.kiosk_server.api_factories import tiny_png
from tests.support.citizens import Kiosk, add_kiosk
from tests.support.fair_factories import fair
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
    now = runtime(app).clock()
    with Session(database(app).engine) as session:
        world = build_world(session, vacancies=0)
        kiosk = add_kiosk(session, world.hall_id, policy.credential_key)
        other = add_kiosk(session, world.other_hall_id, policy.credential_key, name="天水终端")
        county, city = session.get(OrgUnit, world.county_id), session.get(OrgUnit, world.city_id)
        assert county is not None and city is not None
        soft, gone = Employer(name="兰州某某软件有限公司"), Employer(name="某某建筑劳务有限公司")
        session.add_all([soft, gone])
        session.flush()
        job = Vacancy(employer_id=soft.id, org_unit_id=city.id, title="Java开发工程师", occupation_code="2-02-10-03")
        draft = Vacancy(
            employer_id=soft.id, org_unit_id=city.id, title="草稿岗位", occupation_code="2-02-10-03", status="draft"
        )
        session.add_all([job, draft])
        session.flush()
        soon = fair(
            session,
            county,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=6),
            booths=[
                {"employer_id": soft.id, "booth": "A12", "vacancy_ids": [job.id, draft.id]},
                {"employer_id": gone.id, "booth": "C3", "vacancy_ids": []},
            ],
        )
        later = fair(
            session,
            city,
            title="退役军人专场",
            starts_at=now + timedelta(days=9),
            ends_at=now + timedelta(days=9, hours=4),
        )
        over = fair(session, city, title="已结束", starts_at=now - timedelta(hours=5), ends_at=now - timedelta(hours=1))
        session.commit()
        session.delete(gone)
        session.commit()
        return Site(world, kiosk, other, {"soon": soon.id, "later": later.id, "over": over.id, "job": job.id})


def get(client: Any, path: str, kiosk: Kiosk) -> Any:
    return client.get(path, headers={"X-Screen-Key": kiosk.key})


def test_the_list_shows_coming_fairs_soonest_first_and_is_not_stored(client: Any, site: Site) -> None:
    answer = get(client, "/kiosk/api/fairs", site.kiosk)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert [f["id"] for f in body["items"]] == [site.ids["soon"], site.ids["later"]] and body["total"] == 2
    assert get(client, "/kiosk/api/fairs", site.other_kiosk).get_json()["total"] == 0  # Tianshui sees none


def test_a_fair_lists_booths_with_their_live_jobs_and_a_deleted_employer_by_its_name(client: Any, site: Site) -> None:
    body = get(client, f"/kiosk/api/fairs/{site.ids['soon']}", site.kiosk).get_json()
    assert [(b["booth"], b["employer"]) for b in body["booths"]] == [
        ("A12", "兰州某某软件有限公司"),
        ("C3", "某某建筑劳务有限公司"),
    ]
    assert [j["id"] for j in body["booths"][0]["jobs"]] == [site.ids["job"]]  # not the draft
    assert body["booths"][1]["jobs"] == [] and body["booths"][0]["positions"] == 1


def test_an_ended_or_invisible_fair_is_a_404(client: Any, site: Site) -> None:
    for path, kiosk in (
        (f"/kiosk/api/fairs/{site.ids['over']}", site.kiosk),
        (f"/kiosk/api/fairs/{site.ids['soon']}", site.other_kiosk),
    ):
        answer = get(client, path, kiosk)
        assert answer.status_code == 404 and answer.get_json()["message"] == "该招聘会已结束或不存在。"


def test_the_booth_map_is_served_by_its_hash(client: Any, site: Site, app: Flask) -> None:
    data = tiny_png()
    media_dir = settings(app).data_dir / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    sha = "a" * 64
    (media_dir / sha).write_bytes(data)
    assert client.get(f"/media/fair-maps/{sha}").status_code == 404  # no fair names it
    with Session(database(app).engine) as session:
        row = session.get(JobFair, site.ids["soon"])
        assert row is not None
        row.booth_map_sha256, row.booth_map_mime = sha, "image/png"
        session.commit()
    answer = client.get(f"/media/fair-maps/{sha}")
    assert answer.status_code == 200 and answer.data == data and answer.mimetype == "image/png"
    body = get(client, f"/kiosk/api/fairs/{site.ids['soon']}", site.kiosk).get_json()
    assert body["booth_map"] == f"/media/fair-maps/{sha}"
