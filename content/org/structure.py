"""The fleet's structure over time: moving screens between halls, retiring and restoring halls, screens and groups.

Retiring keeps the row and its history (proof of play, audit lines name it) but takes it out of
service: a retired screen gets a new key nobody knows, so the device that held the old one is
refused at once, and it leaves its groups, the manifests and the fleet counts (they read only
screens whose ``retired_at`` is empty). A hall is retired only once no live screen hangs in it; a
group on retiring loses its members, so nothing it targets reaches a screen any more.

Every function stages an outbox row in the caller's transaction, as the REST API's saves do, so
the manifest book and the screen directory pick the change up; it returns a ``Change`` for the
caller to audit (``content.org`` knows nothing of accounts). The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content import outbox
from content.errors import ContentError
from content.org.screens import Screen, ScreenGroup, new_screen_key
from content.org.tree import Hall

HALL: Final = "hall"
SCREEN: Final = "screen"
SCREEN_GROUP: Final = "screen_group"


class StructureError(ContentError):
    """A change to the fleet's structure that cannot be made as asked."""


class HallHasLiveScreens(StructureError):
    """A hall cannot be retired while screens still hang in it."""

    def __init__(self, hall: Hall, live: int) -> None:
        super().__init__(f"hall {hall.id} still has {live} live screen(s); move or retire them first")
        self.live = live


class Retired(StructureError):
    """The object (or the hall it would go to) is retired: restore it first."""

    def __init__(self, kind: str, ident: int) -> None:
        super().__init__(f"{kind.replace('_', ' ')} {ident} is retired")
        self.kind = kind
        self.ident = ident


class AlreadyLive(StructureError):
    """Restoring something that was never retired."""


class SameHall(StructureError):
    """Moving a screen to the hall it already hangs in."""


@dataclass(frozen=True)
class Change:
    """What happened, for the audit log: the object, the action, the fields it changed."""

    kind: str
    ident: int
    action: str
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    org_path: str | None = None  # where the object sits in the org tree (the audit log is filtered by it)


def staged(session: Session, kind: str, ident: int, action: str) -> None:
    """The outbox row of a structural change: screens, their groups and halls regroup on the manifest book."""
    outbox.add_event(session, "content", kind=kind, id=ident, action=action)


def live_screen_count(session: Session, hall_id: int) -> int:
    return int(
        session.scalar(select(func.count(Screen.id)).where(Screen.hall_id == hall_id, Screen.retired_at.is_(None))) or 0
    )


def move_screen(session: Session, screen: Screen, hall: Hall) -> Change:
    """Hang ``screen`` in ``hall``: it keeps its key (the device carries on) and shows the new hall's content."""
    if screen.retired_at is not None:
        raise Retired(SCREEN, screen.id)
    if hall.retired_at is not None:
        raise Retired(HALL, hall.id)
    if hall.id == screen.hall_id:
        raise SameHall(f"screen {screen.id} already hangs in hall {hall.id}")
    before = screen.hall_id
    screen.hall_id = hall.id
    screen.hall = hall
    session.flush()
    staged(session, SCREEN, screen.id, "moved")
    return Change(SCREEN, screen.id, "moved", {"hall_id": before}, {"hall_id": hall.id}, hall.org_unit.path)


def retire_screen(session: Session, screen: Screen, now: datetime) -> Change:
    """Take ``screen`` out of service: a new secret key, out of its groups; its history stays."""
    if screen.retired_at is not None:
        raise Retired(SCREEN, screen.id)
    groups = sorted(group.id for group in screen.groups)
    screen.retired_at = now
    screen.key = new_screen_key()  # the device's key stops working now; restoring needs a new enrolment
    screen.groups = []
    session.flush()
    staged(session, SCREEN, screen.id, "retired")
    return Change(
        SCREEN,
        screen.id,
        "retired",
        {"group_ids": groups},
        {"retired_at": now.isoformat()},
        screen.hall.org_unit.path,
    )


