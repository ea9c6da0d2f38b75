"""The agent's dispatcher: reader status, card reads and removals reach the link in order."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from content.citizens.idnumbers import mask_id_number, mask_id_number_for_log
from devices.agent.config import parse_agent_config
from devices.agent.supervisor import Agent
from devices.drivers.idcard_reader import IdCardReader
from devices.drivers.known_readers import ReaderKind
from devices.drivers.scan_events import BarcodeScanned, ECardScanned
from devices.events import CardRemoved, DocumentKind, IdCardRead, ReaderAttached, ReaderDetached, ReaderFault
from devices.simulators.idcard_reader import SimCard, SimIdCardReader

ID_NUMBER = "620102198503120015"


def wait_for(predicate, timeout=5.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


class FakeLink:
    """Records sends; anything else a real link offers raises."""

    def __init__(self, connected=True):
        self.sent: list[tuple[str, dict]] = []
        self._connected = threading.Event()
        if connected:
            self._connected.set()
        self.started = self.stopped = 0

    connected = property(lambda self: self._connected.is_set())

    def wait_connected(self, timeout):
        return self._connected.wait(timeout)

    def start(self):
        self.started += 1

    def stop(self):
        self.stopped += 1

    def send(self, event, payload):
        if not self.connected:
            return None
        self.sent.append((event, payload))
        return {"ok": True}

    def __getattr__(self, name):
        raise NotImplementedError(f"FakeLink.{name}")


class StubDriver:
    def __init__(self, reader_id, fail=False):
        self.reader_id = reader_id
        self.fail = fail
        self.starts = self.stops = 0

    def start(self):
        if self.fail:
            raise OSError("permission denied")
        self.starts += 1

    def stop(self):
        self.stops += 1


def make_agent(link, drivers=(), **agent_settings):
    config = parse_agent_config(
        {
            "server": {"url": "http://127.0.0.1:9"},
            "device": {"key": "kiosk-key", "credential": "cred"},
            "agent": {"hotplug": False, "pcsc": False, **agent_settings},
        }
    )
    return Agent(config, link=link, drivers=drivers)


def id_card(reader_id="idcard-1"):
    return IdCardRead(
        reader_id=reader_id,
        kind=DocumentKind.RESIDENT,
        name="张伟",
        sex_code="1",
        sex="男",
        birth_date="19850312",
        id_number=ID_NUMBER,
        valid_from="20100101",
        valid_to="20300101",
    )


@pytest.fixture
def running():
    agents = []

    def start(agent):
        agents.append(agent)
        agent.start()
        return agent

    yield start
    for agent in agents:
        agent.stop()


def test_reader_status_is_sent_once_per_change_and_kept_for_hello(running):
    link = FakeLink()
    agent = running(make_agent(link, drivers=((ReaderKind.IDCARD_SERIAL, lambda emit: StubDriver("idcard-1")),)))
    agent.on_event(ReaderAttached("idcard-1", "0102"))
    agent.on_event(ReaderAttached("idcard-1", "0102"))  # the same again: nothing new to say
    agent.on_event(ReaderFault("idcard-1", "frame checksum is 00, computed 13"))
    wait_for(lambda: len(link.sent) == 2, what="two status sends")
    assert [p["state"] for _, p in link.sent] == ["attached", "fault"]
    assert {p["kind"] for _, p in link.sent} == {"idcard_serial"}
    hello = agent.hello_payload()
    assert hello["readers"] == [
        {
            "reader_id": "idcard-1",
            "kind": "idcard_serial",
            "state": "fault",
            "message": "frame checksum is 00, computed 13",
            "reason": "",
            "repeated": 1,
            "card_lost": False,
            "last_good_read_at": None,
        }
    ]


def test_a_read_then_removal_go_out_in_order_and_track_presence(running):
    link = FakeLink()
    agent = running(make_agent(link))
    agent.on_event(id_card())
    wait_for(lambda: agent.cards_present == {"idcard-1"}, what="card present")
    agent.on_event(CardRemoved("idcard-1"))
    wait_for(lambda: [p["state"] for n, p in link.sent if n == "reader_status"] == ["reading", "idle"], what="idle")
    (read_name, read), (removed_name, removed) = [(n, p) for n, p in link.sent if n != "reader_status"]
    assert read_name == "card_read" and removed_name == "card_removed"
    assert read == {
        "reader_id": "idcard-1",
        "source": "idcard",
        "identity": {
            "document_kind": "resident",
            "id_number": ID_NUMBER,
            "name": "张伟",
            "sex_code": "1",
            "birth_date": "19850312",
        },
    }
    assert removed == {"reader_id": "idcard-1"}
    assert agent.cards_present == frozenset()


def test_an_ecard_scan_is_sent_as_a_token_and_barcodes_are_ignored(running):
    link = FakeLink()
    agent = running(make_agent(link))
    agent.on_event(BarcodeScanned("scanner-1", "ean13", "6901234567892"))
    agent.on_event(ECardScanned("scanner-1", "HRSS-ESSC:abcdefghijklmnopqrstuvwxyz"))
    wait_for(lambda: len(link.sent) == 2, what="the e-card send and the scanner's status")
    assert link.sent[1][1]["state"] == "idle" and link.sent[1][1]["last_good_read_at"]
    assert link.sent[:1] == [
        (
            "card_read",
            {
                "reader_id": "scanner-1",
                "source": "ecard",
                "identity": {"token": "HRSS-ESSC:abcdefghijklmnopqrstuvwxyz"},
            },
        )
    ]
    assert agent.cards_present == frozenset(), "a scan leaves nothing in a reader"


def test_a_read_that_cannot_be_delivered_in_time_is_dropped(running, caplog):
    link = FakeLink(connected=False)
    agent = running(make_agent(link, card_read_max_age_seconds=0.3))
    caplog.set_level("INFO")
    agent.on_event(id_card())
    wait_for(lambda: "not delivered" in caplog.text, what="the drop to be logged")
    link._connected.set()
    agent.on_event(ReaderDetached("idcard-1", "unplugged"))
    wait_for(lambda: link.sent, what="the status send after reconnecting")
    assert [name for name, _ in link.sent] == ["reader_status"], "the old read must not go out late"
    assert agent.cards_present == frozenset(), "a detached reader holds no card"
    assert ID_NUMBER not in caplog.text


def test_a_driver_that_fails_to_start_does_not_stop_the_others(running):
    good, bad = StubDriver("good"), StubDriver("bad", fail=True)
    agent = running(
        make_agent(
            FakeLink(),
            drivers=((ReaderKind.IDCARD_SERIAL, lambda emit: bad), (ReaderKind.SCANNER_HID, lambda emit: good)),
        )
    )
    assert good.starts == 1
    agent.stop()
    agent.stop()
    assert good.stops == 1, "stop is safe to call twice and stops each driver once"


@pytest.mark.parametrize(
    "card",
    [
        SimCard(name="欧阳娜", sex_code="2", id_number="62010219900307123X"),
        SimCard(name="陈大文", kind="J", id_number="810000198505120022", permit_number="H60012345", issue_count="01"),
    ],
    ids=["resident", "hk-permit"],
)
def test_the_agent_logs_a_real_card_read_with_the_log_form_of_the_number(running, caplog, card):
    caplog.set_level(logging.DEBUG)
    link = FakeLink()
    with SimIdCardReader() as sim:
        driver = (
            ReaderKind.IDCARD_SERIAL,
            lambda emit: IdCardReader(sim.port, emit, reader_id="idcard-1", poll_interval=0.02, response_timeout=0.3),
        )
        agent = running(make_agent(link, drivers=(driver,)))
        wait_for(lambda: "idcard-1" in agent.reader_statuses, what="the simulated reader attached")
        sim.present(card)
        wait_for(lambda: "opened session" in caplog.text, what="the read's delivery logged")
        agent.stop()
    assert [p["identity"]["id_number"] for name, p in link.sent if name == "card_read"] == [card.id_number]
    logged = [record.getMessage() for record in caplog.records]
    log_form = mask_id_number_for_log(card.id_number)
    assert any(log_form in line for line in logged), "the agent's lines show the log form"
    for line in logged:
        for longer in (card.id_number, mask_id_number(card.id_number), card.id_number[:6], card.name):
            assert longer not in line, f"more than the log form in: {line}"
