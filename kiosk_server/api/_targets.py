"""Target rules in request bodies (schedules and emergencies share them): shape, checks, rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import Field
from sqlalchemy.orm import Session

from content.errors import ValidationError
from content.org.screens import Screen, ScreenGroup
from content.org.tree import Hall, OrgUnit
from content.signage.targeting import Target, TargetKind, TargetMode, validate_targets
from kiosk_server.api._crud import find
from kiosk_server.api._errors import dotted
from kiosk_server.api._schemas import Body, Out

_REFERENCED: Final[dict[str, tuple[type, str]]] = {
    TargetKind.ORG: (OrgUnit, "org unit"),
    TargetKind.HALL: (Hall, "hall"),
    TargetKind.GROUP: (ScreenGroup, "screen group"),
    TargetKind.SCREEN: (Screen, "screen"),
}


class TargetIn(Body):
    """Include or exclude the screens below an org node, of a hall, in a group, with a tag, or one screen."""

    mode: TargetMode = TargetMode.INCLUDE
    kind: TargetKind
    ref: str | int = Field(description="the id (org, hall, group, screen) or the tag text")


class TargetOut(Out):
    mode: str
    kind: str
    ref: str


def check_targets(session: Session, rules: Sequence[Mapping[str, Any]]) -> None:
    """validate_targets' rule checks, then that every referenced org node, hall, group and screen exists."""
    try:
        validate_targets(rules)
    except ValidationError as err:
        raise ValidationError({dotted(k): v for k, v in err.errors.items()}) from err
    errors: dict[str, str] = {}
    for index, rule in enumerate(rules):
        referenced = _REFERENCED.get(rule["kind"])
        if referenced is not None and find(session, referenced[0], int(str(rule["ref"]).strip())) is None:
            errors[f"targets.{index}.ref"] = f"no {referenced[1]} with id {rule['ref']}"
    if errors:
        raise ValidationError(errors)


def target_rows(rules: Sequence[Mapping[str, Any]]) -> list[Target]:
    """New Target rows for checked ``rules`` (the owner is set by the relationship they are put on)."""
    return [Target(mode=str(r["mode"]), kind=str(r["kind"]), ref=str(r["ref"]).strip()) for r in rules]
