"""The HTTP records adapter against a real HTTP server on 127.0.0.1: answers, failures, deadlines, privacy."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest

from content.citizens.http_records import HttpRecords, person_to_wire, records_to_wire
from content.citizens.idnumbers import compose_id_number, mask_id_number
from content.citizens.person_records import (
    Balances,
    ContributionMonth,
    EmploymentState,
    EmploymentStatus,
    Enrollment,
    EnrollmentState,
    Insurance,
    PersonRecords,
    history_months,
)
from content.citizens.records import (
    BackendUnavailable,
    CardIdentity,
    CardSource,
    InvalidIdentity,
    PersonRecord,
    RecordsError,
    TokenExpired,
    UnknownPerson,
)
from content.library.items import Education

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
ID_NUMBER = compose_id_number("620102", date(1985, 3, 4), 123)
AUTH = ("Authorization", "Bearer upstream-s3cr3t")
PERSON = PersonRecord(
    ref="gs-si:6201/000123 a",
    name="欧阳明华",
    sex_code="1",
    birth_date=date(1985, 3, 4),
    masked_id=mask_id_number(ID_NUMBER),
    region_code="620102",
)
EMPLOYER = "兰州鑫博物流有限公司"
Reply = tuple[int, Any] | None  # (status, JSON value or raw bytes); None: the reply wrote itself


def sample_records(today: date) -> PersonRecords:
    months = tuple(
        ContributionMonth(
            m,
            n not in (20, 21),
            520_000 if n not in (20, 21) else None,
            41_600 if n not in (20, 21) else None,
            EMPLOYER if n not in (20, 21) else "",
        )
        for n, m in enumerate(history_months(today))
    )
    return PersonRecords(
        enrollments=tuple(Enrollment(i, EnrollmentState.ACTIVE, date(2009, 3, 1), "兰州市城关区") for i in Insurance),
        contributions=months,
        balances=Balances(8_812_345, 412_300, date(2026, 10, 31)),
        employment=EmploymentStatus(EmploymentState.EMPLOYED, date(2021, 4, 6), EMPLOYER, "城关区公共就业服务中心"),
        education=Education.COLLEGE.value,
        as_of=today,
    )


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Upstream:
    """A real HTTP server answering with ``reply`` (a directory of one person unless a test says otherwise)."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.release = threading.Event()  # ends every slow answer (set at teardown)
        self.reply: Callable[[Seen, BaseHTTPRequestHandler], Reply] = self.directory
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                upstream.serve(self)

            do_POST = do_GET  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # type: ignore[misc]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/si/api/"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        seen = Seen(handler.command, handler.path, dict(handler.headers), body)
        self.requests.append(seen)
        reply = self.reply(seen, handler)
        if reply is None:
            handler.close_connection = True
            return
        status, payload = reply
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def directory(self, seen: Seen, _: BaseHTTPRequestHandler) -> Reply:
        if seen.method == "POST" and seen.path == "/si/api/identify":
            card = json.loads(seen.body)
            return (200, person_to_wire(PERSON)) if card["id_number"] == ID_NUMBER else (404, {"error": "unknown"})
        match = re.fullmatch(r"/si/api/people/([^/?]+)/records\?today=(\d{4}-\d{2}-\d{2})", seen.path)
        if seen.method == "GET" and match and unquote(match[1]) == PERSON.ref:
            return 200, records_to_wire(sample_records(date.fromisoformat(match[2])))
        return 404, {"error": "unknown"}

    def records_with(self, change: Callable[[dict[str, Any]], Any]) -> None:
        """Answer records with the sample changed by ``change`` (which edits it in place)."""

        def reply(seen: Seen, handler: BaseHTTPRequestHandler) -> Reply:
            answer = records_to_wire(sample_records(TODAY))
            change(answer)
            return 200, answer

        self.reply = reply


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def nothing_personal_in_the_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    for record in caplog.records:
        text = record.getMessage()
        assert ID_NUMBER not in text and AUTH[1] not in text, text


