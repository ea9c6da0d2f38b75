"""``/metrics``: the fleet, delivery, queue, kiosk and alert numbers in Prometheus' text format 0.0.4.

Written by hand (no client library): a handful of gauges and counters read from the database at
scrape time, plus the publish latency histogram this process observes as it publishes. Guarded by
an API key whose scope grants ``read`` (a ``read``, ``content`` or ``full`` key, or the bootstrap
token); the numbers are province-wide counts whatever the key's node, with no names or ids in them (one
exception: prints are counted per kiosk screen id, so a kiosk whose printer keeps failing is found).
Names and meanings: docs/deployment.md, "Monitoring".
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

from flask import Blueprint, Flask, Response, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from content.citizens.kiosk_agents import ReaderState, ReaderStatus
from content.citizens.sessions import CitizenSession
from content.org.device_commands import FINAL_STATES, Command, DeviceCommand
from content.org.screens import ScreenKind
from content.outbox import OutboxEvent
from content.queue.models import EventKind, TicketEvent
from content.signage import alerts
from content.signage.fleet import FleetFilter, FleetState
from kiosk_server.auth import Need, require_auth
from kiosk_server.database import request_session
from kiosk_server.fleet_status import fleet_for
from kiosk_server.settings_access import runtime

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
# Seconds from a change's commit to the emit that carried it: pushes are near-instant, the poll is 5 s.
LATENCY_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
LATENCY_EXTENSION: Final = "kiosk_publish_latency"
MAX_OBSERVED_ROWS: Final = 10_000  # a bulk import's rows beyond this are not timed one by one

bp = Blueprint("metrics", __name__)


class PublishLatency:
    """A cumulative histogram of change-to-emit seconds; the publisher calls ``published`` before marking rows."""

    def __init__(self, buckets: Sequence[float] = LATENCY_BUCKETS) -> None:
        self.buckets = tuple(buckets)
        self._counts = [0] * (len(self.buckets) + 1)  # the last one: above every bucket (+Inf only)
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        index = next((i for i, bound in enumerate(self.buckets) if seconds <= bound), len(self.buckets))
        with self._lock:
            self._counts[index] += 1
            self._sum += seconds

    def published(self, session: Session, through: int, at: datetime) -> None:
        """Time the outbox rows revision ``through`` covers and that are about to be marked published at ``at``."""
        created = session.scalars(
            select(OutboxEvent.created_at)
            .where(OutboxEvent.published_at.is_(None), OutboxEvent.seq <= through)
            .limit(MAX_OBSERVED_ROWS)
        )
        for stamp in created:
            self.observe((at - stamp).total_seconds())

    def snapshot(self) -> tuple[list[tuple[float, int]], int, float]:
        """(cumulative count per upper bound, +Inf last), count, sum."""
        with self._lock:
            counts, total = list(self._counts), self._sum
        cumulative, running = [], 0
        for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
            running += count
            cumulative.append((bound, running))
        return cumulative, running, total


# -- the text format ---------------------------------------------------------------------------------


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_label_value(value)}"' for name, value in labels.items()) + "}"


class Exposition:
    """Lines of the text format: each family's HELP and TYPE, then its samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str, samples: Iterable[tuple[Mapping[str, str], float]]) -> None:
        self.lines.append(f"# HELP {name} {help_text.replace(chr(92), chr(92) * 2).replace(chr(10), chr(92) + 'n')}")
        self.lines.append(f"# TYPE {name} {kind}")
        suffix = "_total" if kind == "counter" else ""
        for labels, value in samples:
            self.lines.append(f"{name}{suffix}{_labels(labels)} {_number(value)}")

    def histogram(self, name: str, help_text: str, latency: PublishLatency) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} histogram")
        cumulative, count, total = latency.snapshot()
        for bound, running in cumulative:
            self.lines.append(f'{name}_bucket{{le="{_number(bound)}"}} {running}')
        self.lines.append(f"{name}_sum {_number(total)}")
        self.lines.append(f"{name}_count {count}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# -- what is measured --------------------------------------------------------------------------------


def exposition(app: Flask, session: Session) -> str:
    """Every metric, read now."""
    rt = runtime(app)
    out = Exposition()
    by_kind = {
        kind.value: fleet_for(app, session, FleetFilter(kind=kind.value, page_size=1), None).summary.by_state
        for kind in ScreenKind
    }
    out.family(
        "kiosk_screens",
        "gauge",
        "Live screens by kind and fleet state: current, behind (online, old version), offline, never (no heartbeat yet).",
        (
            ({"kind": kind, "state": state.value}, counts[state])
            for kind, counts in by_kind.items()
            for state in FleetState
        ),
    )
    out.family(
        "kiosk_screens_connected",
        "gauge",
        "Screens online (current or behind) by kind.",
        (({"kind": kind}, counts[FleetState.CURRENT] + counts[FleetState.BEHIND]) for kind, counts in by_kind.items()),
    )
    latency = app.extensions.get(LATENCY_EXTENSION)
    if isinstance(latency, PublishLatency):
        out.histogram(
            "kiosk_publish_latency_seconds",
            "Seconds from a change's commit to the emit of the manifests it changed, as this process published them.",
            latency,
        )
    calls = dict(
        session.execute(
            select(TicketEvent.kind, func.count(TicketEvent.id))
            .where(TicketEvent.kind.in_([EventKind.CALL.value, EventKind.RECALL.value]))
            .group_by(TicketEvent.kind)
        ).all()
    )
    out.family(
        "kiosk_queue_calls",
        "counter",
        "Queue tickets called at a counter (kind=call) and called again (kind=recall), all halls.",
        (({"kind": kind.value}, int(calls.get(kind.value, 0))) for kind in (EventKind.CALL, EventKind.RECALL)),
    )
    open_sessions = session.scalar(select(func.count(CitizenSession.id)).where(CitizenSession.ended_at.is_(None)))
    out.family(
        "kiosk_citizen_sessions_open", "gauge", "Citizen sessions open at kiosks now.", [({}, open_sessions or 0)]
    )
    out.family(
        "kiosk_citizen_sessions",
        "counter",
        "Citizen sessions ever opened at kiosks.",
        [({}, session.scalar(select(func.count(CitizenSession.id))) or 0)],
    )
    faults = dict(
        session.execute(
            select(ReaderStatus.kind, func.count(ReaderStatus.id))
            .where(ReaderStatus.state == ReaderState.FAULT.value)
            .group_by(ReaderStatus.kind)
        ).all()
    )
    out.family(
        "kiosk_reader_faults",
        "gauge",
        "Kiosk readers whose agent reports a fault now, by reader kind.",
        (({"reader": kind}, count) for kind, count in sorted(faults.items())),
    )
    printed = session.execute(
        select(DeviceCommand.screen_id, DeviceCommand.state, DeviceCommand.error, func.count(DeviceCommand.id))
        .where(
            DeviceCommand.command == Command.PRINT.value,
            DeviceCommand.state.in_([s.value for s in FINAL_STATES]),
        )
        .group_by(DeviceCommand.screen_id, DeviceCommand.state, DeviceCommand.error)
        .order_by(DeviceCommand.screen_id, DeviceCommand.state, DeviceCommand.error)
    ).all()
    out.family(
        "kiosk_prints",
        "counter",
        "Prints (slips, certificates) ended per kiosk screen id: done, or failed/expired by error code.",
        (
            ({"screen": str(screen_id), "outcome": state, "error": error}, count)
            for screen_id, state, error, count in printed
        ),
    )
    out.family(
        "kiosk_alerts_open",
        "gauge",
        "Open screen alerts by kind (silent, behind, reader_fault, printer_fault).",
        (({"kind": kind.value}, count) for kind, count in alerts.open_counts(session).items()),
    )
    watch = rt.alerts
    channels = watch.deliveries.channels if watch is not None else []
    out.family(
        "kiosk_alert_deliveries",
        "counter",
        "Alert webhook POSTs and e-mails sent by this process, by channel.",
        (({"channel": c}, watch.deliveries.sent[c]) for c in channels) if watch is not None else (),
    )
    out.family(
        "kiosk_alert_delivery_failures",
        "counter",
        "Alert webhook POSTs and e-mails that failed in this process, by channel (each tried once).",
        (({"channel": c}, watch.deliveries.failures[c]) for c in channels) if watch is not None else (),
    )
    return out.text()


def _metrics() -> Response:
    return Response(exposition(current_app, request_session()), content_type=CONTENT_TYPE)


bp.add_url_rule("/metrics", "metrics", require_auth(_metrics, Need.READ), methods=["GET"])


def init_app(app: Flask) -> None:
    """Time the publisher's emits and serve ``/metrics``."""
    latency = app.extensions[LATENCY_EXTENSION] = PublishLatency()
    runtime(app).publisher.on_publish = latency.published
    app.register_blueprint(bp)
