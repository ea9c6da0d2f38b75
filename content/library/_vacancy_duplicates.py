"""Which rows of a vacancy import duplicate a vacancy already there, and which repeat a reference of the file.

The rule is told to people in ``content.library.vacancy_import``'s docstring: a row with a 岗位编号
(``external_ref``) is the vacancy of the same node and employer with that reference, else the one of
the same title that has no reference yet; a row without one is the vacancy of the same node, employer
and title. Archived vacancies are never matched. Only employers already in the database can have
vacancies, so those are read in chunks of employers (one ``IN (...)`` per chunk), never row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.library.items import Employer, ItemStatus, Vacancy

__all__ = ["LOOKUP_CHUNK", "Duplicates", "Fail", "RowKey", "chunks", "find_duplicates"]

LOOKUP_CHUNK: Final = 500  # names, codes or employers per IN (...) query

T = TypeVar("T")

# Reports a row problem: sheet row number, the field whose column is blamed, the zh-CN and English messages.
Fail = Callable[[int, str, str, str], None]


class Duplicates(StrEnum):
    """What to do with rows that match a vacancy already there (by reference, else by title)."""

    REPORT = "report"  # a problem on each such row: nothing is imported
    UPDATE = "update"  # the row's values replace the vacancy's; other rows are inserted


@dataclass(frozen=True)
class RowKey:
    """What a row is matched by: its employer as resolved (``id`` None while new), title and reference."""

    number: int
    employer: Employer
    title: str
    external_ref: str | None


@dataclass(frozen=True)
class _Rule:
    """How a row matched: the field blamed and the words for what the row and the vacancy share."""

    field: str
    same_zh: str
    same_en: str


_BY_REF: Final = _Rule("external_ref", "同一发布机构、用人单位和岗位编号", "same owner, employer and reference")
_BY_TITLE: Final = _Rule("title", "同一发布机构、用人单位和岗位名称", "same owner, employer and title")
_BY_TITLE_UNREFERENCED: Final = _Rule(
    "title",
    "同一发布机构、用人单位和岗位名称，且已有岗位还没有岗位编号",
    "same owner, employer and title, and the vacancy has no reference yet",
)


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


class _Existing:
    """The not-archived vacancies of one node for some employers, by reference and by title."""

    def __init__(self, session: Session, unit_id: int, employer_ids: Sequence[int]) -> None:
        self.by_ref: dict[tuple[int, str], list[int]] = {}
        self.by_title: dict[tuple[int, str], list[int]] = {}
        self.by_title_unreferenced: dict[tuple[int, str], list[int]] = {}
        for chunk in chunks(employer_ids):
            stmt = (
                select(Vacancy.id, Vacancy.employer_id, Vacancy.title, Vacancy.external_ref)
                .where(Vacancy.org_unit_id == unit_id, Vacancy.status != ItemStatus.ARCHIVED.value)
                .where(Vacancy.employer_id.in_(chunk))
                .order_by(Vacancy.id)
            )
            for ident, employer_id, title, ref in session.execute(stmt):
                self.by_title.setdefault((employer_id, title), []).append(ident)
                if ref:
                    self.by_ref.setdefault((employer_id, ref), []).append(ident)
                else:
                    self.by_title_unreferenced.setdefault((employer_id, title), []).append(ident)

    def match(self, key: RowKey) -> tuple[list[int], _Rule]:
        """The vacancies ``key`` duplicates (none, one, or several that cannot be told apart) and by which rule."""
        employer_id = key.employer.id
        if employer_id is None:  # new in this file: nothing of it exists yet
            return [], _BY_TITLE
        if key.external_ref is None:
            return self.by_title.get((employer_id, key.title), []), _BY_TITLE
        ids = self.by_ref.get((employer_id, key.external_ref), [])
        if ids:
            return ids, _BY_REF
        return self.by_title_unreferenced.get((employer_id, key.title), []), _BY_TITLE_UNREFERENCED


def find_duplicates(
    session: Session, unit_id: int, keys: Sequence[RowKey], mode: Duplicates, fail: Fail
) -> dict[int, int]:
    """Rows that match a vacancy already there: reported through ``fail``, or (UPDATE) row number → its id.

    A row repeating the employer and reference of an earlier row of the file is a problem whatever
    the mode, and is not matched further.
    """
    repeated = _repeated_refs(keys, fail)
    known = sorted({k.employer.id for k in keys if k.employer.id is not None})
    existing = _Existing(session, unit_id, known)
    updates: dict[int, int] = {}
    claimed: dict[int, int] = {}  # vacancy id → the row that updates it
    for key in keys:
        if key.number in repeated:
            continue
        ids, rule = existing.match(key)
        if not ids:
            continue
        shown = "、".join(f"#{i}" for i in ids[:5]) + (" …" if len(ids) > 5 else "")
        if mode is Duplicates.REPORT:
            fail(
                key.number,
                rule.field,
                f"与已有岗位 {shown} 重复（{rule.same_zh}）；要用本行更新它，请选择“更新已有岗位”",
                f"duplicates vacancy {shown} ({rule.same_en}); choose 'update existing' to update it",
            )
        elif len(ids) > 1:
            fail(
                key.number,
                rule.field,
                f"已有 {len(ids)} 个相同的岗位 {shown}（{rule.same_zh}），无法确定更新哪一个",
                f"{len(ids)} vacancies {shown} match ({rule.same_en}): cannot tell which to update",
            )
        elif ids[0] in claimed:
            fail(
                key.number,
                rule.field,
                f"第 {claimed[ids[0]]} 行已经更新岗位 {shown}，同一岗位只能出现一次",
                f"row {claimed[ids[0]]} already updates vacancy {shown}; a vacancy may appear once",
            )
        else:
            claimed[ids[0]] = key.number
            updates[key.number] = ids[0]
    return updates


def _repeated_refs(keys: Sequence[RowKey], fail: Fail) -> set[int]:
    """Rows whose employer and reference an earlier row of the file already has, each reported."""
    first: dict[tuple[int, str], int] = {}  # (the employer object's identity, reference) → its first row
    repeated: set[int] = set()
    for key in keys:
        if key.external_ref is None:
            continue
        # id(): a new employer has no database id yet, but the rows naming it share one object.
        seen = first.setdefault((id(key.employer), key.external_ref), key.number)
        if seen != key.number:
            repeated.add(key.number)
            fail(
                key.number,
                "external_ref",
                f"第 {seen} 行已有相同的岗位编号“{key.external_ref}”（同一用人单位），同一岗位只能出现一次",
                f"row {seen} already has reference {key.external_ref!r} for this employer; a posting may appear once",
            )
    return repeated
