"""The records backend over HTTP: an upstream social-security system behind the JSON API of docs/records-http.md.

One attempt per call, never a retry (a slow upstream must not be hit twice as hard by the halls
waiting on it): whatever goes wrong within the call's deadline becomes ``BackendUnavailable`` with a
specific message, an unknown person ``UnknownPerson``. The deadline covers the whole call: connecting,
sending, and every read of the answer, so a server that trickles bytes cannot hold a kiosk.
ID numbers go upstream in the body of ``POST /identify`` only; no message or log line here carries
one, nor the auth header's value, nor any text of the upstream's answer.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlsplit

from content.citizens.http_job_seekers import job_seeker_to_wire, parse_job_seeker
from content.citizens.http_rules import auth_header_problem, base_url_problem
from content.citizens.job_seekers import JobSeekerProfile
from content.citizens.person_records import (
    HISTORY_MONTHS,
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
    SEX_LABELS,
    BackendUnavailable,
    CardIdentity,
    InvalidIdentity,
    PersonRecord,
    RecordsError,
    TokenExpired,
    TokenInvalid,
    UnknownPerson,
)
from content.library.items import Education

log = logging.getLogger(__name__)
_E = TypeVar("_E", Insurance, EnrollmentState, EmploymentState, Education)
_Parsed = TypeVar("_Parsed")

MAX_ANSWER_BYTES: Final = 1 << 20
USER_AGENT: Final = "hall-kiosk-records/1"
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH: Final = re.compile(r"\d{4}-\d{2}")
_REGION: Final = re.compile(r"(\d{6})?")
MAX_FEN: Final = 10**13  # a hundred billion yuan: anything above is not an amount of one person
MAX_REF_LENGTH: Final = 64
# What a 422 from /identify may say, and what it becomes here (never the upstream's own text).
_REFUSALS: Final[dict[str, Callable[[], RecordsError]]] = {
    "token_expired": lambda: TokenExpired("the e-card code has expired; refresh it in the app and scan again"),
    "token_invalid": lambda: TokenInvalid("the records upstream did not accept this e-card code"),
}
_IDENTITY_FIELDS: Final = (
    "id_number",
    "name",
    "sex_code",
    "birth_date",
    "document_kind",
    "card_number",
    "card_id_code",
    "region_code",
    "generation",
    "personal_fields_available",
    "token",
)


class _DeadlineReader(io.RawIOBase):
    """A socket reader whose every receive waits only for what is left of the call's deadline.

    ``http.client.HTTPResponse`` takes it as its socket: ``makefile`` hands out a buffer over it.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(self)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the call's deadline passed")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class HttpRecords:
    """``RecordsBackend`` over HTTP(S); cheap to build, one connection per call, no state between calls."""

    def __init__(
        self, base_url: str, auth_header: tuple[str, str] | None, timeout_seconds: float, clock: Callable[[], datetime]
    ) -> None:
        problem = base_url_problem(base_url)
        if problem is not None:
            raise ValueError(f"base_url: {problem}")
        problem = auth_header_problem(*auth_header) if auth_header is not None else None
        if problem is not None:
            raise ValueError(f"auth_header: {problem}")
        parts = urlsplit(base_url)
        if not timeout_seconds > 0:
            raise ValueError("timeout_seconds: expected a number of seconds above 0")
        self._https = parts.scheme == "https"
        if not parts.hostname:  # base_url_problem refused it already; this keeps the type honest
            raise ValueError("base_url: expected an http:// or https:// base URL with a host")
        self._host: str = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._base_url = f"{parts.scheme}://{parts.netloc}{self._prefix}"
        self._auth = auth_header
        self._timeout = float(timeout_seconds)
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"HttpRecords(base_url={self._base_url!r}, auth={'set' if self._auth else 'none'}, "
            f"timeout_seconds={self._timeout:g})"
        )

    def identify(self, identity: CardIdentity) -> PersonRecord:
        status, body = self._call("POST", "/identify", identity_to_wire(identity), "identify")
        if status == 200:
            return self._parse(
                "identify", lambda: parse_person(self._json(body, "identify"), today=self._clock().date())
            )
        if status == 404:
            raise UnknownPerson(f"the records upstream has nobody for this {identity.source.value} card")
        if status == 422:
            raise self._refusal(body)
        raise self._status_error(status, "identify")

    def records(self, person_ref: str, today: date) -> PersonRecords:
        path = f"/people/{quote(person_ref, safe='')}/records?today={today.isoformat()}"
        status, body = self._call("GET", path, None, "records")
        if status == 200:
            return self._parse("records", lambda: parse_records(self._json(body, "records"), today))
        if status == 404:
            raise UnknownPerson("the records upstream no longer knows this person")
        raise self._status_error(status, "records")

    # -- the answer ------------------------------------------------------------------------------------

    @staticmethod
    def _parse(what: str, parse: Callable[[], _Parsed]) -> _Parsed:
        try:
            return parse()
        except ValueError as err:  # the parsers below name the field and never repeat a value
            raise BackendUnavailable(f"records upstream {what}: bad answer: {err}") from err

    @staticmethod
    def _json(body: bytes, what: str) -> Any:
        try:
            return json.loads(body.decode("utf-8"), parse_constant=_no_constants)
        except UnicodeDecodeError as err:
            raise BackendUnavailable(f"records upstream {what}: the answer is not UTF-8 text") from err
        except json.JSONDecodeError as err:
            raise BackendUnavailable(
                f"records upstream {what}: the answer is not JSON ({err.msg} at line {err.lineno} column {err.colno})"
            ) from err
        except (ValueError, RecursionError) as err:  # NaN / Infinity, or nesting deeper than any answer needs
            reason = err if isinstance(err, ValueError) else "nested too deeply"
            raise BackendUnavailable(f"records upstream {what}: the answer is not JSON ({reason})") from err

    def _refusal(self, body: bytes) -> Exception:
        try:
            answer = json.loads(body.decode("utf-8"))
        except ValueError:
            answer = None
        code = answer.get("error") if isinstance(answer, dict) else None
        if code in _REFUSALS:
            return _REFUSALS[code]()
        field = answer.get("field") if isinstance(answer, dict) else None
        if code == "invalid_identity" and field in _IDENTITY_FIELDS:
            return InvalidIdentity(field, "refused by the records upstream")
        return BackendUnavailable("records upstream identify: HTTP 422 without a known error code")

    @staticmethod
    def _status_error(status: int, what: str) -> BackendUnavailable:
        if status in (401, 403):
            return BackendUnavailable(
                f"records upstream {what}: HTTP {status}, the upstream refused the adapter's "
                f"credentials (check the configured auth header)"
            )
        if status >= 500:
            return BackendUnavailable(f"records upstream {what}: HTTP {status}, the upstream failed")
        return BackendUnavailable(f"records upstream {what}: HTTP {status}, expected 200 or 404")

    # -- the transport -----------------------------------------------------------------------------------

    def _call(self, method: str, path: str, payload: dict[str, Any] | None, what: str) -> tuple[int, bytes]:
        """One request, one answer (status, body), all within ``timeout_seconds``; no retry."""
        started = time.monotonic()
        deadline = started + self._timeout
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT, "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self._auth is not None:
            headers[self._auth[0]] = self._auth[1]
        connection: http.client.HTTPConnection = (
            http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
            )
            if self._https
            else http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        )
        try:
            connection.connect()
            sock = connection.sock
            assert sock is not None
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            connection.request(method, self._prefix + path, body=body, headers=headers)
            reader: Any = _DeadlineReader(sock, deadline)  # HTTPResponse only calls its makefile()
            response = http.client.HTTPResponse(reader, method=method)
            try:
                response.begin()
                data = response.read(MAX_ANSWER_BYTES + 1)
            finally:
                response.close()
        except TimeoutError as err:
            raise BackendUnavailable(f"records upstream {what}: no answer within {self._timeout:g} s") from err
        except ConnectionRefusedError as err:
            raise BackendUnavailable(
                f"records upstream {what}: {self._host}:{self._port} refused the connection"
            ) from err
        except ssl.SSLError as err:
            raise BackendUnavailable(
                f"records upstream {what}: TLS failed ({err.reason or type(err).__name__})"
            ) from err
        except (OSError, http.client.HTTPException) as err:
            reason = getattr(err, "strerror", None) or type(err).__name__
            raise BackendUnavailable(
                f"records upstream {what}: cannot talk to {self._host}:{self._port} ({reason})"
            ) from err
        finally:
            connection.close()
        if len(data) > MAX_ANSWER_BYTES:
            raise BackendUnavailable(f"records upstream {what}: the answer is larger than {MAX_ANSWER_BYTES} bytes")
        log.debug("records upstream %s: HTTP %s in %.0f ms", what, response.status, (time.monotonic() - started) * 1000)
        return response.status, data


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