def backend(upstream: Upstream, timeout: float = 2.0) -> HttpRecords:
    return HttpRecords(upstream.url, AUTH, timeout, lambda: NOW)


def card(id_number: str = ID_NUMBER) -> CardIdentity:
    return CardIdentity(
        source=CardSource.IDCARD,
        reader_id="idcard-serial-1",
        id_number=id_number,
        name="欧阳明华",
        sex_code="1",
        birth_date=date(1985, 3, 4),
        document_kind="resident",
    )


def refused(call: Callable[[], Any], kind: type[RecordsError] = BackendUnavailable) -> str:
    """The message of the error ``call`` raises, checked to carry no ID number and no credential."""
    with pytest.raises(kind) as info:
        call()
    texts = [str(info.value), repr(info.value), str(info.value.__cause__ or "")]
    assert not any(ID_NUMBER in t or AUTH[1] in t for t in texts), texts
    return str(info.value)


# -- answers ---------------------------------------------------------------------------------------------


def test_identify_posts_the_card_and_returns_the_person(upstream: Upstream) -> None:
    person = backend(upstream).identify(card())
    assert (person.ref, person.name, person.birth_date, person.masked_id) == (
        PERSON.ref,
        PERSON.name,
        PERSON.birth_date,
        PERSON.masked_id,
    )
    (seen,) = upstream.requests
    assert seen.method == "POST" and seen.path == "/si/api/identify"
    assert seen.headers["Authorization"] == AUTH[1] and seen.headers["Accept"] == "application/json"
    sent = json.loads(seen.body)
    assert sent["source"] == "idcard" and sent["id_number"] == ID_NUMBER and sent["birth_date"] == "1985-03-04"
    assert "reader_id" not in sent


def test_records_get_the_36_months_for_today(upstream: Upstream) -> None:
    records = backend(upstream).records(PERSON.ref, TODAY)
    assert records == sample_records(TODAY)
    (seen,) = upstream.requests
    assert seen.path == "/si/api/people/gs-si%3A6201%2F000123%20a/records?today=2026-11-22" and seen.method == "GET"


def test_an_unknown_card_and_an_unknown_ref_are_unknown_persons(upstream: Upstream) -> None:
    other = compose_id_number("620103", date(1990, 1, 2), 456)
    refused(lambda: backend(upstream).identify(card(other)), UnknownPerson)
    refused(lambda: backend(upstream).records("gs-si:nobody", TODAY), UnknownPerson)


def test_enrollments_in_another_order_are_put_in_insurance_order(upstream: Upstream) -> None:
    upstream.records_with(lambda answer: answer["enrollments"].reverse())
    records = backend(upstream).records(PERSON.ref, TODAY)
    assert [e.insurance for e in records.enrollments] == list(Insurance)


# -- the upstream is down, slow or wrong -------------------------------------------------------------------


def test_a_slow_upstream_fails_after_the_timeout_without_a_second_try(upstream: Upstream) -> None:
    upstream.reply = lambda seen, handler: (upstream.release.wait(10), (200, person_to_wire(PERSON)))[1]
    started = time.monotonic()
    message = refused(lambda: backend(upstream, timeout=0.5).identify(card()))
    elapsed = time.monotonic() - started
    assert message == "records upstream identify: no answer within 0.5 s"
    assert 0.45 <= elapsed < 2.5, elapsed
    assert len(upstream.requests) == 1


def test_a_trickling_answer_is_cut_at_the_deadline(upstream: Upstream) -> None:
    def trickle(seen: Seen, handler: BaseHTTPRequestHandler) -> Reply:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not upstream.release.wait(0.1):
            try:
                handler.wfile.write(b" ")
                handler.wfile.flush()
            except OSError:
                break
        return None

    upstream.reply = trickle
    started = time.monotonic()
    message = refused(lambda: backend(upstream, timeout=0.6).records(PERSON.ref, TODAY))
    assert message == "records upstream records: no answer within 0.6 s"
    assert time.monotonic() - started < 2.5


