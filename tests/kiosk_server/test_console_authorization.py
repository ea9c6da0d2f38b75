"""The authorization matrix: every role against every console endpoint, and the REST API against console sessions.

Every console route must be listed in ``ENDPOINTS`` (the test fails on one that is not), with the
permission it needs. A role without the permission gets 403; a role that may not use the console
cannot sign in and is sent to the sign-in page; a role with it gets the page (or, for a POST with an
empty form, a validation answer, never 403). Objects outside a role's subtree are covered per page
in test_console_users.py and test_console_emergencies.py.
"""

from __future__ import annotations

from typing import Final

import pytest
from flask import Flask

from content.accounts.access import ROLE_PERMISSIONS, Permission
from content.accounts.staff import Role
from tests.support.console_world import ACCOUNTS, ConsoleWorld, build_console_world, csrf_now, sign_in

P = Permission
PUBLIC: Final = {"console.login", "console.logout", "console.static"}

# endpoint → (method, URL with {placeholders} from the world, permission needed)
ENDPOINTS: Final[dict[str, tuple[str, str, Permission]]] = {
    "console.home": ("GET", "/console/", P.USE_CONSOLE),
    "console.users": ("GET", "/console/users", P.MANAGE_USERS),
    "console.new_user": ("POST", "/console/users/new", P.MANAGE_USERS),
    "console.edit_user": ("GET", "/console/users/{tech}", P.MANAGE_USERS),
    "console.api_keys": ("GET", "/console/api-keys", P.MANAGE_USERS),
    "console.create_api_key": ("POST", "/console/api-keys", P.MANAGE_USERS),
    "console.revoke_api_key": ("POST", "/console/api-keys/999999/revoke", P.MANAGE_USERS),
    "console.audit": ("GET", "/console/audit", P.VIEW_AUDIT),
    "console.emergencies": ("GET", "/console/emergencies", P.EMERGENCY),
    "console.send_emergency": ("POST", "/console/emergencies", P.EMERGENCY),
    "console.end_emergency": ("POST", "/console/emergencies/999999/end", P.EMERGENCY),
    "console.propose_emergency_page": ("GET", "/console/emergencies/propose", P.EDIT_CONTENT),
    "console.propose_emergency": ("POST", "/console/emergencies/propose", P.EDIT_CONTENT),
    "console.approve_emergency_proposal": ("POST", "/console/emergencies/proposals/999999/approve", P.EMERGENCY),
    "console.reject_emergency_proposal": ("POST", "/console/emergencies/proposals/999999/reject", P.EMERGENCY),
    "console.notices": ("GET", "/console/notices", P.VIEW_CONTENT),
    "console.notice": ("GET", "/console/notices/999999", P.VIEW_CONTENT),
    "console.new_notice": ("POST", "/console/notices/new", P.EDIT_CONTENT),
    "console.edit_notice": ("GET", "/console/notices/999999/edit", P.EDIT_CONTENT),
    "console.notice_preview": ("POST", "/console/notices/preview", P.EDIT_CONTENT),
    "console.submit_notice": ("POST", "/console/notices/999999/submit", P.EDIT_CONTENT),
    "console.approve_notice": ("POST", "/console/notices/999999/approve", P.APPROVE),
    "console.reject_notice": ("POST", "/console/notices/999999/reject", P.APPROVE),
    "console.publish_notice": ("POST", "/console/notices/999999/publish", P.APPROVE),
    # Editors and approvers both archive: the page lets VIEW_CONTENT in, content.library.approval refuses the rest (403).
    "console.archive_notice": ("POST", "/console/notices/999999/archive", P.VIEW_CONTENT),
    "console.review_queue": ("GET", "/console/notices/review", P.APPROVE),
    "console.notifications": ("GET", "/console/notifications", P.USE_CONSOLE),
    "console.open_notification": ("POST", "/console/notifications/999999/open", P.USE_CONSOLE),
    "console.read_notifications": ("POST", "/console/notifications/read", P.USE_CONSOLE),
    "console.fleet": ("GET", "/console/fleet", P.VIEW_FLEET),
    "console.enrol": ("GET", "/console/enrol", P.ENROL),
    "console.enrol_post": ("POST", "/console/enrol", P.ENROL),
    "console.revoke": ("POST", "/console/screens/999999/revoke", P.ENROL),
    "console.alerts": ("GET", "/console/alerts", P.VIEW_FLEET),
    "console.plays": ("GET", "/console/plays", P.VIEW_REPORTS),
    "console.evaluations": ("GET", "/console/evaluations", P.VIEW_REPORTS),
    "console.evaluation_followups": ("GET", "/console/evaluations/follow-ups", P.VIEW_REPORTS),
    "console.save_evaluation_followup": ("POST", "/console/evaluations/follow-ups/999999", P.FOLLOW_UP),
    "console.evaluators": ("GET", "/console/evaluations/evaluators", P.ENROL),
    "console.interests": ("GET", "/console/interests", P.VIEW_REPORTS),
    "console.hall_interests": ("GET", "/console/halls/999999/interests", P.VIEW_REPORTS),
    "console.market": ("GET", "/console/market", P.VIEW_REPORTS),
    "console.recompute_market": ("POST", "/console/market/recompute", P.EDIT_CONTENT),
    "console.import_market_page": ("GET", "/console/market/import", P.EDIT_CONTENT),
    "console.import_market": ("POST", "/console/market/import", P.EDIT_CONTENT),
    "console.bind_counter_evaluator": ("POST", "/console/evaluations/evaluators/999999", P.ENROL),
    "console.import_vacancies_page": ("GET", "/console/vacancies/import", P.EDIT_CONTENT),
    "console.import_vacancies": ("POST", "/console/vacancies/import", P.EDIT_CONTENT),
    "console.media": ("GET", "/console/media", P.VIEW_CONTENT),
    "console.upload_media": ("POST", "/console/media", P.EDIT_CONTENT),
    "console.edit_media": ("GET", "/console/media/999999", P.EDIT_CONTENT),
    "console.archive_media": ("POST", "/console/media/999999/archive", P.EDIT_CONTENT),
    "console.delete_media": ("POST", "/console/media/999999/delete", P.EDIT_CONTENT),
    "console.documents": ("GET", "/console/documents", P.VIEW_CONTENT),
    "console.upload_document": ("POST", "/console/documents", P.EDIT_CONTENT),
    "console.edit_document": ("GET", "/console/documents/999999", P.EDIT_CONTENT),
    "console.archive_document": ("POST", "/console/documents/999999/archive", P.EDIT_CONTENT),
    "console.delete_document": ("POST", "/console/documents/999999/delete", P.EDIT_CONTENT),
    "console.vacancies": ("GET", "/console/vacancies", P.VIEW_CONTENT),
    "console.new_vacancy": ("POST", "/console/vacancies/new", P.EDIT_CONTENT),
    "console.edit_vacancy": ("GET", "/console/vacancies/999999", P.EDIT_CONTENT),
    "console.archive_vacancy": ("POST", "/console/vacancies/999999/archive", P.EDIT_CONTENT),
    "console.training": ("GET", "/console/training", P.VIEW_CONTENT),
    "console.new_course": ("POST", "/console/training/new", P.EDIT_CONTENT),
    "console.fairs": ("GET", "/console/fairs", P.VIEW_CONTENT),
    "console.new_fair": ("POST", "/console/fairs/new", P.EDIT_CONTENT),
    "console.edit_fair": ("GET", "/console/fairs/999999", P.EDIT_CONTENT),
    "console.archive_fair": ("POST", "/console/fairs/999999/archive", P.EDIT_CONTENT),
    "console.delete_fair": ("POST", "/console/fairs/999999/delete", P.EDIT_CONTENT),
    "console.edit_course": ("GET", "/console/training/999999", P.EDIT_CONTENT),
    "console.archive_course": ("POST", "/console/training/999999/archive", P.EDIT_CONTENT),
    "console.import_training_page": ("GET", "/console/training/import", P.EDIT_CONTENT),
    "console.import_training": ("POST", "/console/training/import", P.EDIT_CONTENT),
    "console.guides": ("GET", "/console/guides", P.VIEW_CONTENT),
    "console.guide": ("GET", "/console/guides/999999", P.VIEW_CONTENT),
    "console.guide_step": ("POST", "/console/guides/999999/step", P.VIEW_CONTENT),
    "console.new_guide": ("POST", "/console/guides/new", P.EDIT_CONTENT),
    "console.edit_guide": ("GET", "/console/guides/999999/edit", P.EDIT_CONTENT),
    "console.import_guides_page": ("GET", "/console/guides/import", P.EDIT_CONTENT),
    "console.tickers": ("GET", "/console/tickers", P.VIEW_CONTENT),
    "console.new_ticker": ("POST", "/console/tickers/new", P.EDIT_CONTENT),
    "console.edit_ticker": ("GET", "/console/tickers/999999", P.EDIT_CONTENT),
    "console.archive_ticker": ("POST", "/console/tickers/999999/archive", P.EDIT_CONTENT),
    "console.webpages": ("GET", "/console/webpages", P.VIEW_CONTENT),
    "console.new_webpage": ("POST", "/console/webpages/new", P.EDIT_CONTENT),
    "console.edit_webpage": ("GET", "/console/webpages/999999", P.EDIT_CONTENT),
    "console.probe_webpage": ("POST", "/console/webpages/999999/probe", P.EDIT_CONTENT),
    "console.archive_webpage": ("POST", "/console/webpages/999999/archive", P.EDIT_CONTENT),
    "console.feeds": ("GET", "/console/feeds", P.VIEW_CONTENT),
    "console.new_feed": ("POST", "/console/feeds/new", P.EDIT_CONTENT),
    "console.edit_feed": ("GET", "/console/feeds/999999", P.EDIT_CONTENT),
    "console.fetch_feed_now": ("POST", "/console/feeds/999999/fetch", P.EDIT_CONTENT),
    "console.archive_feed": ("POST", "/console/feeds/999999/archive", P.EDIT_CONTENT),
    "console.schedules": ("GET", "/console/schedules", P.SCHEDULE),
    "console.new_schedule": ("POST", "/console/schedules/new", P.SCHEDULE),
    "console.edit_schedule": ("GET", "/console/schedules/999999", P.SCHEDULE),
    "console.disable_schedule": ("POST", "/console/schedules/999999/disable", P.SCHEDULE),
    "console.preview": ("GET", "/console/preview", P.SCHEDULE),
    "console.layouts": ("GET", "/console/layouts", P.VIEW_CONTENT),
    "console.new_layout": ("POST", "/console/layouts/new", P.SCHEDULE),
    "console.edit_layout": ("GET", "/console/layouts/999999", P.VIEW_CONTENT),
    "console.playlists": ("GET", "/console/playlists", P.VIEW_CONTENT),
    "console.new_playlist": ("POST", "/console/playlists/new", P.SCHEDULE),
    "console.edit_playlist": ("GET", "/console/playlists/999999", P.VIEW_CONTENT),
    "console.send_device_command": ("POST", "/console/screens/999999/commands", P.REMOTE_CARE),
    "console.device_commands": ("GET", "/console/screens/999999/commands.json", P.REMOTE_CARE),
    "console.device_screenshot": ("GET", "/console/commands/999999/screenshot.png", P.REMOTE_CARE),
    "console.power_schedule": ("GET", "/console/screens/999999/power", P.REMOTE_CARE),
    "console.set_screen_power": ("POST", "/console/screens/999999/power", P.REMOTE_CARE),
    # The hall's hours: REMOTE_CARE to reach the view, then MANAGE_ORG or the hall's own manager (test_console_power.py).
    "console.set_hall_power": ("POST", "/console/screens/999999/power/hall", P.REMOTE_CARE),
    "console.screen_voice_card": ("GET", "/console/screens/999999/voice", P.VIEW_FLEET),
    "console.set_screen_voice": ("POST", "/console/screens/999999/voice", P.REMOTE_CARE),
    # The hall's voice pack: VIEW_FLEET to reach the view, then MANAGE_ORG or the hall's own manager.
    "console.upload_voice_pack": ("POST", "/console/screens/999999/voice/pack", P.VIEW_FLEET),
    "console.halls": ("GET", "/console/halls", P.MANAGE_ORG),
    # A hall's seal: VIEW_FLEET to reach the page, then MANAGE_ORG or the hall's own manager (test_certificate_seals.py).
    "console.seals": ("GET", "/console/seals", P.VIEW_FLEET),
    "console.seal_png": ("GET", "/console/seals/999999.png", P.VIEW_FLEET),
    "console.upload_seal": ("POST", "/console/seals/999999", P.VIEW_FLEET),
    "console.remove_seal": ("POST", "/console/seals/999999/remove", P.VIEW_FLEET),
    "console.new_hall": ("POST", "/console/halls/new", P.MANAGE_ORG),
    "console.edit_hall": ("GET", "/console/halls/999999", P.MANAGE_ORG),
    "console.retire_hall": ("POST", "/console/halls/999999/retire", P.MANAGE_ORG),
    "console.restore_hall": ("POST", "/console/halls/999999/restore", P.MANAGE_ORG),
    "console.groups": ("GET", "/console/groups", P.MANAGE_ORG),
    "console.new_group": ("POST", "/console/groups/new", P.MANAGE_ORG),
    "console.edit_group": ("GET", "/console/groups/999999", P.MANAGE_ORG),
    "console.retire_group": ("POST", "/console/groups/999999/retire", P.MANAGE_ORG),
    "console.restore_group": ("POST", "/console/groups/999999/restore", P.MANAGE_ORG),
    "console.play_now": ("POST", "/console/items/999999/play-now", P.EDIT_CONTENT),
    "console.schedule_reach": ("POST", "/console/schedules/reach", P.SCHEDULE),
    "console.screens": ("GET", "/console/screens", P.VIEW_FLEET),
    "console.screen": ("GET", "/console/screens/999999", P.VIEW_FLEET),
    "console.edit_screen": ("POST", "/console/screens/999999", P.ENROL),
    "console.move_screen": ("POST", "/console/screens/999999/move", P.ENROL),
    "console.retire_screen": ("POST", "/console/screens/999999/retire", P.ENROL),
    "console.restore_screen": ("POST", "/console/screens/999999/restore", P.ENROL),
}
# A permitted request that still answers 404 (a missing object) rather than 200 or a validation 400.
MISSING_OBJECT: Final = {
    "console.send_device_command",
    "console.device_commands",
    "console.device_screenshot",
    "console.power_schedule",
    "console.set_screen_power",
    "console.set_hall_power",
    "console.screen_voice_card",
    "console.set_screen_voice",
    "console.upload_voice_pack",
    "console.seal_png",
    "console.upload_seal",
    "console.remove_seal",
    "console.revoke",
    "console.save_evaluation_followup",
    "console.bind_counter_evaluator",
    "console.hall_interests",
    "console.revoke_api_key",
    "console.end_emergency",
    "console.approve_emergency_proposal",
    "console.reject_emergency_proposal",
    "console.notice",
    "console.edit_notice",
    "console.submit_notice",
    "console.approve_notice",
    "console.reject_notice",
    "console.publish_notice",
    "console.archive_notice",
    "console.open_notification",
    "console.edit_media",
    "console.play_now",
    "console.archive_media",
    "console.delete_media",
    "console.edit_document",
    "console.archive_document",
    "console.delete_document",
    "console.edit_vacancy",
    "console.archive_vacancy",
    "console.edit_course",
    "console.archive_course",
    "console.edit_fair",
    "console.archive_fair",
    "console.delete_fair",
    "console.guide",
    "console.guide_step",
    "console.edit_guide",
    "console.edit_ticker",
    "console.archive_ticker",
    "console.edit_webpage",
    "console.probe_webpage",
    "console.archive_webpage",
    "console.edit_feed",
    "console.fetch_feed_now",
    "console.archive_feed",
    "console.edit_schedule",
    "console.disable_schedule",
    "console.edit_layout",
    "console.edit_playlist",
    "console.edit_hall",
    "console.retire_hall",
    "console.restore_hall",
    "console.edit_group",
    "console.retire_group",
    "console.restore_group",
    "console.screen",
    "console.edit_screen",
    "console.move_screen",
    "console.retire_screen",
    "console.restore_screen",
}
# (endpoint, account) where the URL's object lies outside that account's subtree: 404, as if missing.
OUTSIDE: Final = {("console.edit_user", "tianshui")}  # the technician works in 兰州市, not 天水市