# -- the wire form (docs/records-http.md) ------------------------------------------------------------------
# Parsers raise ValueError("<field path>: <problem>") and never repeat a value they refuse: it might be
# an ID number the upstream put in the wrong place.


def identity_to_wire(identity: CardIdentity) -> dict[str, Any]:
    """The body of ``POST /identify``: every field of the card, empty when the card did not give it."""
    return {
        "source": identity.source.value,
        "document_kind": identity.document_kind,
        "id_number": identity.id_number,
        "name": identity.name,
        "sex_code": identity.sex_code,
        "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
        "card_number": identity.card_number,
        "card_id_code": identity.card_id_code,
        "region_code": identity.region_code,
        "generation": identity.generation,
        "personal_fields_available": identity.personal_fields_available,
        "token": identity.token,
    }


def person_to_wire(person: PersonRecord) -> dict[str, Any]:
    """The answer of ``POST /identify`` for ``person`` (what a conforming upstream sends)."""
    return {
        "ref": person.ref,
        "name": person.name,
        "sex_code": person.sex_code,
        "birth_date": person.birth_date.isoformat(),
        "masked_id": person.masked_id,
        "region_code": person.region_code,
    }


def records_to_wire(records: PersonRecords) -> dict[str, Any]:
    """The answer of ``GET /people/{ref}/records`` for ``records`` (what a conforming upstream sends)."""

    def iso(day: date | None) -> str | None:
        return day.isoformat() if day is not None else None

    return {
        "as_of": records.as_of.isoformat(),
        "education": records.education,
        "enrollments": [
            {"insurance": e.insurance.value, "state": e.state.value, "since": iso(e.since), "place": e.place}
            for e in records.enrollments
        ],
        "contributions": [
            {
                "month": c.month,
                "paid": c.paid,
                "base_fen": c.base_fen,
                "personal_fen": c.personal_fen,
                "employer": c.employer,
            }
            for c in records.contributions
        ],
        "balances": {
            "pension_account_fen": records.balances.pension_account_fen,
            "medical_account_fen": records.balances.medical_account_fen,
            "as_of": records.balances.as_of.isoformat(),
        },
        "employment": {
            "state": records.employment.state.value,
            "since": iso(records.employment.since),
            "employer": records.employment.employer,
            "office": records.employment.office,
        },
        "job_seeker": job_seeker_to_wire(records.job_seeker),
    }


