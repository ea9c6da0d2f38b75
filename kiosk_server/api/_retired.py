"""Retired halls, screens and groups in the API: listed only on request, shown with ``retired_at``, never changed.

Retiring and restoring happen in the console (``content/org/structure.py``: a retired screen's key
is rotated and its groups emptied, a hall retires only without live screens). The API keeps the
rows readable for history but out of the way: lists show live rows unless ``?retired=true``, and a
PATCH of a retired row, or one that would put a screen into a retired hall or group, is a 409
saying what to restore first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Final

from pydantic import Field
from sqlalchemy import ColumnElement

from kiosk_server.api._errors import Conflict
from kiosk_server.api._schemas import Filters

# Where the console restores each kind; a screen's own page is /console/screens/<id>.
RESTORED_ON: Final = {"hall": "/console/halls (大厅)", "screen_group": "/console/groups (屏幕分组)"}


class RetiredFilters(Filters):
    """Paging and filters, plus ``retired``: live rows (the default) or retired ones instead."""

    retired: bool = Field(False, description="true: list retired rows instead of live ones (default: live only)")

    special: ClassVar[frozenset[str]] = frozenset({"retired"})

    def clauses(self, model: Any) -> list[ColumnElement[bool]]:
        found = super().clauses(model)
        found.append(model.retired_at.is_not(None) if self.retired else model.retired_at.is_(None))
        return found


RETIRED_AT = Field(None, description="when it was retired (out of service, kept for history); null while live")


class RetiredConflict(Conflict):
    """A write that touches a retired row."""

    def __init__(self, kind: str, ident: int, retired_at: datetime) -> None:
        noun = kind.replace("_", " ")
        where = RESTORED_ON.get(kind, f"/console/screens/{ident}")
        super().__init__(f"{noun} {ident} is retired (since {retired_at.isoformat()}); restore it first on {where}")


def refuse_retired(kind: str, row: Any) -> None:
    """Raise ``RetiredConflict`` when ``row`` (a hall, screen or screen group, or None) is retired."""
    if row is not None and row.retired_at is not None:
        raise RetiredConflict(kind, int(row.id), row.retired_at)
