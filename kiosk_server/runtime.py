"""The long-lived server parts of one app: manifest book, publisher, change signal, heartbeats, namespaces, sweeper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_socketio import SocketIO

from kiosk_server.agent_namespace import AgentNamespace
from kiosk_server.alert_watch import AlertWatch
from kiosk_server.change_signal import ChangeSignal
from kiosk_server.citizen_events import CitizenEvents
from kiosk_server.database import Database
from kiosk_server.events import AGENT_NAMESPACE, SCREEN_NAMESPACE
from kiosk_server.heartbeats import HeartbeatRecorder
from kiosk_server.manifests import ManifestBook
from kiosk_server.market_refresh import MarketRefresh
from kiosk_server.message_queue import MessageQueue
from kiosk_server.publisher import Publisher
from kiosk_server.queue_publisher import QueuePublisher
from kiosk_server.records_backends import CitizenPolicy
from kiosk_server.remote_care import RemoteCare
from kiosk_server.screen_namespace import ScreenNamespace
from kiosk_server.session_sweeper import SessionSweeper
from kiosk_server.widget_refresh import WidgetRefresh


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    socketio: SocketIO
    db: Database
    book: ManifestBook
    publisher: Publisher
    queue: QueuePublisher
    beats: HeartbeatRecorder
    screens: ScreenNamespace
    agents: AgentNamespace
    sweeper: SessionSweeper
    policy: CitizenPolicy
    events: CitizenEvents
    clock: Callable[[], datetime] = field(default=system_clock)
    signal: ChangeSignal | None = None  # several processes share PostgreSQL only
    alerts: AlertWatch | None = None  # screen alerts, watched on the publisher's leader (kiosk_server/alert_watch.py)
    widgets: WidgetRefresh | None = None  # feeds and web pages, on the leader (kiosk_server/widget_refresh.py)
    market: MarketRefresh | None = (
        None  # 供求分析 figures recomputed hourly, on the leader (kiosk_server/market_refresh.py)
    )
    care: RemoteCare | None = None  # remote-care commands: sent, answered, swept (kiosk_server/remote_care.py)
    started: bool = False

    @classmethod
    def build(
        cls,
        socketio: SocketIO,
        db: Database,
        *,
        heartbeat_seconds: int,
        poll_seconds: float,
        policy: CitizenPolicy,
        clock: Callable[[], datetime] = system_clock,
    ) -> Runtime:
        book = ManifestBook(db, clock)
        publisher = Publisher(socketio, db, book, clock, poll_seconds)
        publisher.watch(db.session_factory)
        signal = None
        if db.engine.dialect.name == "postgresql":  # SQLite is one process: no one else to tell
            signal = ChangeSignal(db.engine, publisher.wake, lambda: publisher.is_leader)
            signal.watch(db.session_factory)
        queue = QueuePublisher(socketio, db, clock, poll_seconds, lambda: publisher.is_leader)
        queue.watch(db.session_factory)
        beats = HeartbeatRecorder(db, clock)
        screens = ScreenNamespace(SCREEN_NAMESPACE, db, book, queue, beats, heartbeat_seconds, clock)
        socketio.on_namespace(screens)
        events = CitizenEvents(socketio)
        agents = AgentNamespace(AGENT_NAMESPACE, db, policy, events, clock)
        socketio.on_namespace(agents)
        sweeper = SessionSweeper(db, events, clock, policy.sweep_seconds)
        care = RemoteCare(
            socketio,
            db,
            clock,
            players=screens.connected_screens,
            agents=agents.connected_kiosks,
            certificate_print_key=policy.certificate_print_key,
        )
        screens.care = agents.care = care
        manager = socketio.server.manager if socketio.server is not None else None
        if isinstance(manager, MessageQueue):  # pushes lost while Redis was away are sent again
            manager.on_recovery(publisher.emit_all_again)
            manager.on_recovery(screens.repair_all)
        return cls(
            socketio,
            db,
            book,
            publisher,
            queue,
            beats,
            screens,
            agents,
            sweeper,
            policy,
            events,
            clock,
            signal=signal,
            care=care,
        )

    def start(self) -> None:
        """Start the publisher, the heartbeat flusher and the session sweeper (once; safe to call twice)."""
        if self.started:
            return
        self.started = True
        self.publisher.start()
        self.queue.start()
        self.socketio.start_background_task(self.beats.run)
        self.socketio.start_background_task(self.sweeper.run)
        self.socketio.start_background_task(self.agents.run)  # revoked agents are cut off
        if self.alerts is not None:
            self.socketio.start_background_task(self.alerts.run)
        if self.widgets is not None:
            self.socketio.start_background_task(self.widgets.run)
        if self.market is not None:
            self.socketio.start_background_task(self.market.run)
        if self.care is not None:
            self.socketio.start_background_task(self.care.run)
        if self.signal is not None:
            self.socketio.start_background_task(self.signal.run)

    def stop(self) -> None:
        self.publisher.stop()
        self.queue.stop()
        self.beats.stop()
        self.sweeper.stop()
        self.agents.stop()
        if self.alerts is not None:
            self.alerts.stop()
        if self.widgets is not None:
            self.widgets.stop()
        if self.market is not None:
            self.market.stop()
        if self.care is not None:
            self.care.stop()
        if self.signal is not None:
            self.signal.stop()
        try:
            self.beats.flush()
        except Exception:  # noqa: BLE001 - shutting down; the database may already be gone
            pass
