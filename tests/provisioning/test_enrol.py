"""The box's enrolment client against a fake that implements exactly the server's contract."""

from __future__ import annotations

import io

import pytest

from provisioning.banner import TerminalCodeDisplay, big_text
from provisioning.enrol import Code, Enrolment, EnrolmentClient, enrol
from provisioning.errors import EnrolmentRefused, ServerUnreachable
from tests.provisioning._fake_enrol import CREDENTIAL, SCREEN_KEY, fake_enrol_server
from tests.support.server import free_port


class RecordingDisplay:
    def __init__(self) -> None:
        self.shown: list[str] = []
        self.expired_codes: list[str] = []

    def show(self, code: Code) -> None:
        self.shown.append(code.code)

    def expired(self, code: Code) -> None:
        self.expired_codes.append(code.code)


def test_waits_until_the_code_is_entered_then_returns_the_answer() -> None:
    with fake_enrol_server([["waiting", "waiting", "enrolled"]]) as fake:
        display = RecordingDisplay()
        result = enrol(EnrolmentClient(fake.url + "/", "hall-kiosk-07"), display)
    assert fake.unexpected == []
    assert isinstance(result, Enrolment)
    assert display.shown == ["7KQ9M0"]
    assert fake.polls() == 3
    assert fake.requests[0] == ("POST", "/enrol/api/codes", {"device": "box", "client": "hall-kiosk-07"})
    assert result.screen.key == SCREEN_KEY and result.agent_credential == CREDENTIAL
    assert result.screen.orientation == "portrait" and result.screen.hall == "兰州市人力资源市场"
    assert result.screen_url.endswith(f"/screen/{SCREEN_KEY}")
    assert SCREEN_KEY not in repr(result) and CREDENTIAL not in repr(result)


def test_an_expired_code_is_replaced_by_a_new_one() -> None:
    with fake_enrol_server([["waiting", "expired"], ["enrolled"]]) as fake:
        display = RecordingDisplay()
        result = enrol(EnrolmentClient(fake.url, "box"), display)
    assert fake.unexpected == []
    assert display.shown == ["7KQ9M0", "7KQ9M1"] and display.expired_codes == ["7KQ9M0"]
    assert fake.codes() == 2 and result.screen.id == 41


def test_a_code_the_server_forgot_is_replaced_too() -> None:
    with fake_enrol_server([["waiting", "unknown"], ["enrolled"]]) as fake:
        display = RecordingDisplay()
        enrol(EnrolmentClient(fake.url, "box"), display)
    assert fake.unexpected == [] and display.expired_codes == ["7KQ9M0"] and fake.codes() == 2


def test_429_is_waited_out_as_retry_after_says() -> None:
    slept: list[float] = []
    with fake_enrol_server([["429", "enrolled"]]) as fake:
        fake.retry_after = "7"
        enrol(EnrolmentClient(fake.url, "box"), RecordingDisplay(), sleep=slept.append)
    assert fake.unexpected == []
    assert slept == [7.0]


def test_a_wall_gets_no_agent_credential() -> None:
    with fake_enrol_server([["enrolled"]], kind="wall") as fake:
        result = enrol(EnrolmentClient(fake.url, "box"), RecordingDisplay())
    assert result.agent_credential is None and result.screen.kind == "wall"


def test_a_revoked_code_stops_with_a_clear_error() -> None:
    with fake_enrol_server([["waiting", "revoked"]]) as fake:
        with pytest.raises(EnrolmentRefused, match="the code was revoked"):
            enrol(EnrolmentClient(fake.url, "box"), RecordingDisplay())
    assert fake.unexpected == []


def test_an_unreachable_server_names_the_url_and_the_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerUnreachable) as caught:
        EnrolmentClient(url, "box").new_code()
    assert str(caught.value) == f"cannot reach the server at {url}/enrol/api/codes: Connection refused"


def test_the_terminal_shows_the_code_big_and_a_qr_of_the_enrol_address() -> None:
    out = io.StringIO()
    TerminalCodeDisplay(out).show(
        Code("7KQ9MX", "s3cret", "2026-12-06T21:00:00Z", 3, "https://s.example/enrol?c=7KQ9MX")
    )
    text = out.getvalue()
    assert big_text("7KQ9MX") in text and "s3cret" not in text
    assert "7 K Q 9 M X" in text and "https://s.example/enrol?c=7KQ9MX" in text
    assert "\u2580" in text or "\u2584" in text, "a terminal QR is drawn with half blocks"
    assert len(big_text("7KQ9MX").splitlines()) == 5
