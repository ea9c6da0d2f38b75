"""The records answer's ``job_seeker`` over a real HTTP server on 127.0.0.1: read, absent, hostile, round trip."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from content.citizens.http_job_seekers import MAX_PAY_YUAN
from content.citizens.http_records import HttpRecords, parse_records, records_to_wire
from content.citizens.job_seekers import (
    MAX_DESIRED_OCCUPATIONS,
    MAX_LIST_ITEMS,
    Assistance,
    JobSeekerProfile,
    WorkSpell,
)
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
from content.library.items import Education

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 7)
REF = "gs-si:6201/000777"
EMPLOYER = "兰州鑫博物流有限公司"
FORKLIFT = JobSeekerProfile(
    desired_occupations=("6-30-05-01", "4-02-06"),
    desired_pay_min=4500,
    districts=("城关区", "七里河区"),
    education=Education.SENIOR.value,
    major="",
    skills=("叉车驾驶", "仓库盘点"),
    certificates=("叉车证", "健康证", "C1驾驶证", "电工证"),
    work_history=(
        WorkSpell("6-30-05-01", "叉车司机", EMPLOYER, "2021-04", "2026-08"),
        WorkSpell("", "装卸工", "兰州金城商贸有限公司", "2018-03", "2021-02"),
    ),
    assistance=(Assistance.HARD_TO_EMPLOY,),
    registered_on=date(2026, 9, 15),
    office="城关区公共就业服务中心",
)


def sample_records(job_seeker: JobSeekerProfile | None = FORKLIFT) -> PersonRecords:
    return PersonRecords(
        enrollments=tuple(
            Enrollment(i, EnrollmentState.SUSPENDED, date(2026, 9, 1), "兰州市城关区") for i in Insurance
        ),
        contributions=tuple(ContributionMonth(m, True, 450_000, 36_000, EMPLOYER) for m in history_months(TODAY)[:-3])
        + tuple(ContributionMonth(m, False, None, None, "") for m in history_months(TODAY)[-3:]),
        balances=Balances(3_400_000, 120_000, date(2026, 11, 30)),
        employment=EmploymentStatus(
            EmploymentState.UNEMPLOYED_REGISTERED, date(2026, 9, 3), "", "城关区公共就业服务中心"
        ),
        education=Education.SENIOR.value,
        as_of=TODAY,
        job_seeker=job_seeker,
    )


class Upstream:
    """A real HTTP server answering every records call with ``self.answer()``."""

    def __init__(self) -> None:
        self.answer: Callable[[], Any] = lambda: records_to_wire(sample_records())
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                data = json.dumps(upstream.answer(), ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def records(self) -> PersonRecords:
        backend = HttpRecords(f"http://127.0.0.1:{self.server.server_port}/si/", None, 2.0, lambda: NOW)
        return backend.records(REF, TODAY)

    def with_job_seeker(self, change: Callable[[dict[str, Any]], Any]) -> None:
        """Answer with the sample's ``job_seeker`` object changed in place by ``change``."""

        def answer() -> Any:
            wire = records_to_wire(sample_records())
            change(wire["job_seeker"])
            return wire

        self.answer = answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    yield server
    server.close()


def test_a_registration_comes_through_whole(upstream: Upstream) -> None:
    records = upstream.records()
    assert records == sample_records()
    assert records.job_seeker is not None and records.job_seeker.source == "registration"


@pytest.mark.parametrize("absent", ["missing", "null"])
def test_no_registration_is_none(upstream: Upstream, absent: str) -> None:
    def answer() -> Any:
        wire = records_to_wire(sample_records())
        if absent == "missing":
            del wire["job_seeker"]
        else:
            wire["job_seeker"] = None
        return wire

    upstream.answer = answer
    assert upstream.records() == sample_records(job_seeker=None)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(job_seeker: dict[str, Any]) -> None:
        job_seeker[key] = value

    return change


