"""Imports every model module so ``Base.metadata`` is complete (for Alembic and create_all)."""

from content import (
    audit,
    certificates,
    citizen_sessions,
    demo_history,
    demo_records,
    emergencies,
    items,
    kiosk_agents,
    layouts,
    org,
    outbox,
    playlists,
    proof_of_play,
    queues,
    schedules,
    screens,
    staff,
    targeting,
)
from content import approval, emergency_proposals, notifications  # noqa: F401  (reviews and their notifications)
from content.db import Base

__all__ = [
    "Base", "audit", "certificates", "citizen_sessions", "demo_history", "demo_records", "emergencies", "items",
    "kiosk_agents", "layouts", "org", "outbox", "playlists", "proof_of_play", "queues", "schedules", "screens",
    "staff", "targeting",
]