def test_a_refused_connection_is_backend_unavailable() -> None:
    with socket.socket() as bound:  # bound but not listening: connecting is refused, and nobody can take the port
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        records = HttpRecords(f"http://127.0.0.1:{port}", AUTH, 2.0, lambda: NOW)
        started = time.monotonic()
        message = refused(lambda: records.identify(card()))
    assert message == f"records upstream identify: 127.0.0.1:{port} refused the connection"
    assert time.monotonic() - started < 2.0


def test_a_hang_up_without_an_answer_is_backend_unavailable(upstream: Upstream) -> None:
    upstream.reply = lambda seen, handler: None
    assert "cannot talk to 127.0.0.1" in refused(lambda: backend(upstream).records(PERSON.ref, TODAY))


@pytest.mark.parametrize(
    ("status", "fragment"),
    [
        (500, "HTTP 500, the upstream failed"),
        (503, "HTTP 503, the upstream failed"),
        (401, "HTTP 401, the upstream refused the adapter's credentials"),
        (403, "HTTP 403, the upstream refused the adapter's credentials"),
        (429, "HTTP 429, expected 200 or 404"),
    ],
)
def test_error_statuses_are_backend_unavailable_after_one_attempt(
    upstream: Upstream, status: int, fragment: str
) -> None:
    upstream.reply = lambda seen, handler: (status, {"message": f"bad id {ID_NUMBER}"})
    assert fragment in refused(lambda: backend(upstream).identify(card()))
    assert fragment in refused(lambda: backend(upstream).records(PERSON.ref, TODAY))
    assert len(upstream.requests) == 2


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            b"<html>Service Temporarily Unavailable</html>",
            "the answer is not JSON (Expecting value at line 1 column 1)",
        ),
        (b'{"ref": "x", ', "the answer is not JSON"),
        (b"\xff\xfe{}", "the answer is not UTF-8 text"),
        (b'{"pension_account_fen": NaN}', "the answer is not JSON (NaN is not a number)"),
        (b"[" * 100_000, "the answer is not JSON (nested too deeply)"),
        (b"[]", "bad answer: the answer: expected an object"),
        (b" " * (1 << 20) + b"{}", "the answer is larger than 1048576 bytes"),
    ],
)
def test_garbage_is_backend_unavailable(upstream: Upstream, body: bytes, fragment: str) -> None:
    upstream.reply = lambda seen, handler: (200, body)
    assert fragment in refused(lambda: backend(upstream).records(PERSON.ref, TODAY))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(answer: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = answer
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[int(last) if isinstance(target, list) else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (_set("contributions.3.base_fen", 520_000.0), "contributions[3].base_fen: expected a whole number of fen"),
        (_set("contributions.3.base_fen", True), "contributions[3].base_fen: expected a whole number of fen"),
        (_set("contributions.4.base_fen", None), "contributions[4].base_fen: a paid month needs an amount"),
        (_set("contributions.5.paid", "yes"), "contributions[5].paid: expected true or false"),
        (_set("contributions.0.month", "2023-10"), "contributions[0].month: expected 2023-11, got 2023-10"),
        (_set("contributions.0.month", ID_NUMBER), "contributions[0].month: expected 2023-11 (the 36 months"),
        (lambda answer: answer["contributions"].pop(), "contributions: expected 36 entries, got 35"),
        (_set("balances.as_of", "31/10/2026"), "balances.as_of: expected a date YYYY-MM-DD"),
        (_set("balances.pension_account_fen", -1), "balances.pension_account_fen: expected an amount from 0"),
        (_set("enrollments.1.state", "paused"), "enrollments[1].state: expected one of active, suspended"),
        (_set("enrollments.1.insurance", "pension"), "enrollments[1].insurance: pension appears twice"),
        (_set("enrollments.2.since", "2009-02-30"), "enrollments[2].since: not a calendar date"),
        (_set("education", "博士"), "education: expected one of 不限, 初中"),
        (lambda answer: answer.pop("employment"), "employment: missing"),
        (_set("employment.employer", 42), "employment.employer: expected text"),
    ],
)
def test_records_that_break_the_schema_are_refused_naming_the_field(
    upstream: Upstream, change: Callable[[dict[str, Any]], Any], fragment: str
) -> None:
    upstream.records_with(change)
    message = refused(lambda: backend(upstream).records(PERSON.ref, TODAY))
    assert message.startswith("records upstream records: bad answer: ") and fragment in message, message


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("masked_id", ID_NUMBER, "masked_id: expected a masked number (with *), never the full one"),
        ("ref", "", "ref: empty"),
        ("ref", "r" * 65, "ref: expected at most 64 characters"),
        ("birth_date", "1985-02-30", "birth_date: not a calendar date"),
        ("birth_date", "2030-01-01", "birth_date: in the future"),
        ("sex_code", "M", "sex_code: expected one of 1, 2, 0, 9"),
        ("region_code", "6201", "region_code: expected six digits or empty"),
        ("name", None, "name: expected text"),
    ],
)
def test_a_person_that_breaks_the_schema_is_refused_naming_the_field(
    upstream: Upstream, field: str, value: Any, fragment: str
) -> None:
    upstream.reply = lambda seen, handler: (200, {**person_to_wire(PERSON), field: value})
    message = refused(lambda: backend(upstream).identify(card()))
    assert message.startswith("records upstream identify: bad answer: ") and fragment in message, message


