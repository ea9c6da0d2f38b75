"""Who may do what, where: permissions per role and the org subtree an account is confined to.

Every console action names one ``Permission``; an account holds it if its role grants it, and only
inside its ``Scope``: the subtree of its org node (a hall role: its one hall; the system admin: all).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sqlalchemy import ColumnElement, SQLColumnExpression, false, true
from sqlalchemy.orm import Session

from content.accounts.staff import HALL_ROLES, Role, StaffAccount
from content.errors import ContentError
from content.org.tree import Hall, OrgUnit


class Permission(StrEnum):
    USE_CONSOLE = "use_console"
    VIEW_CONTENT = "view_content"
    EDIT_CONTENT = "edit_content"  # vacancies, notices (to draft or review), media, tickers, imports
    APPROVE = "approve"  # policy notices in review
    SCHEDULE = "schedule"  # layouts, playlists, schedules, preview
    EMERGENCY = "emergency"  # start and end emergency broadcasts
    VIEW_FLEET = "view_fleet"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    VIEW_REPORTS = "view_reports"  # proof of play, queue statistics
    COUNTER = "counter"  # the counter page
    ENROL = "enrol"  # enrol, re-enrol and revoke devices; edit, move and retire screens
    REMOTE_CARE = "remote_care"  # reload, identify, screenshot, restart, reboot, power schedules
    MANAGE_ORG = "manage_org"  # halls and screen groups: create, edit, retire
    FOLLOW_UP = "follow_up"  # 好差评: record the 整改 of a low rating


P = Permission
_READ: Final = frozenset({P.USE_CONSOLE, P.VIEW_CONTENT, P.VIEW_FLEET, P.VIEW_REPORTS})
_DEVICES: Final = frozenset({P.ENROL, P.REMOTE_CARE})

ROLE_PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = {
    Role.SYSTEM_ADMIN: frozenset(Permission) - {P.COUNTER},
    Role.ORG_ADMIN: _READ | _DEVICES | {P.MANAGE_USERS, P.VIEW_AUDIT, P.MANAGE_ORG, P.FOLLOW_UP},
    Role.EDITOR: _READ | {P.EDIT_CONTENT, P.SCHEDULE},
    Role.APPROVER: _READ | {P.APPROVE, P.EMERGENCY},
    Role.HALL_MANAGER: _READ | _DEVICES | {P.SCHEDULE, P.EMERGENCY, P.COUNTER, P.FOLLOW_UP},
    Role.COUNTER_STAFF: frozenset({P.COUNTER}),
    Role.FIELD_TECHNICIAN: _DEVICES | {P.USE_CONSOLE, P.VIEW_FLEET},  # devices, never content
}

# Which roles an account with MANAGE_USERS may hand out (never one above its own).
GRANTABLE: Final[dict[Role, frozenset[Role]]] = {
    Role.SYSTEM_ADMIN: frozenset(Role),
    Role.ORG_ADMIN: frozenset(Role) - {Role.SYSTEM_ADMIN},
}


class AccessDenied(ContentError):
    """The account lacks the permission, or the object lies outside its subtree."""


@dataclass(frozen=True)
class Scope:
    """The part of the org tree an account works in. ``path`` None means the whole tree."""

    path: str | None
    hall_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.path is None and self.hall_id is None

    def covers_path(self, path: str) -> bool:
        """Whether the org node with ``path`` (``/1/4/``) lies in the scope (hall scopes hold no whole node)."""
        if self.hall_id is not None:
            return False
        return self.path is None or path.startswith(self.path)

    def covers_unit(self, unit: OrgUnit) -> bool:
        return self.covers_path(unit.path)

    def sees_unit(self, unit: OrgUnit) -> bool:
        """Whether the node may be shown: inside the scope, or on the way down to it (for the tree's breadcrumbs)."""
        if self.path is None and self.hall_id is None:
            return True
        own = self.path or ""
        return unit.path.startswith(own) or own.startswith(unit.path)

    def covers_hall(self, hall: Hall) -> bool:
        if self.hall_id is not None:
            return hall.id == self.hall_id
        return self.covers_path(hall.org_unit.path)

    def unit_clause(self, path_column: SQLColumnExpression[str]) -> ColumnElement[bool]:
        """A SQL condition on an org node's path column: inside this scope."""
        if self.hall_id is not None:
            return false()
        return true() if self.path is None else path_column.startswith(self.path)

    def hall_clause(
        self, hall_id_column: SQLColumnExpression[int], path_column: SQLColumnExpression[str]
    ) -> ColumnElement[bool]:
        """A SQL condition for rows of a hall (``hall_id_column``) whose org node's path is ``path_column``."""
        if self.hall_id is not None:
            return hall_id_column == self.hall_id
        return true() if self.path is None else path_column.startswith(self.path)


def scope_of(session: Session, account: StaffAccount) -> Scope:
    role = Role(account.role)
    if role is Role.SYSTEM_ADMIN:
        return Scope(None)
    if role in (Role.HALL_MANAGER, Role.COUNTER_STAFF):
        hall = session.get(Hall, account.hall_id) if account.hall_id is not None else None
        return Scope(hall.org_unit.path if hall else "/nowhere/", hall_id=hall.id if hall else -1)
    unit = session.get(OrgUnit, account.org_unit_id) if account.org_unit_id is not None else None
    return Scope(unit.path if unit else "/nowhere/")


def manages_place(scope: Scope, role: Role, path: str) -> bool:
    """Whether an account manager working in ``scope`` may create or change an account of ``role`` at ``path``.

    ``path`` is the account's org node (a hall role's: its hall's node). System admins manage every
    account. Below them, accounts are managed strictly below the manager's node: never a peer on
    the node itself, nor a system admin. A hall lies below the node it hangs from, so the accounts
    of a hall on the manager's own node are theirs.
    """
    if scope.everything:
        return True
    if role is Role.SYSTEM_ADMIN or scope.path is None or not scope.covers_path(path):
        return False
    return role in HALL_ROLES or path != scope.path


def may(account: StaffAccount, permission: Permission) -> bool:
    return account.active and permission in ROLE_PERMISSIONS[Role(account.role)]


def may_grant(account: StaffAccount, role: Role) -> bool:
    return may(account, P.MANAGE_USERS) and role in GRANTABLE.get(Role(account.role), frozenset())


def require(account: StaffAccount, permission: Permission) -> None:
    if not may(account, permission):
        raise AccessDenied(f"the role {account.role} may not {permission.value}")