def restore_screen(session: Session, screen: Screen) -> Change:
    """Bring a retired screen back into its hall (with the key it got on retiring, which no device holds)."""
    if screen.retired_at is None:
        raise AlreadyLive(f"screen {screen.id} is not retired")
    if screen.hall.retired_at is not None:
        raise Retired(HALL, screen.hall_id)
    was = screen.retired_at
    screen.retired_at = None
    session.flush()
    staged(session, SCREEN, screen.id, "restored")
    return Change(SCREEN, screen.id, "restored", {"retired_at": was.isoformat()}, {}, screen.hall.org_unit.path)


def retire_hall(session: Session, hall: Hall, now: datetime) -> Change:
    """Retire an empty hall; one with live screens raises ``HallHasLiveScreens`` naming how many."""
    if hall.retired_at is not None:
        raise Retired(HALL, hall.id)
    live = live_screen_count(session, hall.id)
    if live:
        raise HallHasLiveScreens(hall, live)
    hall.retired_at = now
    session.flush()
    staged(session, HALL, hall.id, "retired")
    return Change(HALL, hall.id, "retired", {}, {"retired_at": now.isoformat()}, hall.org_unit.path)


def restore_hall(session: Session, hall: Hall) -> Change:
    if hall.retired_at is None:
        raise AlreadyLive(f"hall {hall.id} is not retired")
    was = hall.retired_at
    hall.retired_at = None
    session.flush()
    staged(session, HALL, hall.id, "restored")
    return Change(HALL, hall.id, "restored", {"retired_at": was.isoformat()}, {}, hall.org_unit.path)


def retire_group(session: Session, group: ScreenGroup, now: datetime) -> Change:
    """Retire a group: its members leave it, so what targets the group reaches no screen."""
    if group.retired_at is not None:
        raise Retired(SCREEN_GROUP, group.id)
    members = sorted(screen.id for screen in group.screens)
    group.retired_at = now
    group.screens = []
    session.flush()
    staged(session, SCREEN_GROUP, group.id, "retired")
    return Change(
        SCREEN_GROUP,
        group.id,
        "retired",
        {"screen_ids": members},
        {"retired_at": now.isoformat()},
        group.org_unit.path,
    )


def restore_group(session: Session, group: ScreenGroup) -> Change:
    """Bring a retired group back, empty (its former members are in the audit line of its retiring)."""
    if group.retired_at is None:
        raise AlreadyLive(f"screen group {group.id} is not retired")
    was = group.retired_at
    group.retired_at = None
    session.flush()
    staged(session, SCREEN_GROUP, group.id, "restored")
    return Change(SCREEN_GROUP, group.id, "restored", {"retired_at": was.isoformat()}, {}, group.org_unit.path)


def set_members(session: Session, group: ScreenGroup, wanted: list[Screen], changeable: set[int]) -> Change:
    """Make ``wanted`` the group's members among the screens ``changeable`` (ids); others keep their place.

    The change stages an outbox row only when the members differ.

    ``changeable`` is what the account may see: members outside it stay, so an admin of one county
    does not drop a neighbour's screens from a city-wide group by saving it.
    """
    if group.retired_at is not None:
        raise Retired(SCREEN_GROUP, group.id)
    for screen in wanted:
        if screen.retired_at is not None:
            raise Retired(SCREEN, screen.id)
    before = sorted(screen.id for screen in group.screens)
    kept = [screen for screen in group.screens if screen.id not in changeable]
    group.screens = kept + [screen for screen in wanted if screen.id not in {s.id for s in kept}]
    session.flush()
    after = sorted(screen.id for screen in group.screens)
    if after != before:  # an unchanged group need not regroup the fleet
        staged(session, SCREEN_GROUP, group.id, "members")
    return Change(SCREEN_GROUP, group.id, "members", {"screen_ids": before}, {"screen_ids": after}, group.org_unit.path)