def _set_item(key: str, index: int, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(job_seeker: dict[str, Any]) -> None:
        job_seeker[key][index] = value

    return change


def _set_spell(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(job_seeker: dict[str, Any]) -> None:
        job_seeker["work_history"][0][field] = value

    return change


SECRET = "620102198503041235"  # a value an upstream might misplace; no message may repeat it


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (_set("skills", ["叉车驾驶"] * 10_000), "job_seeker.skills: expected at most 20 entries, got 10000"),
        (_set_item("certificates", 3, "叉车证\x00" + SECRET), "job_seeker.certificates[3]: holds a control character"),
        (_set_item("certificates", 1, "健康证\n"), "job_seeker.certificates[1]: holds a control character"),
        (_set_item("certificates", 2, ""), "job_seeker.certificates[2]: empty"),
        (_set_item("certificates", 0, "证" * 61), "job_seeker.certificates[0]: expected at most 60 characters"),
        (
            _set("desired_pay_min", 10**18),
            f"job_seeker.desired_pay_min: expected a whole number of yuan from 0 to {MAX_PAY_YUAN}",
        ),
        (_set("desired_pay_min", -1), "job_seeker.desired_pay_min: expected a whole number of yuan"),
        (_set("desired_pay_min", "4500"), "job_seeker.desired_pay_min: expected a whole number of yuan"),
        (_set("desired_pay_min", 4500.0), "job_seeker.desired_pay_min: expected a whole number of yuan"),
        (_set("desired_pay_min", True), "job_seeker.desired_pay_min: expected a whole number of yuan"),
        (_set_item("desired_occupations", 0, "9-99-99-99x"), "job_seeker.desired_occupations[0]: expected a GB/T 6565"),
        (_set_item("desired_occupations", 1, SECRET), "job_seeker.desired_occupations[1]: expected a GB/T 6565"),
        (_set_item("desired_occupations", 1, "6-30-05-01"), "job_seeker.desired_occupations[1]: the same code as"),
        (
            _set("desired_occupations", [f"4-0{n}" for n in range(1, MAX_DESIRED_OCCUPATIONS + 2)]),
            f"job_seeker.desired_occupations: expected at most {MAX_DESIRED_OCCUPATIONS} entries",
        ),
        (_set("districts", "城关区"), "job_seeker.districts: expected a list"),
        (_set("districts", [42]), "job_seeker.districts[0]: expected text"),
        (_set("education", "博士"), "job_seeker.education: expected empty or one of 不限"),
        (_set("major", None), "job_seeker.major: expected text"),
        (_set("assistance", ["poor"]), "job_seeker.assistance[0]: expected one of hard_to_employ"),
        (_set("assistance", ["veteran", "veteran"]), "job_seeker.assistance[1]: veteran appears twice"),
        (_set("registered_on", "2026-02-30"), "job_seeker.registered_on: not a calendar date"),
        (_set("registered_on", (TODAY + timedelta(days=1)).isoformat()), "job_seeker.registered_on: in the future"),
        (_set("registered_on", 20260915), "job_seeker.registered_on: expected a date YYYY-MM-DD"),
        (_set_spell("start", 202104), "job_seeker.work_history[0].start: expected a month YYYY-MM"),
        (_set_spell("start", "2021-13"), "job_seeker.work_history[0].start: expected a month YYYY-MM"),
        (_set_spell("end", "2020-01"), "job_seeker.work_history[0].end: before start"),
        (_set_spell("occupation_code", "forklift"), "job_seeker.work_history[0].occupation_code: expected a GB/T"),
        (_set_spell("employer", "单" * 201), "job_seeker.work_history[0].employer: expected at most 200 characters"),
        (_set("work_history", [SECRET]), "job_seeker.work_history[0]: expected an object"),
        (lambda js: js.pop("office"), "job_seeker.office: missing"),
    ],
)
def test_hostile_registrations_are_dropped_naming_the_field(
    upstream: Upstream, change: Callable[[dict[str, Any]], Any], fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A bad 求职登记 is logged by field and dropped; the person's insurance records still read."""
    upstream.with_job_seeker(change)
    with caplog.at_level(logging.WARNING, logger="content.citizens.http_records"):
        records = upstream.records()
    assert records == sample_records(job_seeker=None)
    message = "\n".join(r.getMessage() for r in caplog.records)
    assert "records upstream records: job_seeker ignored, bad answer: " in message and fragment in message, message
    assert SECRET not in message and "\x00" not in message


def test_a_job_seeker_that_is_not_an_object_is_dropped(upstream: Upstream, caplog: pytest.LogCaptureFixture) -> None:
    def answer() -> Any:
        wire = records_to_wire(sample_records())
        wire["job_seeker"] = ["6-30-05-01"]
        return wire

    upstream.answer = answer
    with caplog.at_level(logging.WARNING, logger="content.citizens.http_records"):
        assert upstream.records().job_seeker is None
    assert "job_seeker: expected an object or null" in caplog.text


def test_unknown_keys_are_ignored_and_full_lists_accepted(upstream: Upstream) -> None:
    def change(job_seeker: dict[str, Any]) -> None:
        job_seeker["hukou"] = "甘肃省兰州市"  # never read: the matcher must not see household registration
        job_seeker["skills"] = [f"技能{n}" for n in range(MAX_LIST_ITEMS)]

    upstream.with_job_seeker(change)
    records = upstream.records()
    assert records.job_seeker is not None and len(records.job_seeker.skills) == MAX_LIST_ITEMS
    assert records.job_seeker == replace(FORKLIFT, skills=tuple(f"技能{n}" for n in range(MAX_LIST_ITEMS)))


# -- the wire form is its own inverse ---------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\x7f"),
    min_size=1,
    max_size=20,
).filter(lambda text: text.strip() == text and text != "")
_code = st.from_regex(r"[1-8]-\d{2}(-\d{2}(-\d{2})?)?", fullmatch=True)
_month = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1990, 2026), st.integers(1, 12))


@st.composite
def _spells(draw: st.DrawFn) -> WorkSpell:
    start = draw(_month)
    end = draw(st.one_of(st.none(), _month.filter(lambda m: m >= start)))
    return WorkSpell(draw(st.one_of(st.just(""), _code)), draw(_text), draw(_text), start, end)


_profiles = st.builds(
    JobSeekerProfile,
    desired_occupations=st.lists(_code, max_size=MAX_DESIRED_OCCUPATIONS, unique=True).map(tuple),
    desired_pay_min=st.one_of(st.none(), st.integers(0, MAX_PAY_YUAN)),
    districts=st.lists(_text, max_size=3).map(tuple),
    education=st.sampled_from(["", *(e.value for e in Education)]),
    major=st.one_of(st.just(""), _text),
    skills=st.lists(_text, max_size=MAX_LIST_ITEMS).map(tuple),
    certificates=st.lists(_text, max_size=4).map(tuple),
    work_history=st.lists(_spells(), max_size=3).map(tuple),
    assistance=st.lists(st.sampled_from(list(Assistance)), unique=True).map(tuple),
    registered_on=st.one_of(st.none(), st.dates(date(2000, 1, 1), TODAY)),
    office=st.one_of(st.just(""), _text),
)


@settings(max_examples=150, deadline=None)
@given(profile=st.one_of(st.none(), _profiles))
def test_records_to_wire_then_parse_records_keeps_the_registration(profile: JobSeekerProfile | None) -> None:
    records = sample_records(job_seeker=profile)
    wire = json.loads(json.dumps(records_to_wire(records), ensure_ascii=False))
    assert parse_records(wire, TODAY) == records