def _get(obj: Any, key: str, path: str) -> Any:
    if not isinstance(obj, dict):
        raise ValueError(f"{path or 'the answer'}: expected an object")
    if key not in obj:
        raise ValueError(f"{path}{key}: missing")
    return obj[key]


def _text(obj: Any, key: str, path: str, max_length: int, *, required: bool = False) -> str:
    value = _get(obj, key, path)
    if not isinstance(value, str):
        raise ValueError(f"{path}{key}: expected text")
    if len(value) > max_length or any(ord(ch) < 32 for ch in value):
        raise ValueError(f"{path}{key}: expected at most {max_length} characters without control characters")
    if required and not value.strip():
        raise ValueError(f"{path}{key}: empty")
    return value


def _fen(obj: Any, key: str, path: str) -> int:
    value = _get(obj, key, path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{path}{key}: expected a whole number of fen")
    if not 0 <= value <= MAX_FEN:
        raise ValueError(f"{path}{key}: expected an amount from 0 to {MAX_FEN} fen")
    return value


def _fen_or_none(obj: Any, key: str, path: str) -> int | None:
    return None if _get(obj, key, path) is None else _fen(obj, key, path)


def _date(obj: Any, key: str, path: str) -> date:
    value = _get(obj, key, path)
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"{path}{key}: expected a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"{path}{key}: not a calendar date") from err


def _date_or_none(obj: Any, key: str, path: str) -> date | None:
    return None if _get(obj, key, path) is None else _date(obj, key, path)


def _choice(obj: Any, key: str, path: str, kind: type[_E]) -> _E:
    value = _get(obj, key, path)
    if not isinstance(value, str) or value not in {m.value for m in kind}:
        raise ValueError(f"{path}{key}: expected one of {', '.join(m.value for m in kind)}")
    return kind(value)


def parse_person(answer: Any, *, today: date) -> PersonRecord:
    """A ``PersonRecord`` from the answer of ``POST /identify``; ValueError naming the first bad field."""
    ref = _text(answer, "ref", "", MAX_REF_LENGTH, required=True)
    masked_id = _text(answer, "masked_id", "", 18)
    if masked_id and "*" not in masked_id:
        raise ValueError("masked_id: expected a masked number (with *), never the full one")
    sex_code = _text(answer, "sex_code", "", 1)
    if sex_code not in SEX_LABELS:
        raise ValueError(f"sex_code: expected one of {', '.join(SEX_LABELS)} (GB/T 2261.1)")
    birth_date = _date(answer, "birth_date", "")
    if birth_date > today:
        raise ValueError("birth_date: in the future")
    region_code = _text(answer, "region_code", "", 6)
    if not _REGION.fullmatch(region_code):
        raise ValueError("region_code: expected six digits or empty")
    return PersonRecord(
        ref=ref,
        name=_text(answer, "name", "", 60, required=True),
        sex_code=sex_code,
        birth_date=birth_date,
        masked_id=masked_id,
        region_code=region_code,
    )


def _list(answer: Any, key: str, length: int) -> list[Any]:
    value = _get(answer, key, "")
    if not isinstance(value, list):
        raise ValueError(f"{key}: expected a list")
    if len(value) != length:
        raise ValueError(f"{key}: expected {length} entries, got {len(value)}")
    return value


def _enrollments(answer: Any) -> tuple[Enrollment, ...]:
    found: dict[Insurance, Enrollment] = {}
    for n, item in enumerate(_list(answer, "enrollments", len(Insurance))):
        path = f"enrollments[{n}]."
        insurance = _choice(item, "insurance", path, Insurance)
        if insurance in found:
            raise ValueError(f"{path}insurance: {insurance.value} appears twice")
        found[insurance] = Enrollment(
            insurance,
            _choice(item, "state", path, EnrollmentState),
            _date_or_none(item, "since", path),
            _text(item, "place", path, 40),
        )
    return tuple(found[i] for i in Insurance)


def _contributions(answer: Any, today: date) -> tuple[ContributionMonth, ...]:
    months = []
    for n, (item, expected) in enumerate(
        zip(_list(answer, "contributions", HISTORY_MONTHS), history_months(today), strict=True)
    ):
        path = f"contributions[{n}]."
        month = _get(item, "month", path)
        if month != expected:
            shown = f", got {month}" if isinstance(month, str) and _MONTH.fullmatch(month) else ""
            raise ValueError(f"{path}month: expected {expected}{shown} (the 36 months before today's, oldest first)")
        paid = _get(item, "paid", path)
        if not isinstance(paid, bool):
            raise ValueError(f"{path}paid: expected true or false")
        base, personal = _fen_or_none(item, "base_fen", path), _fen_or_none(item, "personal_fen", path)
        if paid and (base is None or personal is None):
            raise ValueError(f"{path}{'base_fen' if base is None else 'personal_fen'}: a paid month needs an amount")
        months.append(ContributionMonth(expected, paid, base, personal, _text(item, "employer", path, 100)))
    return tuple(months)


def _job_seeker(answer: Any, today: date) -> JobSeekerProfile | None:
    """The registration, or None when absent, null or malformed: a bad 求职登记 must not hide a person's insurance.

    It comes from the employment side of the upstream, not the insurance ledgers the rest of the answer
    holds; the kiosk then asks the citizen's wishes in three taps. The log line names the field, never a value.
    """
    try:
        return parse_job_seeker(answer, today)
    except ValueError as err:
        log.warning("records upstream records: job_seeker ignored, bad answer: %s", err)
        return None


def parse_records(answer: Any, today: date) -> PersonRecords:
    """``PersonRecords`` from the answer of ``GET /people/{ref}/records?today=``; ValueError naming the bad field."""
    balances = _get(answer, "balances", "")
    employment = _get(answer, "employment", "")
    return PersonRecords(
        enrollments=_enrollments(answer),
        contributions=_contributions(answer, today),
        balances=Balances(
            _fen(balances, "pension_account_fen", "balances."),
            _fen(balances, "medical_account_fen", "balances."),
            _date(balances, "as_of", "balances."),
        ),
        employment=EmploymentStatus(
            _choice(employment, "state", "employment.", EmploymentState),
            _date_or_none(employment, "since", "employment."),
            _text(employment, "employer", "employment.", 100),
            _text(employment, "office", "employment.", 60),
        ),
        education=_choice(answer, "education", "", Education).value,
        as_of=_date(answer, "as_of", ""),
        job_seeker=_job_seeker(answer, today),
    )
