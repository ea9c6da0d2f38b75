"""Imports every model module so ``Base.metadata`` is complete (for Alembic and create_all)."""

from content import audit, emergencies, items, layouts, org, outbox, playlists, schedules, screens, targeting
from content.db import Base

__all__ = [
    "Base", "audit", "emergencies", "items", "layouts", "org", "outbox", "playlists", "schedules", "screens", "targeting",
]