def test_an_upstream_refusal_of_the_card_keeps_its_meaning(upstream: Upstream) -> None:
    upstream.reply = lambda seen, handler: (422, {"error": "token_expired"})
    ecard = CardIdentity(source=CardSource.ECARD, reader_id="scanner-1", token="HRSS-ESSC:abc")
    refused(lambda: backend(upstream).identify(ecard), TokenExpired)
    upstream.reply = lambda seen, handler: (422, {"error": "invalid_identity", "field": "id_number"})
    with pytest.raises(InvalidIdentity) as info:
        backend(upstream).identify(card())
    assert info.value.field == "id_number"
    upstream.reply = lambda seen, handler: (422, {"error": "something_else", "message": ID_NUMBER})
    assert "HTTP 422 without a known error code" in refused(lambda: backend(upstream).identify(card()))


# -- configuration ---------------------------------------------------------------------------------------


def test_the_auth_header_stays_out_of_the_repr(upstream: Upstream) -> None:
    text = repr(backend(upstream))
    assert AUTH[1] not in text and "auth=set" in text and "/si/api'" in text


@pytest.mark.parametrize(
    ("url", "auth", "fragment"),
    [
        ("ftp://si.example/api", None, "expected an http:// or https:// base URL"),
        ("https://user:upstream-s3cr3t@si.example/api", None, "credentials belong in the auth header"),
        ("https://si.example/api?key=1", None, "without query or fragment"),
        ("https://si.example:99999/api", None, "does not parse"),
        ("https://si.example/api", ("Authorization", "  "), "the value is empty"),
        ("https://si.example/api", ("Bad Name", AUTH[1]), "not an HTTP header name"),
        ("https://si.example/api", ("Authorization", "Bearer x\r\nX-Evil: 1"), "holds a line break"),
    ],
)
def test_a_bad_url_or_auth_header_is_refused_without_repeating_it(
    url: str, auth: tuple[str, str] | None, fragment: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as info:
        HttpRecords(url, auth, 5, lambda: NOW)
    assert AUTH[1] not in str(info.value) and "X-Evil" not in str(info.value)
