"""Benchmark: throughput of the kiosk's card and scanner decoders (single core, pure Python).

Run from the repository root: ``.venv/bin/python bench/bench_decoders.py [--n 2000] [--repeat 5]``.
Every case runs ``--n`` units per repeat after a warm-up; the table shows the median of ``--repeat``
repeats (time.perf_counter). Each path's result is checked once before timing, so a broken decoder
fails the bench instead of being measured.

- GA/T 467: READ_TEXT_PHOTO response frames of 1295 bytes (SW + 256-byte text block + 1024-byte
  photo), alternately a resident card and a J permit encoded by ``SimCard.text_block`` and framed
  as ``SimIdCardReader`` does. (a) ``decode_frame`` + ``Response.from_frame`` + ``split_read_data``
  + ``decode_text_block`` per frame; (b) ``FrameReader.feed`` over the frames concatenated, with
  the simulator's 8 garbage bytes (a false preamble) before every 4th frame, cut into 64-byte reads.
- Social-security card: ``SocialSecurityCard(transmit).read()`` of a 2.0 ``VirtualSscCard`` (a
  holder with a name extension: 11 records read with 15 APDUs) with ``transmit`` calling ``process``
  directly, no pcscd; and ``parse_tlv`` of the card's 14 EF05+EF06 records concatenated.
- Keyboard wedge: a 120-character e-card QR (``HRSS-ESSC:`` + base64url, 59 shifted characters)
  synthesised by ``record_from_text`` (900 evdev events, 300 of them EV_KEY) fed to ``ScanDecoder``.

Results (Python 3.11.7, one core of the 2-core dev container, 2026-11, --n 2000 --repeat 5; median
of 7 runs, range over the runs in brackets -- the container's timings drift up to 2x between runs
with load on the host): GA/T 467 decode 6,700 frames/s [5,100-10,300], about 150 us a frame;
FrameReader stream 6,400 frames/s [5,700-10,600] = 8.2 MB/s [7.3-13.7]; social-security full read
7,900 cards/s [5,900-12,100], about 130 us a card; parse_tlv 1.15 M records/s [0.99-2.23];
wedge 2,250 scans/s [1,600-3,700] = 0.67 M key events/s [0.49-1.11] (2.0 M evdev events/s). The
XOR checksum (functools.reduce with a lambda over 1288 bytes) is about two thirds of a frame's cost.
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from devices.drivers.idcard_protocol import (  # noqa: E402
    PHOTO_SIZE,
    TEXT_SIZE,
    Frame,
    FrameReader,
    GarbageSkipped,
    Response,
    Status,
    decode_frame,
    split_read_data,
)
from devices.drivers.idcard_text import decode_text_block  # noqa: E402
from devices.drivers.keymap import EV_KEY, US_CHAR_TO_KEY  # noqa: E402
from devices.drivers.scan_decoder import Scan, ScanDecoder  # noqa: E402
from devices.drivers.ssc_card import SocialSecurityCard  # noqa: E402
from devices.drivers.ssc_tlv import parse_tlv  # noqa: E402
from devices.events import DocumentKind  # noqa: E402
from devices.simulators.idcard_reader import GARBAGE, SimCard  # noqa: E402
from devices.simulators.scan_replay import record_from_text  # noqa: E402
from devices.simulators.ssc_card import PEOPLE, VirtualSscCard  # noqa: E402

RESIDENT = SimCard()
PERMIT = SimCard(
    name="陈大文",
    kind="J",
    id_number="810000198505120022",
    permit_number="H60012345",
    issue_count="01",
    address="香港特别行政区",
)
CHUNK = 64
GARBAGE_EVERY = 4
LABELS = (
    "gat467 decode_frame+split+text",
    "gat467 FrameReader stream",
    "ssc read EF05+EF06",
    "ssc parse_tlv",
    "wedge ScanDecoder e-card QR",
)


def read_response(card: SimCard) -> bytes:
    """A READ_TEXT_PHOTO answer frame, built as ``SimIdCardReader._respond`` builds it."""
    photo = bytes((i * 7) & 0xFF for i in range(PHOTO_SIZE))
    head = TEXT_SIZE.to_bytes(2, "big") + PHOTO_SIZE.to_bytes(2, "big")
    return Response(0, 0, Status.SUCCESS, head + card.text_block() + photo).encode()


def decode_read(raw: bytes):
    data = split_read_data(Response.from_frame(decode_frame(raw)).data)
    return decode_text_block(data.text, reader_id="bench")


def stream_of(frames: list[bytes], n: int) -> bytes:
    parts = []
    for i in range(n):
        if i % GARBAGE_EVERY == GARBAGE_EVERY - 1:
            parts.append(GARBAGE)
        parts.append(frames[i % len(frames)])
    return b"".join(parts)


def reassemble(chunks: list[bytes]) -> list:
    reader = FrameReader()
    out = []
    for chunk in chunks:
        out += reader.feed(chunk)
    return out + reader.flush()


def transmit_to(card: VirtualSscCard):
    def transmit(command: bytes) -> tuple[bytes, int, int]:
        answer = card.process(command)
        return answer[:-2], answer[-2], answer[-1]

    return transmit


def ecard_text() -> str:
    token = base64.urlsafe_b64encode(random.Random(20261122).randbytes(84)).decode("ascii")
    return "HRSS-ESSC:" + token[:110]  # 120 characters


def decode_scans(events: list[tuple[float, int, int, int]], scans: int) -> list:
    decoder = ScanDecoder()
    feed = decoder.feed
    out = []
    for _ in range(scans):
        for event in events:
            out += feed(*event)
    return out


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"bench_decoders: wrong result: {what}")


SPREAD: dict[float, tuple[float, float]] = {}  # median -> (fastest, slowest) repeat, for the table


def measure(run: Callable[[int], object], n: int, repeat: int) -> float:
    """Median seconds of ``run(n)`` over ``repeat`` repeats, after a warm-up of about n/10 units."""
    run(max(1, n // 10))
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(n)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    SPREAD[median] = (min(times), max(times))
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="units (frames, cards, calls, scans) per repeat")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats; the median is reported")
    args = parser.parse_args(argv)
    n, repeat = max(1, args.n), max(1, args.repeat)
    rows: list[tuple[str, str, float, str]] = []

    # GA/T 467 --------------------------------------------------------------------------------
    frames = [read_response(RESIDENT), read_response(PERMIT)]
    check(all(len(f) == 1295 for f in frames), "read response frames are 1295 bytes")
    for raw, card, kind in zip(
        frames, (RESIDENT, PERMIT), (DocumentKind.RESIDENT, DocumentKind.HK_MACAO_TAIWAN), strict=True
    ):
        read = decode_read(raw)
        check(read.id_number == card.id_number and read.name == card.name and read.kind is kind, "text block")
    check(decode_read(frames[1]).permit_number == PERMIT.permit_number, "permit number")
    batch = [frames[i % 2] for i in range(n)]
    secs = measure(lambda k: [decode_read(raw) for raw in batch[:k]], n, repeat)
    rows.append((LABELS[0], f"{n} frames", secs, f"{n / secs:,.0f} frames/s"))

    stream = stream_of(frames, n)
    chunks = [stream[i : i + CHUNK] for i in range(0, len(stream), CHUNK)]
    items = reassemble(chunks)
    got = [item for item in items if isinstance(item, Frame)]
    check(len(got) == n and all(item.payload == frames[i % 2][7:-1] for i, item in enumerate(got)), "stream frames")
    check(all(isinstance(item, Frame | GarbageSkipped) for item in items), "only frames and skipped garbage")
    check(
        sum(item.count for item in items if isinstance(item, GarbageSkipped)) == n // GARBAGE_EVERY * len(GARBAGE),
        "garbage byte count",
    )
    check(
        decode_text_block(split_read_data(got[-1].payload[3:]).text).id_number
        == (RESIDENT, PERMIT)[(n - 1) % 2].id_number,
        "id number from the stream",
    )
    # A run over fewer units (the warm-up) reads a proportional prefix of the chunks.
    secs = measure(lambda k: reassemble(chunks[: len(chunks) * k // n]), n, repeat)
    rows.append(
        (
            LABELS[1],
            f"{n} frames",
            secs,
            f"{n / secs:,.0f} frames/s, {len(stream) / secs / 1e6:.1f} MB/s ({len(stream):,} B, {CHUNK} B reads)",
        )
    )

    # Social-security card -------------------------------------------------------------------
    person = PEOPLE[2]  # has a name extension: every EF06 record is read
    card = VirtualSscCard(person, generation=2)
    ssc = SocialSecurityCard(transmit_to(card))
    result = ssc.read("bench")
    check(
        result.id_number == person.id_number
        and result.name == person.name + person.name_extension
        and result.spec_version == "2.00"
        and result.personal_fields_available,
        "social-security read",
    )
    secs = measure(lambda k: [ssc.read("bench") for _ in range(k)], n, repeat)
    rows.append((LABELS[2], f"{n} cards", secs, f"{n / secs:,.0f} cards/s"))

    records = {**card.ef05, **card.ef06}
    blob = b"".join(bytes([tag, len(value)]) + value for tag, value in records.items())
    check(parse_tlv(blob) == records, "parse_tlv records")
    secs = measure(lambda k: [parse_tlv(blob) for _ in range(k)], n, repeat)
    rows.append((LABELS[3], f"{n}x{len(records)} recs", secs, f"{n * len(records) / secs / 1e6:.2f} M records/s"))

    # Keyboard wedge ---------------------------------------------------------------------------
    text = ecard_text()
    recorded = record_from_text(text)
    events = [(e.t, e.type, e.code, e.value) for e in recorded]
    key_events = sum(1 for e in recorded if e.type == EV_KEY)
    scans = decode_scans(events, 2)
    check(len(scans) == 2 and all(isinstance(s, Scan) and s.text == text for s in scans), "wedge scan text")
    secs = measure(lambda k: decode_scans(events, k), n, repeat)
    rows.append(
        (
            LABELS[4],
            f"{n} scans",
            secs,
            f"{n / secs:,.0f} scans/s, {n * len(events) / secs / 1e6:.2f} M ev/s, "
            f"{n * key_events / secs / 1e6:.2f} M key ev/s ({len(text)} chars, "
            f"{sum(US_CHAR_TO_KEY[c][1] for c in text)} shifted, {len(events)} ev)",
        )
    )

    print(f"median of {repeat} repeats, single core, Python {sys.version.split()[0]}")
    print(f"{'case':<32} {'per repeat':>13} {'median':>10} {'min-max of repeats':>20}  rate at the median")
    for label, count, secs, rate in rows:
        low, high = SPREAD[secs]
        spread = f"{low * 1000:.1f}-{high * 1000:.1f} ms"
        print(f"{label:<32} {count:>13} {secs * 1000:>7.1f} ms {spread:>20}  {rate}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
