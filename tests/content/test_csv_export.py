"""The one CSV writer: BOM and CRLF for Excel, formula-like text made inert, numbers left alone."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from content.csv_export import csv_text, inert

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text", ["=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")']
)
def test_every_formula_start_gets_a_leading_apostrophe(text: str) -> None:
    assert inert(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "shown"), [("社保业务", "社保业务"), ("a=b", "a=b"), (None, ""), (-3, "-3"), (-0.5, "-0.5")]
)
def test_plain_text_and_numbers_are_written_as_they_are(value: str | int | float | None, shown: str) -> None:
    assert inert(value) == shown


def test_csv_text_has_a_bom_crlf_and_inert_cells_in_header_and_rows() -> None:
    text = csv_text(["=名称", "次数"], [["=1+1", 2], ["普通", None]])
    assert text.startswith("\ufeff") and text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["'=名称", "次数"], ["'=1+1", "2"], ["普通", ""]]


def test_no_export_writes_csv_but_through_the_one_writer() -> None:
    writers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("content", "kiosk_server")
        for path in (ROOT / folder).rglob("*.py")
        if "csv.writer(" in path.read_text(encoding="utf-8") or "csv.DictWriter(" in path.read_text(encoding="utf-8")
    ]
    assert writers == ["content/csv_export.py"]
