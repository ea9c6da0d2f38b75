"""Roles, scopes and the demo accounts: who holds what, where, and who may grant what."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.access import GRANTABLE, ROLE_PERMISSIONS, Permission, may, may_grant, scope_of
from content.accounts.staff import Role, StaffAccount, add_account, sign_in
from content.demo.accounts import DEMO_ACCOUNTS, DEMO_CONSOLE_PASSWORD, seed_console_accounts
from content.errors import ValidationError
from content.org.tree import Hall, OrgUnit, add_org_unit

NOW = datetime(2026, 12, 2, 4, tzinfo=UTC)


def _tree(session: Session) -> tuple[OrgUnit, OrgUnit, OrgUnit, Hall]:
    province = add_org_unit(session, name="甘肃省", level="province")
    city = add_org_unit(session, name="兰州市", level="city", parent=province)
    other = add_org_unit(session, name="天水市", level="city", parent=province)
    hall = Hall(org_unit_id=city.id, name="兰州市人力资源市场")
    session.add(hall)
    session.flush()
    return province, city, other, hall


def test_every_role_has_its_permissions_and_only_the_admin_may_do_everything() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    everything = set(Permission) - {Permission.COUNTER}
    assert [r for r, held in ROLE_PERMISSIONS.items() if set(held) >= everything] == [Role.SYSTEM_ADMIN]
    assert Permission.USE_CONSOLE not in ROLE_PERMISSIONS[Role.COUNTER_STAFF]
    assert Permission.APPROVE not in ROLE_PERMISSIONS[Role.EDITOR], "nobody approves their own edits"
    assert Role.SYSTEM_ADMIN not in GRANTABLE[Role.ORG_ADMIN]


def test_scopes_cover_their_subtree_and_a_hall_role_its_hall(session: Session) -> None:
    province, city, other, hall = _tree(session)
    org_admin = add_account(
        session, username="o", password="long-enough", display_name="o", role=Role.ORG_ADMIN, org_unit_id=city.id
    )
    manager = add_account(
        session, username="m", password="long-enough", display_name="m", role=Role.HALL_MANAGER, hall_id=hall.id
    )
    admin = add_account(
        session, username="a", password="long-enough", display_name="a", role=Role.SYSTEM_ADMIN, org_unit_id=city.id
    )
    assert manager.org_unit_id == city.id, "a hall role takes its hall's node"
    assert admin.org_unit_id is None, "the system admin sits above the tree"
    city_scope, hall_scope = scope_of(session, org_admin), scope_of(session, manager)
    assert city_scope.covers_unit(city) and not city_scope.covers_unit(other)
    assert not city_scope.covers_unit(province) and city_scope.sees_unit(province)
    assert city_scope.covers_hall(hall) and hall_scope.covers_hall(hall)
    assert not hall_scope.covers_unit(city), "a hall manager holds their hall, not its whole node"
    assert scope_of(session, admin).everything
    found = session.scalars(select(OrgUnit.name).where(city_scope.unit_clause(OrgUnit.path))).all()
    assert found == ["兰州市"]


def test_roles_are_placed_where_they_belong(session: Session) -> None:
    _, city, _, _ = _tree(session)
    for role, fields, field in (
        (Role.HALL_MANAGER, {"org_unit_id": city.id}, "hall_id"),
        (Role.EDITOR, {"hall_id": None}, "org_unit_id"),
        (Role.EDITOR, {"org_unit_id": 99999}, "org_unit_id"),
    ):
        try:
            add_account(
                session, username=f"x{role}{field}", password="long-enough", display_name="x", role=role, **fields
            )
        except ValidationError as err:
            assert field in err.errors
        else:
            raise AssertionError(f"{role} with {fields} was accepted")


def test_disabled_accounts_hold_nothing(session: Session) -> None:
    _, city, _, _ = _tree(session)
    admin = add_account(
        session, username="o", password="long-enough", display_name="o", role=Role.ORG_ADMIN, org_unit_id=city.id
    )
    assert may(admin, Permission.MANAGE_USERS) and may_grant(admin, Role.EDITOR)
    admin.active = False
    assert not may(admin, Permission.USE_CONSOLE) and not may_grant(admin, Role.EDITOR)


def test_the_demo_accounts_are_seeded_once_and_sign_in(session: Session) -> None:
    _tree(session)
    assert seed_console_accounts(session) == len(DEMO_ACCOUNTS)
    assert seed_console_accounts(session) == 0
    roles = {a.role for a in session.scalars(select(StaffAccount))}
    assert roles == {r.value for r in Role} - {Role.COUNTER_STAFF.value}
    assert sign_in(session, "admin", DEMO_CONSOLE_PASSWORD, NOW).role == Role.SYSTEM_ADMIN.value
