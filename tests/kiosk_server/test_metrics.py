"""``/metrics``: Prometheus text format 0.0.4 (checked by a parser written from the format's description), numbers, auth."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from content.accounts.api_keys import KeyScope, create_key
from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState, set_reader_status
from content.org.screens import Screen
from content.signage.alert_rules import AlertKind
from content.signage.alerts import raise_alert
from kiosk_server.auth import api_key_hash_key
from kiosk_server.database import database
from kiosk_server.settings_access import runtime, settings
from tests.support.world import World, add_vacancy, build_world

# -- a parser for the text exposition format 0.0.4 ---------------------------------------------------

_NAME: Final = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE: Final = re.compile(rf"^({_NAME})(\{{.*\}})? (\S+)( -?\d+)?$")
_LABEL: Final = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
_TYPES: Final = {"counter", "gauge", "histogram", "summary", "untyped"}


class FormatError(AssertionError):
    pass


@dataclass
class Family:
    name: str
    kind: str = "untyped"
    help: str = ""
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}.get(m.group(1), "\\" + m.group(1)), value)


def _labels(text: str) -> dict[str, str]:
    inner, labels, pos = text[1:-1], {}, 0
    while pos < len(inner):
        match = _LABEL.match(inner, pos)
        if match is None:
            raise FormatError(f"malformed labels {text!r}")
        if match.group(1) in labels:
            raise FormatError(f"label {match.group(1)} twice in {text!r}")
        labels[match.group(1)] = _unescape(match.group(2))
        pos = match.end()
    return labels


def _value(text: str) -> float:
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf"))
    if not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
        raise FormatError(f"not a number: {text!r}")
    return float(text)


def _family_of(sample: str, families: dict[str, Family]) -> Family:
    for suffix in ("", "_total", "_bucket", "_sum", "_count"):
        base = sample.removesuffix(suffix) if suffix else sample
        if (suffix == "" or sample.endswith(suffix)) and base in families:
            return families[base]
    raise FormatError(f"sample {sample} has no # TYPE line before it")


def parse(text: str) -> dict[str, Family]:
    """Families by name; raises FormatError on anything the format does not allow."""
    if not text.endswith("\n"):
        raise FormatError("the exposition must end with a line feed")
    families: dict[str, Family] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                if not re.fullmatch(_NAME, parts[2]):
                    raise FormatError(f"bad metric name in {line!r}")
                found = families.setdefault(parts[2], Family(parts[2]))
                if parts[1] == "TYPE":
                    if found.samples or (parts[3] if len(parts) > 3 else "") not in _TYPES:
                        raise FormatError(f"TYPE after samples, or an unknown type: {line!r}")
                    found.kind = parts[3]
                else:
                    found.help = _unescape(parts[3] if len(parts) > 3 else "")
            continue
        match = _SAMPLE.match(line)
        if match is None:
            raise FormatError(f"malformed sample line {line!r}")
        name, labels, value = match.group(1), match.group(2), match.group(3)
        _family_of(name, families).samples.append((name, _labels(labels) if labels else {}, _value(value)))
    for family in families.values():
        if family.kind == "histogram":
            _check_histogram(family)
    return families


def _check_histogram(family: Family) -> None:
    buckets = [
        (float(labels["le"].replace("Inf", "inf")), v) for n, labels, v in family.samples if n.endswith("_bucket")
    ]
    if not buckets or buckets[-1][0] != math.inf:
        raise FormatError(f"{family.name}: the last bucket must be le=+Inf")
    if any(b[0] >= c[0] or b[1] > c[1] for b, c in zip(buckets, buckets[1:], strict=False)):
        raise FormatError(f"{family.name}: buckets must rise in bound and count")
    count = [v for n, _, v in family.samples if n == family.name + "_count"]
    if count != [buckets[-1][1]]:
        raise FormatError(f"{family.name}: _count must equal the +Inf bucket")


def value(families: dict[str, Family], name: str, **labels: str) -> float:
    family = _family_of(name, families)
    found = [v for n, ls, v in family.samples if n == name and ls == labels]
    assert len(found) == 1, f"{name}{labels}: {len(found)} samples"
    return found[0]


def test_the_parser_refuses_what_the_format_does_not_allow() -> None:
    with pytest.raises(FormatError):
        parse("kiosk_x 1\n")  # no TYPE
    with pytest.raises(FormatError):
        parse('# TYPE kiosk_x gauge\nkiosk_x{a="1",a="2"} 1\n')
    with pytest.raises(FormatError):
        parse("# TYPE kiosk_x gauge\nkiosk_x one\n")
    with pytest.raises(FormatError):
        parse('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n')
    assert parse('# TYPE kiosk_x gauge\nkiosk_x{a="q\\"\\n"} 2.5\n')["kiosk_x"].samples == [
        ("kiosk_x", {"a": 'q"\n'}, 2.5)
    ]


# -- the endpoint --------------------------------------------------------------------------------------


@pytest.fixture
def world(app: Flask) -> World:
    with Session(database(app).engine) as session:
        return build_world(session)


def _secret(app: Flask, scope: KeyScope, world: World) -> str:
    with Session(database(app).engine) as session:
        _, secret = create_key(
            session,
            name=f"metrics-{scope.value}",
            scope=scope,
            key=api_key_hash_key(settings(app).secret_key),
            creator=None,
            org_unit_id=world.province_id,
            hall_id=world.hall_id if scope is KeyScope.QUEUE_INGEST else None,
        )
        session.commit()
    return secret


def test_metrics_need_a_key_whose_scope_reads(app: Flask, client: Any, world: World) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    ingest = _secret(app, KeyScope.QUEUE_INGEST, world)
    assert client.get("/metrics", headers={"Authorization": f"Bearer {ingest}"}).status_code == 403
    read = _secret(app, KeyScope.READ, world)
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {read}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"


def test_metrics_count_screens_readers_and_alerts(
    app: Flask, client: Any, world: World, auth_headers: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    with Session(database(app).engine) as session:
        kiosk = Screen(hall_id=world.hall_id, name="自助终端1", kind="kiosk")
        session.add(kiosk)
        session.flush()
        report = ReaderReport("idcard-0", ReaderKind.IDCARD_SERIAL, ReaderState.FAULT, reason="timeout", repeated=2)
        set_reader_status(session, kiosk.id, report, now)
        raise_alert(session, screen_id=kiosk.id, kind=AlertKind.READER_FAULT, now=now, detail={})
        session.commit()
    screen = runtime(app).socketio.test_client(app, namespace="/screen", auth={"key": world.wall_keys[0]})
    screen.emit("hello", {"held": {}}, namespace="/screen")
    version = next(e["args"][0]["version"] for e in screen.get_received("/screen") if e["name"] == "manifest")
    screen.emit("heartbeat", {"showing": {"manifest": version}}, namespace="/screen")

    families = parse(client.get("/metrics", headers=auth_headers).get_data(as_text=True))

    assert families["kiosk_screens"].kind == "gauge"
    assert value(families, "kiosk_screens", kind="wall", state="current") == 1
    assert value(families, "kiosk_screens", kind="wall", state="never") == 3
    assert value(families, "kiosk_screens", kind="kiosk", state="never") == 1
    assert value(families, "kiosk_screens_connected", kind="wall") == 1
    assert value(families, "kiosk_reader_faults", reader="idcard_serial") == 1
    assert value(families, "kiosk_alerts_open", kind="reader_fault") == 1
    assert value(families, "kiosk_alerts_open", kind="silent") == 0
    assert families["kiosk_queue_calls"].kind == "counter"
    assert value(families, "kiosk_queue_calls_total", kind="call") == 0
    assert value(families, "kiosk_citizen_sessions_open") == 0
    assert value(families, "kiosk_citizen_sessions_total") == 0
    assert families["kiosk_publish_latency_seconds"].kind == "histogram"
    assert all(f.help for f in families.values()), "every family says what it means"


def test_publish_latency_counts_each_published_change(
    app: Flask, client: Any, world: World, auth_headers: dict[str, str]
) -> None:
    publisher = runtime(app).publisher
    publisher.publish_once()  # the world's own rows
    before = value(
        parse(client.get("/metrics", headers=auth_headers).get_data(as_text=True)),
        "kiosk_publish_latency_seconds_count",
    )
    with Session(database(app).engine) as session:
        add_vacancy(session, world, "叉车司机")
    publisher.publish_once()
    families = parse(client.get("/metrics", headers=auth_headers).get_data(as_text=True))
    assert value(families, "kiosk_publish_latency_seconds_count") == before + 1
    assert 0 <= value(families, "kiosk_publish_latency_seconds_sum") < 60
