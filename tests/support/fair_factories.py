"""Job fair rows for the tests: valid unless overridden, saved through the domain's own rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from content.library.fairs.job_fairs import JobFair
from content.library.fairs.rules import save_fair
from content.org.tree import OrgUnit

CREATED = datetime(2026, 11, 1, tzinfo=UTC)
FAIR_START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 09:00 in Shanghai


def fair(session: Session, org_unit: OrgUnit, **overrides: Any) -> JobFair:
    """A published fair at ``org_unit`` (outside venue unless ``hall_id``), flushed, created at CREATED."""
    values: dict[str, Any] = {
        "org_unit_id": org_unit.id,
        "title": "兰州市2026年冬季高校毕业生专场招聘会",
        "status": "published",
        "theme": "高校毕业生专场",
        "starts_at": FAIR_START,
        "ends_at": FAIR_START + timedelta(hours=7),
        "venue_name": "兰州市人力资源市场",
        "venue_address": "城关区南滨河东路",
        "organiser": "兰州市就业服务中心",
        "booths": [],
    } | overrides
    row = save_fair(session, None, values)
    row.created_at = row.updated_at = CREATED
    session.flush()
    return row
