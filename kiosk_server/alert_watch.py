"""The alert watcher: every 30 s, on the publisher's leader, turns screen trouble into alerts.

It looks at every live (not retired) screen as the fleet view does (``screen_status`` rows and the
beats this process holds, the version its manifest group has now, its kiosk readers), runs the
hysteresis rules of ``content/signage/alert_rules.py``, commits the alert rows with an in-app
notification to the hall's managers, and then sends the changes to the webhook and by e-mail
(to those managers with an address, and the fixed list: ``kiosk_server/alert_delivery.py``). Only
the holder of the publisher lease watches, so with several server processes an alert is raised
once; a process that takes the lease over resumes from the open alerts and the last hour's raises
in the database.

The rules' state (since when a condition holds, the flap history) lives in this process's memory:
a takeover restarts the raise delay of conditions not yet raised, never raises one twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.notifications import NotificationKind, notify
from content.citizens.kiosk_agents import ReaderState, ReaderStatus
from content.citizens.kiosk_printers import NEEDS_HANDS, PrinterStatus
from content.org.screens import Screen, ScreenStatus
from content.signage import alerts
from content.signage.alert_rules import (
    ABSENT,
    AlertKind,
    AlertPolicy,
    Change,
    Observation,
    Shown,
    Track,
    lag,
    printer_trouble,
    reader_trouble,
    resumed,
    silence,
    step,
)
from kiosk_server.alert_delivery import AlertMessage, Deliveries
from kiosk_server.config import Settings
from kiosk_server.database import Database
from kiosk_server.fleet_status import SnapshotVersions, offline_after
from kiosk_server.heartbeats import HeartbeatRecorder
from kiosk_server.manifests import ManifestBook
from kiosk_server.periodic import run_rounds
from kiosk_server.settings_access import runtime, settings

log = logging.getLogger(__name__)

WATCH_SECONDS: Final = 30.0
# A reader in these states needs a technician; ``unknown`` means the agent is gone (the kiosk's silence says it).
BAD_READER_STATES: Final = (ReaderState.FAULT.value, ReaderState.DETACHED.value)
_TOLD: Final = {
    AlertKind.SILENT: NotificationKind.ALERT_SILENT,
    AlertKind.BEHIND: NotificationKind.ALERT_BEHIND,
    AlertKind.READER_FAULT: NotificationKind.ALERT_READER_FAULT,
    AlertKind.PRINTER_FAULT: NotificationKind.ALERT_PRINTER_FAULT,
}

Key = tuple[int, AlertKind]  # (screen id, kind)


def policy_from(config: Settings) -> AlertPolicy:
    """The delays from the settings; a silent screen raises once the fleet counts it offline."""
    return AlertPolicy(
        raise_after={
            AlertKind.SILENT: offline_after(config.heartbeat_seconds),
            AlertKind.BEHIND: timedelta(minutes=config.alert_behind_minutes),
            AlertKind.READER_FAULT: timedelta(minutes=config.alert_reader_fault_minutes),
            # A device of the kiosk that needs a hand, like a reader: the same delay.
            AlertKind.PRINTER_FAULT: timedelta(minutes=config.alert_reader_fault_minutes),
        },
        clear_after=timedelta(minutes=config.alert_clear_minutes),
        flap_limit=config.alert_flap_limit,
    )


@dataclass(frozen=True)
class Seen:
    observation: Observation
    detail: dict[str, Any]


class AlertWatch:
    """Observes the fleet, steps every (screen, kind) track, writes and sends what changed."""

    def __init__(
        self,
        db: Database,
        beats: HeartbeatRecorder,
        book: ManifestBook,
        clock: Callable[[], datetime],
        *,
        is_leader: Callable[[], bool],
        policy: AlertPolicy,
        deliveries: Deliveries,
    ) -> None:
        self._db = db
        self._beats = beats
        self._book = book
        self._clock = clock
        self._is_leader = is_leader
        self.policy = policy
        self.deliveries = deliveries
        self._tracks: dict[Key, Track] | None = None  # None: not resumed from the database yet
        self._open: dict[Key, int] = {}  # the open alert row of each track that shows one
        self._stopped = threading.Event()
        self.rounds = 0

    @classmethod
    def for_app(
        cls, app: Flask, *, clock: Callable[[], datetime] | None = None, is_leader: Callable[[], bool] | None = None
    ) -> AlertWatch:
        rt, config = runtime(app), settings(app)
        return cls(
            rt.db,
            rt.beats,
            rt.book,
            clock or rt.clock,
            is_leader=is_leader or (lambda: rt.publisher.is_leader),
            policy=policy_from(config),
            deliveries=Deliveries.from_settings(config),
        )

    def run(self) -> None:
        run_rounds(
            self.watch_once, interval=WATCH_SECONDS, stopped=self._stopped, engine=self._db.engine, what="alert watch"
        )

    def stop(self) -> None:
        self._stopped.set()

    def watch_once(self) -> list[AlertMessage]:
        """One round; returns the changes it committed (and sent)."""
        self.rounds += 1
        if not self._is_leader():
            self._tracks, self._open = None, {}  # another process watches; resume from the database if we lead again
            return []
        now = self._clock()
        with self._db.session() as session:
            if self._tracks is None:
                self._tracks, self._open = self._resume(session, now)
            tracks, opened, messages = self._step_all(session, now)
            session.commit()
        self._tracks, self._open = tracks, opened
        self.deliveries.deliver(messages)
        return messages

    def _resume(self, session: Session, now: datetime) -> tuple[dict[Key, Track], dict[Key, int]]:
        tracks: dict[Key, Track] = {}
        opened: dict[Key, int] = {}
        kinds = set(AlertKind.__members__.values())
        earlier: dict[Key, list[datetime]] = {}
        for row in alerts.raised_since(session, now - self.policy.flap_window):
            if row.kind in kinds and not row.open:
                earlier.setdefault((row.screen_id, AlertKind(row.kind)), []).append(row.raised_at)
        for key, onsets in earlier.items():
            tracks[key] = Track(onsets=tuple(onsets))
        for row in alerts.open_alerts(session):
            if row.kind not in kinds:
                continue
            key = (row.screen_id, AlertKind(row.kind))
            shown = Shown.FLAPPING if row.flapping else Shown.ALERT
            tracks[key] = resumed(shown, row.raised_at, tuple(earlier.get(key, ())), self.policy)
            opened[key] = row.id
        return tracks, opened

    def _step_all(self, session: Session, now: datetime) -> tuple[dict[Key, Track], dict[Key, int], list[AlertMessage]]:
        assert self._tracks is not None
        seen = self._observe(session, now)
        tracks: dict[Key, Track] = {}
        opened = dict(self._open)
        changed: list[tuple[alerts.Alert, Change]] = []
        for key in set(seen) | set(self._tracks):
            screen_id, kind = key
            found = seen.get(key)
            result = step(
                self._tracks.get(key, Track()), found.observation if found else ABSENT, now, kind, self.policy
            )
            if not result.track.idle:
                tracks[key] = result.track
            if result.change is Change.CLEARED:
                row = session.get(alerts.Alert, opened.pop(key, 0))
                if row is not None and row.open:  # gone with its screen: nothing to say
                    row.cleared_at = now
                    changed.append((row, Change.CLEARED))
            elif result.change is not None:
                row = alerts.raise_alert(
                    session,
                    screen_id=screen_id,
                    kind=kind,
                    now=now,
                    detail=found.detail if found else {},
                    flapping=result.change is Change.FLAPPING,
                )
                session.flush()
                opened[key] = row.id
                changed.append((row, result.change))
        lines = alerts.lines_for(session, [row for row, _ in changed])
        messages = []
        addresses: dict[int, tuple[str, ...]] = {}  # by hall, asked once a round
        for row, change in changed:
            line = lines.get(row.id)
            if line is None:
                continue
            mail_to: tuple[str, ...] = ()
            if change is not Change.CLEARED:
                self._tell(session, line, now)
                if line.hall_id not in addresses:
                    addresses[line.hall_id] = alerts.recipient_addresses(session, line.hall_id)
                mail_to = addresses[line.hall_id]
            messages.append(_message(line, change, mail_to))
        return tracks, opened, messages

    def _tell(self, session: Session, line: alerts.AlertLine, now: datetime) -> None:
        row = line.alert
        told = NotificationKind.ALERT_FLAPPING if row.flapping else _TOLD[AlertKind(row.kind)]
        params = {"screen": line.screen_name, "hall": line.hall_name}
        notify(
            session, alerts.recipients(session, line.hall_id), told, params=params, subject=("alert", row.id), now=now
        )
        row.last_notified_at = now

    def _observe(self, session: Session, now: datetime) -> dict[Key, Seen]:
        """What every live screen shows now, as observations of the conditions that hold."""
        cutoff = offline_after_of(self.policy)
        expected = SnapshotVersions(self._book.current())
        live = self._beats.all_latest()
        seen: dict[Key, Seen] = {}
        query = (
            select(Screen.id, ScreenStatus.last_seen_at, ScreenStatus.connected, ScreenStatus.manifest_version)
            .outerjoin(ScreenStatus, ScreenStatus.screen_id == Screen.id)
            .where(Screen.retired_at.is_(None))
        )
        for screen_id, at, connected, shown in session.execute(query):
            beat = live.get(screen_id)
            if beat is not None and (at is None or beat.at >= at):
                at, connected, shown = beat.at, beat.connected, beat.version
            silent = silence(at, bool(connected), now, cutoff)
            if silent.present:
                seen[(screen_id, AlertKind.SILENT)] = Seen(silent, {"last_seen_at": at.isoformat() if at else None})
            want = expected(screen_id)
            behind = lag(at, bool(connected), shown, want, now, cutoff)
            if behind.present:
                seen[(screen_id, AlertKind.BEHIND)] = Seen(behind, {"shown": shown, "expected": want})
        faults: dict[int, list[ReaderStatus]] = {}
        for reader in session.scalars(
            select(ReaderStatus)
            .join(Screen, Screen.id == ReaderStatus.screen_id)
            .where(ReaderStatus.state.in_(BAD_READER_STATES), Screen.retired_at.is_(None))
            .order_by(ReaderStatus.screen_id, ReaderStatus.reader_id)
        ):
            faults.setdefault(reader.screen_id, []).append(reader)
        for screen_id, readers in faults.items():
            trouble = reader_trouble([(r.changed_at, r.repeated) for r in readers])
            detail = {
                "readers": [
                    {
                        "reader_id": r.reader_id,
                        "kind": r.kind,
                        "state": r.state,
                        "reason": r.reason,
                        "repeated": r.repeated,
                    }
                    for r in readers
                ]
            }
            seen[(screen_id, AlertKind.READER_FAULT)] = Seen(trouble, detail)
        seen.update(self._printers(session))
        return seen

    @staticmethod
    def _printers(session: Session) -> dict[Key, Seen]:
        """Kiosks with a printer that cannot print until someone acts (paper out, offline…)."""
        stuck: dict[int, list[PrinterStatus]] = {}
        for printer in session.scalars(
            select(PrinterStatus)
            .join(Screen, Screen.id == PrinterStatus.screen_id)
            .where(PrinterStatus.state.in_([s.value for s in NEEDS_HANDS]), Screen.retired_at.is_(None))
            .order_by(PrinterStatus.screen_id, PrinterStatus.role)
        ):
            stuck.setdefault(printer.screen_id, []).append(printer)
        return {
            (screen_id, AlertKind.PRINTER_FAULT): Seen(
                printer_trouble([p.changed_at for p in printers]),
                {"printers": [{"role": p.role, "kind": p.kind, "state": p.state} for p in printers]},
            )
            for screen_id, printers in stuck.items()
        }


def offline_after_of(policy: AlertPolicy) -> timedelta:
    """The silence that makes a screen offline: the silent alert's raise delay is exactly that."""
    return policy.raise_after[AlertKind.SILENT]


def _message(line: alerts.AlertLine, change: Change, mail_to: tuple[str, ...]) -> AlertMessage:
    row = line.alert
    return AlertMessage(
        change=change,
        alert_id=row.id,
        kind=row.kind,
        flapping=row.flapping,
        screen_id=row.screen_id,
        screen_name=line.screen_name,
        hall_id=line.hall_id,
        hall_name=line.hall_name,
        hall_timezone=line.hall_timezone,
        raised_at=row.raised_at,
        cleared_at=row.cleared_at,
        detail=dict(row.detail or {}),
        mail_to=mail_to,
    )


def init_app(app: Flask) -> None:
    """Give the app's runtime its watcher; ``Runtime.start`` runs it (on the leader only)."""
    runtime(app).alerts = AlertWatch.for_app(app)
