"""The one CSV writer for every export: UTF-8 with a BOM for Excel, and no cell a spreadsheet would run.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula, so a service line or a title named ``=cmd|' /C calc'!A0`` would run when a manager opens
the export (OWASP "CSV injection"). Every text cell that starts with one of those gets a leading
``'``, which Excel shows as text and hides. Numbers (``int``, ``float``) are written as they are: a
negative number is no formula. Queue statistics (``content.queue.stats``) and proof of play
(``content.signage.proof_of_play``) write through ``csv_text``; a new export must too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = ["BOM", "FORMULA_STARTS", "Cell", "csv_text", "inert"]

# Excel in zh-CN reads a CSV as GBK unless it starts with the UTF-8 byte-order mark.
BOM: Final = "\ufeff"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def inert(value: Cell) -> str:
    """The text of a cell as a spreadsheet will show it without running it ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A CSV document (BOM, CRLF line ends) of ``header`` and ``rows``, every cell made inert."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([inert(cell) for cell in header])
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return out.getvalue()
