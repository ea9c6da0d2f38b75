"""The running server's side of the fleet view: expected versions, live beats and the offline threshold.

``content.signage.fleet`` does the query; this module hands it what only the running server knows: the
version each screen's manifest group has now (the ManifestBook snapshot), the beats this process
holds in memory and has not flushed yet (fresher than ``screen_status`` by up to 15 s), and how long
a silence means offline (from ``KIOSK_HEARTBEAT_SECONDS``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from flask import Flask
from sqlalchemy.orm import Session

from content.signage.fleet import FleetFilter, FleetPage, fleet_page, offline_after_for
from kiosk_server.heartbeats import FLUSH_SECONDS
from kiosk_server.manifests import Snapshot
from kiosk_server.settings_access import runtime, settings


class SnapshotVersions:
    """The version of each screen's manifest group in one snapshot; None for a screen it does not know."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._versions = {group: manifest.version for group, manifest in snapshot.manifests.items()}
        self._groups = snapshot.screen_groups

    def __call__(self, screen_id: int) -> str | None:
        group = self._groups.get(screen_id)
        return None if group is None else self._versions.get(group)


def offline_after(heartbeat_seconds: float) -> timedelta:
    """The silence after which a screen counts as offline, for this server's heartbeat period."""
    return offline_after_for(heartbeat_seconds, FLUSH_SECONDS)


class ScopeLike(Protocol):
    """Where an account may look (``content.accounts.access.Scope`` fits): an org path, one hall, or None for all."""

    @property
    def path(self) -> str | None: ...

    @property
    def hall_id(self) -> int | None: ...


def fleet_for(
    app: Flask, session: Session, filt: FleetFilter, scope: ScopeLike | str | None, *, now: datetime | None = None
) -> FleetPage:
    """The fleet page as this server sees it now, confined to ``scope``.

    ``scope`` is the signed-in account's scope (``g.scope`` in the console), or an org path such
    as ``/1/4/``; None shows the whole fleet.
    """
    scope_path, scope_hall_id = (
        (scope, None) if scope is None or isinstance(scope, str) else (scope.path, scope.hall_id)
    )
    rt = runtime(app)
    snapshot = rt.book.current()
    return fleet_page(
        session,
        filt,
        now=now if now is not None else rt.clock(),
        expected_versions=SnapshotVersions(snapshot),
        offline_after=offline_after(settings(app).heartbeat_seconds),
        live=rt.beats.all_latest(),
        scope_path=scope_path,
        scope_hall_id=scope_hall_id,
    )