def test_every_console_route_is_in_the_matrix(app: Flask) -> None:
    routed = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("console.")}
    assert routed - PUBLIC == set(ENDPOINTS), "declare each console endpoint and its permission in ENDPOINTS"


@pytest.fixture
def cw(app: Flask) -> ConsoleWorld:
    return build_console_world(app)


@pytest.mark.parametrize("username", sorted(ACCOUNTS))
def test_each_role_against_each_endpoint(cw: ConsoleWorld, app: Flask, username: str) -> None:
    role = ACCOUNTS[username][0]
    held = ROLE_PERMISSIONS[role]
    client = app.test_client()
    signed = sign_in(client, username)
    if P.USE_CONSOLE not in held:
        assert signed.status_code == 403
    failures = []
    for endpoint, (method, template, needed) in ENDPOINTS.items():
        url = template.format(tech=cw.account_ids["tech"])
        if method == "GET":
            response = client.get(url)
        else:
            token = csrf_now(client) if P.USE_CONSOLE in held else "none"
            response = client.post(url, data={"csrf_token": token})
        status = response.status_code
        if P.USE_CONSOLE not in held:
            ok = status == 302 and "/console/login" in response.headers["Location"]
        elif needed not in held:
            ok = status == 403
        elif endpoint in MISSING_OBJECT or (endpoint, username) in OUTSIDE:
            ok = status == 404
        else:
            ok = status in ((200,) if method == "GET" else (200, 302, 400))
        if not ok:
            failures.append(f"{role.value} {method} {url} → {status}")
    assert not failures, "\n".join(failures)


def test_the_org_admin_cannot_reach_their_own_superiors(cw: ConsoleWorld, app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "orgadmin")
    assert client.get(f"/console/users/{cw.account_ids['admin']}").status_code == 404


def test_no_rest_api_route_answers_a_console_session(cw: ConsoleWorld, app: Flask) -> None:
    """The console's sign-in is not an API credential, whatever the role."""
    client = app.test_client()
    sign_in(client, "admin")
    answered = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.arguments - {"ident"} or "GET" not in rule.methods:
            continue
        if rule.rule.startswith("/api/v1/openapi"):
            continue
        response = client.get(rule.rule.replace("<int:ident>", "1"))
        if response.status_code != 401:
            answered.append(f"{rule.rule} → {response.status_code}")
    assert not answered, "\n".join(answered)


def test_every_role_is_in_the_matrix_world() -> None:
    assert {role for role, _ in ACCOUNTS.values()} == set(Role)
