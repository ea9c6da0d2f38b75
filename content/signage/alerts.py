"""Alerts about screens: a silent screen, one behind on its content, a kiosk reader in fault.

An ``Alert`` row is written when ``content.signage.alert_rules`` raises one and closed
(``cleared_at``) when it clears; rows are never deleted, so they are the history the console
shows. Who hears about an alert: the hall's managers and the org admins whose subtree holds the
hall (``recipients``), in the console and, when their account has an address, by e-mail
(``recipient_addresses``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.accounts.access import Scope, scope_of
from content.accounts.staff import Role, StaffAccount
from content.db import Base
from content.org.screens import Screen
from content.org.tree import Hall, OrgUnit
from content.signage.alert_rules import AlertKind

MAX_LISTED: Final = 200


class Alert(Base):
    __tablename__ = "alerts"
    # The watcher and the console's counts ask for open alerts; the screen page for one screen's.
    __table_args__ = (Index("ix_alerts_screen_id_cleared_at", "screen_id", "cleared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("screens.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # an AlertKind value
    flapping: Mapped[bool] = mapped_column(default=False)  # one alert for a screen that keeps failing and recovering
    raised_at: Mapped[datetime] = mapped_column(index=True)
    cleared_at: Mapped[datetime | None]
    last_notified_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # what the watcher saw: versions, readers, last heard

    @property
    def open(self) -> bool:
        return self.cleared_at is None


@dataclass(frozen=True)
class AlertLine:
    """An alert with the names the console and the messages show."""

    alert: Alert
    screen_name: str
    hall_id: int
    hall_name: str
    hall_timezone: str


def raise_alert(
    session: Session, *, screen_id: int, kind: AlertKind, now: datetime, detail: dict[str, Any], flapping: bool = False
) -> Alert:
    """Stage a new open alert in the caller's transaction."""
    alert = Alert(screen_id=screen_id, kind=kind.value, flapping=flapping, raised_at=now, detail=dict(detail))
    session.add(alert)
    return alert


def open_alerts(session: Session) -> list[Alert]:
    """Every open alert, oldest first (the watcher resumes its tracks from them)."""
    return list(session.scalars(select(Alert).where(Alert.cleared_at.is_(None)).order_by(Alert.raised_at, Alert.id)))


def raised_since(session: Session, since: datetime) -> list[Alert]:
    """Alerts raised at or after ``since``, open or not, oldest first (the flap history of a resumed watcher)."""
    return list(session.scalars(select(Alert).where(Alert.raised_at >= since).order_by(Alert.raised_at, Alert.id)))


def open_counts(session: Session, scope: Scope | None = None) -> dict[AlertKind, int]:
    """Open alerts by kind (every kind present, zeros included), within ``scope`` (None: everywhere)."""
    query = select(Alert.kind, func.count(Alert.id)).where(Alert.cleared_at.is_(None)).group_by(Alert.kind)
    if scope is not None and not scope.everything:
        query = (
            query.join(Screen, Screen.id == Alert.screen_id)
            .join(Hall, Hall.id == Screen.hall_id)
            .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
            .where(scope.hall_clause(Hall.id, OrgUnit.path))
        )
    counts = {kind: 0 for kind in AlertKind}
    for kind, count in session.execute(query):
        if kind in AlertKind.__members__.values():
            counts[AlertKind(kind)] = int(count)
    return counts


def alert_lines(
    session: Session,
    scope: Scope,
    *,
    is_open: bool,
    screen_id: int | None = None,
    limit: int = MAX_LISTED,
) -> list[AlertLine]:
    """Open (or cleared) alerts within ``scope``, newest first, optionally of one screen."""
    query = (
        select(Alert, Screen.name, Hall.id, Hall.name, Hall.timezone)
        .join(Screen, Screen.id == Alert.screen_id)
        .join(Hall, Hall.id == Screen.hall_id)
        .join(OrgUnit, OrgUnit.id == Hall.org_unit_id)
        .where(scope.hall_clause(Hall.id, OrgUnit.path))
        .where(Alert.cleared_at.is_(None) if is_open else Alert.cleared_at.is_not(None))
        .order_by((Alert.raised_at if is_open else Alert.cleared_at).desc(), Alert.id.desc())
        .limit(limit)
    )
    if screen_id is not None:
        query = query.where(Alert.screen_id == screen_id)
    return [AlertLine(alert, name, hall_id, hall, tz) for alert, name, hall_id, hall, tz in session.execute(query)]


def lines_for(session: Session, alerts: list[Alert]) -> dict[int, AlertLine]:
    """The names of the given alerts' screens and halls, by alert id (for the messages)."""
    screen_ids = {a.screen_id for a in alerts}
    if not screen_ids:
        return {}
    names = {
        screen_id: (name, hall_id, hall, tz)
        for screen_id, name, hall_id, hall, tz in session.execute(
            select(Screen.id, Screen.name, Hall.id, Hall.name, Hall.timezone)
            .join(Hall, Hall.id == Screen.hall_id)
            .where(Screen.id.in_(screen_ids))
        )
    }
    return {a.id: AlertLine(a, *names[a.screen_id]) for a in alerts if a.screen_id in names}


def recipients(session: Session, hall_id: int) -> list[int]:
    """The accounts told about a hall's alerts: its hall managers and the org admins whose subtree holds it."""
    hall = session.get(Hall, hall_id)
    if hall is None:
        return []
    candidates = session.scalars(
        select(StaffAccount)
        .where(
            StaffAccount.active.is_(True),
            (StaffAccount.role == Role.ORG_ADMIN.value)
            | ((StaffAccount.role == Role.HALL_MANAGER.value) & (StaffAccount.hall_id == hall_id)),
        )
        .order_by(StaffAccount.id)
    )
    return [a.id for a in candidates if scope_of(session, a).covers_hall(hall)]


def recipient_addresses(session: Session, hall_id: int) -> tuple[str, ...]:
    """The e-mail addresses of a hall's alert recipients (``recipients``); accounts without one are left out."""
    ids = recipients(session, hall_id)
    if not ids:
        return ()
    return tuple(
        session.scalars(
            select(StaffAccount.email)
            .where(StaffAccount.id.in_(ids), StaffAccount.email.is_not(None))
            .order_by(StaffAccount.id)
        )
    )
