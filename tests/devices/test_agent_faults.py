"""The agent's reader status: faults rate-limited with counts, cleared by a good read, unreadable cards
forwarded, and an unplugged reader reported detached at once (its card forgotten)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from devices.agent.config import parse_agent_config
from devices.agent.fault_throttle import FaultThrottle
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.events import CardRemoved, DocumentKind, IdCardRead, ReaderAttached, ReaderFault
from devices.simulators.idcard_reader import SimCard, SimIdCardReader

READER = "idcard-1"
WALL = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def wait_for(predicate: Any, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


class FakeLink:
    """Records sends and acknowledges them; anything else a real link offers raises."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    connected = True

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def send(self, event: str, payload: dict[str, Any]) -> Any:
        with self._lock:
            self.sent.append((event, payload))
        return {"ok": True}

    def named(self, event: str) -> list[dict[str, Any]]:
        with self._lock:
            return [p for n, p in self.sent if n == event]

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"FakeLink.{name}")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class StubDriver:
    def __init__(self, reader_id: str) -> None:
        self.reader_id = reader_id

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


@pytest.fixture
def running() -> Any:
    agents: list[Agent] = []

    def start(agent: Agent) -> Agent:
        agents.append(agent)
        agent.start()
        return agent

    yield start
    for agent in agents:
        agent.stop()


def make_agent(link: FakeLink, *, kinds: dict[str, ReaderKind] | None = None, **options: Any) -> Agent:
    settings = options.pop("settings", {})
    config = parse_agent_config(
        {
            "server": {"url": "http://127.0.0.1:9"},
            "device": {"key": "kiosk-key", "credential": "cred"},
            "agent": {"hotplug": False, "pcsc": False, **settings},
        }
    )
    drivers = tuple(
        (kind, lambda emit, reader_id=reader_id: StubDriver(reader_id))
        for reader_id, kind in (kinds or {READER: ReaderKind.IDCARD_SERIAL}).items()
    )
    return Agent(config, link=link, drivers=drivers, flush_every=3600, wall_clock=lambda: WALL, **options)  # type: ignore[arg-type]


def id_card(reader_id: str = READER) -> IdCardRead:
    return IdCardRead(
        reader_id=reader_id,
        kind=DocumentKind.RESIDENT,
        name="张伟",
        sex_code="1",
        sex="男",
        birth_date="19850312",
        id_number="620102198503120015",
        valid_from="20100101",
        valid_to="20300101",
    )


NOISE = ReaderFault(READER, "FIND_CARD: frame checksum mismatch", reason="protocol_error")


def test_two_hundred_identical_faults_make_five_reports_with_their_counts(running, caplog) -> None:
    caplog.set_level(logging.INFO, logger="devices")
    link, clock = FakeLink(), FakeClock()
    agent = running(make_agent(link, clock=clock, settings={"fault_report_interval_seconds": 5}))
    for n in range(200):  # ten a second for 20 s: a noisy line
        clock.now = n / 10
        agent.on_event(NOISE)
    clock.now = 25.0
    agent.flush_repeats()
    wait_for(lambda: sum(p["repeated"] for p in link.named("reader_status")) == 200, "all 200 accounted for")
    statuses = link.named("reader_status")
    assert [p["repeated"] for p in statuses] == [1, 50, 50, 50, 49]
    assert {(p["state"], p["reason"], p["message"]) for p in statuses} == {
        ("fault", "protocol_error", "FIND_CARD: frame checksum mismatch")
    }
    lines = [r.getMessage() for r in caplog.records if "checksum mismatch" in r.getMessage()]
    assert len(lines) == 5, lines
    assert lines[0].endswith("FIND_CARD: frame checksum mismatch")
    assert "repeated 49 times" in lines[-1]
    clock.now = 40.0
    agent.flush_repeats()
    agent.on_event(ReaderAttached(READER, "0102"))
    wait_for(lambda: link.sent[-1][1]["state"] == "attached", "the next status")
    assert len(link.named("reader_status")) == 6, "a window with nothing held back reports nothing"


def test_different_faults_are_limited_each_on_their_own(running) -> None:
    link, clock = FakeLink(), FakeClock()
    agent = running(make_agent(link, clock=clock))  # the default interval, 60 s
    other = ReaderFault(READER, "FIND_CARD: frame truncated", reason="protocol_error")
    for n in range(100):
        clock.now = n / 10
        agent.on_event(NOISE if n % 2 else other)
    clock.now = 61.0
    agent.flush_repeats()
    wait_for(lambda: sum(p["repeated"] for p in link.named("reader_status")) == 100, "all 100 accounted for")
    counts = sorted((p["message"], p["repeated"]) for p in link.named("reader_status"))
    assert counts == [
        ("FIND_CARD: frame checksum mismatch", 1),
        ("FIND_CARD: frame checksum mismatch", 49),
        ("FIND_CARD: frame truncated", 1),
        ("FIND_CARD: frame truncated", 49),
    ]


