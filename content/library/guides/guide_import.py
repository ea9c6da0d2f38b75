"""Import of service guides from JSON (a list of guides) or CSV (one row per guide): all or nothing.

Every entry is checked by the rules every guide obeys (``content.library.guides.fields``) before
anything is added; if any entry has a problem, ``GuideImportRejected`` lists every problem by entry
(JSON: entry 1 is the first object; CSV: the row number as a spreadsheet shows it, the header being
row 1) and field, and the session holds nothing new. Otherwise the guides are added as drafts of
the node the importer chose (they go through review like any guide), with one audit row; the
caller commits.

CSV columns are named in Chinese or by field (``服务名称`` or ``title``); lists are separated by
``；`` (or ``;``), and a material reads ``名称（原件）×2``: the name, ``（原件）`` when the original
must be shown, and ``×N`` (or ``*N``) copies, one when not given.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.staff import StaffAccount
from content.db import utcnow
from content.errors import ContentError, ValidationError
from content.library.guides.fields import GuideFields
from content.library.guides.review import check_node, create
from content.library.guides.service_guides import OBJ_KIND, ServiceGuide

MAX_BYTES: Final = 2_000_000
MAX_ENTRIES: Final = 500
LIST_SEPARATOR: Final = re.compile("[；;]")
COLUMNS: Final = {
    "服务名称": "title",
    "事项名称": "title",
    "类别": "category",
    "申办条件": "conditions",
    "申请材料": "materials",
    "办理流程": "steps",
    "办理时限": "time_limit",
    "收费标准": "fee",
    "办理地点": "location",
    "窗口": "counter",
    "办理时间": "hours",
    "设定依据": "legal_basis",
    "网上办理": "online_url",
    "咨询电话": "phone",
}
FIELDS: Final = frozenset(COLUMNS.values()) | {"valid_from", "valid_until"}
_MATERIAL: Final = re.compile(r"^(?P<name>.*?)\s*(?P<original>[（(]原件[）)])?\s*(?:[×xX*]\s*(?P<copies>\d{1,3}))?$")


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong with one field of one entry; ``entry`` 0 means the file as a whole."""

    entry: int
    field: str
    message: str

    def __str__(self) -> str:
        where = "file" if self.entry == 0 else f"entry {self.entry}"
        return f"{where}: {self.field} {self.message}" if self.field else f"{where}: {self.message}"


class GuideImportRejected(ContentError):
    """The file was refused; ``problems`` names every entry and field at fault."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        shown = "; ".join(map(str, problems[:20]))
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported: {shown}{more}")


def _whole_file(message: str) -> GuideImportRejected:
    return GuideImportRejected([ImportProblem(0, "", message)])


def read_json(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The file's entries as (entry number, raw fields)."""
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _whole_file(f"is not UTF-8 JSON ({err})") from err
    if not isinstance(loaded, list):
        raise _whole_file(f"must be a JSON list of guides, not a {type(loaded).__name__}")
    if len(loaded) > MAX_ENTRIES:
        raise _whole_file(f"holds {len(loaded)} guides, at most {MAX_ENTRIES} per file")
    return [(n, entry) for n, entry in enumerate(loaded, start=1)]


def material_from_text(text: str) -> dict[str, Any]:
    """A material written as ``名称（原件）×2`` (the CSV's and the console's notation) as plain data."""
    found = _MATERIAL.match(text.strip())
    if found is None:  # the pattern matches any text; kept for the type checker
        return {"name": text.strip()}
    copies = int(found["copies"]) if found["copies"] else 1
    return {"name": found["name"], "copies": copies, "original": bool(found["original"])}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATOR.split(cell) if part.strip()]


def read_csv(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The sheet's rows as (row number, raw fields); lists split at ；."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _whole_file("is neither UTF-8 nor GB18030 text")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise _whole_file("is empty: the first row must name the columns (服务名称, 类别, 办理流程 …)")
    header = [COLUMNS.get(cell.strip(), cell.strip()) for cell in rows[0]]
    unknown = [cell for cell in header if cell and cell not in FIELDS]
    if unknown:
        raise _whole_file(f"has columns no guide field is called: {', '.join(unknown)}")
    if len(rows) - 1 > MAX_ENTRIES:
        raise _whole_file(f"holds {len(rows) - 1} rows, at most {MAX_ENTRIES} per file")
    entries = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        raw: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=False):
            if not name:
                continue
            if name == "steps":
                raw[name] = _split(cell)
            elif name == "materials":
                raw[name] = [material_from_text(part) for part in _split(cell)]
            else:
                raw[name] = cell
        entries.append((number, raw))
    return entries


def check_entries(entries: Sequence[tuple[int, Mapping[str, Any]]], org_unit_id: int) -> list[GuideFields]:
    """Every entry checked; all problems raised together."""
    problems: list[ImportProblem] = []
    checked = []
    for number, raw in entries:
        if not isinstance(raw, Mapping):
            problems.append(ImportProblem(number, "", "must be an object with the guide's fields"))
            continue
        unknown = sorted(str(key) for key in raw if key not in FIELDS)
        if unknown:
            problems.append(ImportProblem(number, "", f"has fields no guide has: {', '.join(unknown)}"))
            continue
        try:
            checked.append(GuideFields.parse({**raw, "org_unit_id": org_unit_id}))
        except ValidationError as err:
            problems.extend(ImportProblem(number, name, message) for name, message in err.errors.items())
    if problems:
        raise GuideImportRejected(problems)
    return checked


def import_guides(
    session: Session,
    actor: StaffAccount,
    data: bytes,
    filename: str,
    org_unit_id: int,
    *,
    now: datetime | None = None,
) -> list[ServiceGuide]:
    """Add every guide of a JSON or CSV file as a draft of ``org_unit_id``, or none (``GuideImportRejected``)."""
    if len(data) > MAX_BYTES:
        raise _whole_file(f"is {len(data)} bytes, at most {MAX_BYTES}")
    try:
        check_node(session, actor, org_unit_id)
    except ValidationError as err:
        raise GuideImportRejected([ImportProblem(0, k, v) for k, v in err.errors.items()]) from err
    is_json = filename.lower().endswith(".json") or data.lstrip()[:1] in (b"[", b"{")
    entries = read_json(data) if is_json else read_csv(data)
    if not entries:
        raise _whole_file("holds no guides")
    checked = check_entries(entries, org_unit_id)
    at = now or utcnow()
    guides = [create(session, actor, values, now=at) for values in checked]
    audit.record(
        session,
        actor=actor.username,
        action="imported",
        obj_kind=OBJ_KIND,
        obj_id=None,
        summary={"file": filename[:120], "guides": len(guides), "ids": [g.id for g in guides][:50]},
    )
    return guides
