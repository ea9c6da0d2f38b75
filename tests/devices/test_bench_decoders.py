"""The decoder benchmark still runs end to end (tiny counts; timings are never asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_decoders.py"


def test_bench_decoders_runs_and_prints_every_row(capsys) -> None:
    spec = importlib.util.spec_from_file_location("bench_decoders", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    assert bench.main(["--n", "5", "--repeat", "1"]) == 0

    out = capsys.readouterr().out
    for label in (
        "gat467 decode_frame+split+text",
        "gat467 FrameReader stream",
        "ssc read EF05+EF06",
        "ssc parse_tlv",
        "wedge ScanDecoder e-card QR",
    ):
        assert label in out