def test_a_good_read_clears_the_fault_and_sets_the_last_good_read_time(running) -> None:
    link, clock = FakeLink(), FakeClock()
    agent = running(make_agent(link, clock=clock))
    agent.on_event(ReaderAttached(READER, "0102"))
    agent.on_event(NOISE)
    agent.on_event(NOISE)  # held back
    agent.on_event(id_card())
    agent.on_event(CardRemoved(READER))
    wait_for(lambda: link.sent and link.sent[-1][1].get("state") == "idle", "the reader idle again")
    states = [(p["state"], p["repeated"], p["last_good_read_at"]) for p in link.named("reader_status")]
    good = "2026-03-02T01:30:00.000Z"
    assert states == [
        ("attached", 1, None),
        ("fault", 1, None),
        ("fault", 1, None),
        ("reading", 1, good),
        ("idle", 1, good),
    ]
    (reader,) = agent.hello_payload()["readers"]
    assert reader == {
        "reader_id": READER,
        "kind": "idcard_serial",
        "state": "idle",
        "message": "",
        "reason": "",
        "repeated": 1,
        "card_lost": False,
        "last_good_read_at": good,
    }
    agent.on_event(NOISE)  # the same fault after a good read is news again
    wait_for(lambda: link.sent[-1][1].get("state") == "fault", "the new fault reported at once")
    assert link.sent[-1][1]["last_good_read_at"] == good


def test_an_unreadable_card_goes_out_as_card_unreadable_every_time(running) -> None:
    link, clock = FakeLink(), FakeClock()
    agent = running(
        make_agent(link, clock=clock, kinds={READER: ReaderKind.IDCARD_SERIAL, "pcsc:any": ReaderKind.SSC_PCSC})
    )
    unreadable = ReaderFault(READER, "card not read: READ_TEXT_PHOTO: 41", reason="unreadable_card", hint="reposition")
    agent.on_event(unreadable)
    agent.on_event(unreadable)  # the citizen tried again: the status is held back, the page is told
    agent.on_event(ReaderFault("pcsc:any", "card not read", reason="unreadable_card", hint="needs_psam"))
    wait_for(lambda: len(link.named("card_unreadable")) == 3, "three card_unreadable")
    assert link.named("card_unreadable") == [
        {"reader_id": READER, "source": "idcard", "hint": "reposition"},
        {"reader_id": READER, "source": "idcard", "hint": "reposition"},
        {"reader_id": "pcsc:any", "source": "ssc", "hint": "needs_psam"},
    ]
    assert [p["reader_id"] for p in link.named("reader_status")] == [READER, "pcsc:any"]


def test_a_fault_that_lost_the_card_is_never_held_back(running) -> None:
    link, clock = FakeLink(), FakeClock()
    agent = running(make_agent(link, clock=clock))
    agent.on_event(id_card())
    wait_for(lambda: agent.cards_present == {READER}, "the card present")
    lost = ReaderFault(
        READER, "card not read; the card left", reason="unreadable_card", hint="removed_too_early", card_lost=True
    )
    agent.on_event(lost)
    agent.on_event(lost)
    wait_for(lambda: len([p for p in link.named("reader_status") if p["card_lost"]]) == 2, "both reported")
    assert agent.cards_present == frozenset()


def test_the_throttle_rejects_a_window_of_no_length() -> None:
    with pytest.raises(ValueError, match="positive"):
        FaultThrottle(0)


def test_unplugging_a_reader_with_a_card_on_sends_the_detach_and_forgets_the_card(running) -> None:
    link = FakeLink()
    with SimIdCardReader() as sim:
        driver = (
            ReaderKind.IDCARD_SERIAL,
            lambda emit: IdCardReader(sim.port, emit, reader_id=READER, poll_interval=0.02, response_timeout=0.3),
        )
        agent = running(Agent(parse_agent_config(_CONFIG), link=link, drivers=(driver,)))  # type: ignore[arg-type]
        wait_for(lambda: link.named("reader_status"), "the reader attached")
        sim.present(SimCard())
        wait_for(lambda: agent.cards_present == {READER}, "the card read")
        sim.unplug()
        wait_for(lambda: link.named("reader_status")[-1]["state"] == "detached", "the detach sent")
    names = [n if n != "reader_status" else p["state"] for n, p in link.sent]
    assert names == ["attached", "card_read", "reading", "detached"]
    assert agent.cards_present == frozenset()


def test_two_readers_of_one_kind_each_open_their_own_card(running) -> None:
    link = FakeLink()
    other = SimCard(name="陈大文", kind="J", id_number="810000198505120022", permit_number="H60012345")
    with SimIdCardReader() as left, SimIdCardReader() as right:
        drivers = tuple(
            (
                ReaderKind.IDCARD_SERIAL,
                lambda emit, sim=sim, rid=rid: IdCardReader(
                    sim.port, emit, reader_id=rid, poll_interval=0.02, response_timeout=0.3
                ),
            )
            for sim, rid in ((left, "usb-left"), (right, "usb-right"))
        )
        agent = running(Agent(parse_agent_config(_CONFIG), link=link, drivers=drivers))  # type: ignore[arg-type]
        wait_for(lambda: len(link.named("reader_status")) == 2, "both readers attached")
        left.present(SimCard())
        right.present(other)
        wait_for(lambda: agent.cards_present == {"usb-left", "usb-right"}, "a card on each")
        right.remove()
        wait_for(lambda: agent.cards_present == {"usb-left"}, "the right card gone")
    reads = {(p["reader_id"], p["identity"]["name"]) for p in link.named("card_read")}
    assert reads == {("usb-left", "张三"), ("usb-right", "陈大文")}
    assert link.named("card_removed")[0] == {"reader_id": "usb-right"}
    assert {p["kind"] for p in link.named("reader_status")} == {"idcard_serial"}


_CONFIG = {
    "server": {"url": "http://127.0.0.1:9"},
    "device": {"key": "kiosk-key", "credential": "cred"},
    "agent": {"hotplug": False, "pcsc": False},
}
