"""What an editor writes in a policy notice, and what may be wrong with each field (for ``content.library.approval``)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from sqlalchemy.orm import Session

from content.accounts.access import scope_of
from content.accounts.staff import StaffAccount
from content.errors import ValidationError
from content.library.items import PolicyNotice
from content.org.tree import OrgUnit

LIMITS: Final = {"title": 200, "topic": 40, "issuing_office": 120, "body_markdown": 100_000}


class Problem(StrEnum):
    """What is wrong with one field of a notice; pages turn these into words."""

    REQUIRED = "required"
    TOO_LONG = "too_long"
    NOT_AFTER_START = "not_after_start"
    NO_SUCH_NODE = "no_such_node"
    OUTSIDE_SCOPE = "outside_scope"


_PROBLEM_TEXT: Final = {
    Problem.REQUIRED: "is required",
    Problem.TOO_LONG: "is too long",
    Problem.NOT_AFTER_START: "must come after valid_from",
    Problem.NO_SUCH_NODE: "names no org node",
    Problem.OUTSIDE_SCOPE: "lies outside your part of the org tree",
}


@dataclass(frozen=True)
class NoticeFields:
    """What an editor writes: the publishing node, the text and when it applies."""

    org_unit_id: int | None
    title: str
    body_markdown: str
    topic: str = ""
    issuing_office: str = ""
    effective_date: date | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @classmethod
    def of(cls, notice: PolicyNotice) -> NoticeFields:
        return cls(**{f.name: getattr(notice, f.name) for f in fields(cls)})

    def cleaned(self) -> NoticeFields:
        return NoticeFields(
            self.org_unit_id,
            self.title.strip(),
            self.body_markdown.strip(),
            self.topic.strip(),
            self.issuing_office.strip(),
            self.effective_date,
            self.valid_from,
            self.valid_until,
        )


def problems(session: Session, actor: StaffAccount, values: NoticeFields) -> dict[str, Problem]:
    """Every field of ``values`` that may not be saved by ``actor``, with what is wrong with it."""
    found: dict[str, Problem] = {}
    values = values.cleaned()
    for name in ("title", "body_markdown"):
        if not getattr(values, name):
            found[name] = Problem.REQUIRED
    for name, limit in LIMITS.items():
        if len(getattr(values, name)) > limit:
            found[name] = Problem.TOO_LONG
    if values.org_unit_id is None:
        found["org_unit_id"] = Problem.REQUIRED
    else:
        unit = session.get(OrgUnit, values.org_unit_id)
        if unit is None:
            found["org_unit_id"] = Problem.NO_SUCH_NODE
        elif not scope_of(session, actor).covers_unit(unit):
            found["org_unit_id"] = Problem.OUTSIDE_SCOPE
    if values.valid_from is not None and values.valid_until is not None and values.valid_until <= values.valid_from:
        found["valid_until"] = Problem.NOT_AFTER_START
    return found


def refuse_problems(session: Session, actor: StaffAccount, values: NoticeFields) -> None:
    found = problems(session, actor, values)
    if found:
        raise ValidationError({name: f"{name} {_PROBLEM_TEXT[p]}" for name, p in found.items()})
