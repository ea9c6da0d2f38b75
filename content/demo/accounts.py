"""Demo console accounts: one per role, placed on the demo org tree (demo only: printed passwords)."""

from __future__ import annotations

from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.accounts.staff import Role, StaffAccount, add_account
from content.org.tree import Hall, OrgUnit

DEMO_CONSOLE_PASSWORD: Final = "demo-console"

# username → (role, display name, where: "province", "city" (the first city) or "hall" (the first hall))
DEMO_ACCOUNTS: Final = {
    "admin": (Role.SYSTEM_ADMIN, "系统管理员", None),
    "shengting": (Role.ORG_ADMIN, "省厅账号管理员", "province"),
    "bianji": (Role.EDITOR, "市局内容编辑", "city"),
    "shenhe": (Role.APPROVER, "市局审核员", "city"),
    "dating": (Role.HALL_MANAGER, "大厅值班长", "hall"),
    "yunwei": (Role.FIELD_TECHNICIAN, "运维技术员", "city"),
}


def seed_console_accounts(session: Session) -> int:
    """Add the demo console accounts unless a console account exists already; returns how many were added."""
    console_roles = [r.value for r in Role if r is not Role.COUNTER_STAFF]
    if session.scalar(select(func.count()).select_from(StaffAccount).where(StaffAccount.role.in_(console_roles))):
        return 0
    province = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    if province is None:
        return 0
    city = session.scalar(select(OrgUnit).where(OrgUnit.parent_id == province.id).order_by(OrgUnit.id))
    hall = session.scalar(select(Hall).order_by(Hall.id))
    places = {"province": province.id, "city": city.id if city else province.id}
    for username, (role, name, where) in DEMO_ACCOUNTS.items():
        if where == "hall" and hall is None:
            continue
        add_account(
            session,
            username=username,
            password=DEMO_CONSOLE_PASSWORD,
            display_name=name,
            role=role,
            hall_id=hall.id if where == "hall" and hall else None,
            org_unit_id=places.get(where or ""),
        )
    return len(DEMO_ACCOUNTS)
