"""The API's authorization matrix: every route declares what a key needs, and every scope is held to it.

``NEEDS`` lists every API endpoint; the test fails on a route that is not in it (declare it, with
``Operation(need=...)`` when the method's default, read for GET and write otherwise, is wrong).
Where a key may act (its subtree or hall) is checked in test_api_keys.py.
"""

from __future__ import annotations

import re
from typing import Any, Final

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.accounts.api_keys import KeyScope, create_key
from content.org.tree import Hall, add_org_unit
from kiosk_server.auth import GRANTS, Need, api_key_hash_key
from kiosk_server.database import database
from kiosk_server.settings_access import settings

R, W, A, E, I = Need.READ, Need.WRITE, Need.ADMIN, Need.EMERGENCY, Need.INGEST
PUBLIC: Final = {"api_v1.openapi"}


def _collection(name: str, write: Need) -> dict[str, Need]:
    return {f"{name}_list": R, f"{name}_get": R, f"{name}_create": write, f"{name}_update": write} | (
        {f"{name}_delete": write} if name != "emergencies" else {}
    )


NEEDS: Final[dict[str, Need]] = {
    **_collection("employers", W),
    **_collection("layouts", W),
    **_collection("media", W),
    **_collection("playlists", W),
    **_collection("policy_notices", W),
    **_collection("schedules", W),
    **_collection("screen_groups", W),
    **_collection("tickers", W),
    **_collection("vacancies", W),
    **_collection("training_courses", W),
    **_collection("fairs", W),  # 招聘会 (kiosk_server/api/fairs.py)
    **_collection("service_guides", W),
    **_collection("webpages", W),
    **_collection("feeds", W),
    **_collection("documents", W),
    **_collection("halls", A),
    **_collection("org_units", A),
    **_collection("screens", A),
    **_collection("emergencies", E),
    "emergencies_create": W,  # a content key's becomes a proposal
    "emergencies_end": E,
    "screens_agent_credential": A,
    "screens_manifest": R,
    "screens_readers": R,
    "queue_board": R,
    "queue_counters_list": R,
    "queue_counters_create": A,
    "queue_service_types_list": R,
    "queue_service_types_create": A,
    "queue_stats": R,
    "queue_stats_csv": R,
    "queue_events_ingest": I,
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_v1.") and rule.endpoint not in PUBLIC:
            url = re.sub(r"<(?:\w+:)?\w+>", "999999", rule.rule)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.endpoint.removeprefix("api_v1."), method, url))
    return found


def test_every_api_route_declares_what_a_key_needs(app: Flask) -> None:
    routed = {endpoint for endpoint, _, _ in _routes(app)}
    assert routed == set(NEEDS), "declare each API endpoint and its Need in NEEDS"
    wrong = {
        ep: app.view_functions[f"api_v1.{ep}"].need
        for ep in routed
        if app.view_functions[f"api_v1.{ep}"].need != NEEDS[ep]
    }
    assert not wrong


def _key(app: Flask, scope: KeyScope) -> str:
    with Session(database(app).engine) as session:
        unit = add_org_unit(session, name="甘肃省", level="province")
        hall = Hall(org_unit_id=unit.id, name="省人力资源市场")
        session.add(hall)
        session.flush()
        _, secret = create_key(
            session,
            name=f"matrix-{scope.value}",
            scope=scope,
            key=api_key_hash_key(settings(app).secret_key),
            creator=None,
            org_unit_id=unit.id,
            hall_id=hall.id if scope is KeyScope.QUEUE_INGEST else None,
        )
        session.commit()
    return secret


@pytest.mark.parametrize("scope", list(KeyScope))
def test_each_scope_against_each_route(app: Flask, client: Any, scope: KeyScope) -> None:
    headers = {"Authorization": f"Bearer {_key(app, scope)}"}
    failures = []
    for endpoint, method, url in _routes(app):
        status = client.open(url, method=method, json={}, headers=headers).status_code
        granted = NEEDS[endpoint] in GRANTS[scope]
        if (status == 403) == granted or status == 401:
            failures.append(f"{scope.value} {method} {url} → {status}")
    assert not failures, "\n".join(failures)
