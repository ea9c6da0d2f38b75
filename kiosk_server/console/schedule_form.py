"""The schedule form: what an account may choose, reading the posted fields, and errors in the page's language.

Scope rule (one rule, used to offer choices, to refuse a save and to decide who may edit a row):
a schedule belongs to an org node, and every one of its target rules must name something inside
the account's scope: an org node, hall, screen group or screen in it, or a tag that no screen
outside it carries (a tag rule reaches every screen with the tag, wherever it is). A hall manager's
scope is one hall: their schedules belong to the hall's node and aim at the hall, its screens or its
tags. Everything else aimed at their screens is shown read-only.

Timing and target rules are the domain's: the parsed values go through the REST API's
``save_schedule`` (``content.signage.schedules.validate_schedule``, region playlists, ``validate_targets``);
this module only parses text into values and says the domain's field errors in Chinese or English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final

from flask import g
from sqlalchemy import exists, not_, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import MultiDict

from content.accounts.access import Scope
from content.errors import ValidationError
from content.org.screens import Screen, ScreenGroup, ScreenTag, screen_group_members
from content.org.tree import Hall, OrgUnit
from content.signage.layouts import Layout, Widget
from content.signage.playlists import Playlist
from content.signage.schedules import SCHEDULE_LAYERS, Layer, Schedule
from content.signage.targeting import TargetMode
from kiosk_server.console.base import console_zone
from kiosk_server.console.words import say

DAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKLY: Final = re.compile(r"^FREQ=WEEKLY;BYDAY=((?:MO|TU|WE|TH|FR|SA|SU)(?:,(?:MO|TU|WE|TH|FR|SA|SU))*)$")
NAME_MAX: Final = 100
PRIORITY_MIN: Final = -1000
PRIORITY_MAX: Final = 1000
KINDS: Final = ("org", "hall", "group", "screen", "tag")  # form field names of the target lists
PLAYLIST_WIDGETS: Final = frozenset({Widget.PLAYLIST.value, Widget.TICKER.value})


@dataclass
class Choices:
    """What the account may pick: owners, targets, layouts and playlists."""

    units: list[OrgUnit]
    halls: list[Hall]
    groups: list[ScreenGroup]
    screens: list[Screen]
    tags: list[str]
    layouts: list[Layout]
    playlists: list[Playlist]
    hall_unit: int | None  # a hall manager: their schedules belong to this node
    ids: dict[str, set[str]] = field(default_factory=dict)  # kind → refs (as text) inside the scope

    def __post_init__(self) -> None:
        self.ids = {
            "org": {str(u.id) for u in self.units},
            "hall": {str(h.id) for h in self.halls},
            "group": {str(x.id) for x in self.groups},
            "screen": {str(s.id) for s in self.screens},
            "tag": set(self.tags),
        }

    def inside(self, kind: str, ref: str) -> bool:
        return ref.strip() in self.ids.get(kind, set())

    def owns(self, unit_id: int) -> bool:
        return unit_id == self.hall_unit if self.hall_unit is not None else str(unit_id) in self.ids["org"]

    def editable(self, schedule: Schedule) -> bool:
        """Whether the account may change ``schedule``: its node and every rule inside the scope."""
        return self.owns(schedule.org_unit_id) and all(self.inside(t.kind, t.ref) for t in schedule.targets)


def _sees(scope: Scope, unit: OrgUnit) -> bool:
    """Layouts and playlists usable here: from the nodes above the account's (inherited) or inside its scope."""
    return scope.sees_unit(unit)


def choices(db: Session, scope: Scope) -> Choices:
    units = list(db.scalars(select(OrgUnit).where(scope.unit_clause(OrgUnit.path)).order_by(OrgUnit.path)))
    in_scope_hall = scope.hall_clause(Screen.hall_id, OrgUnit.path)
    halls = list(
        db.scalars(
            select(Hall).join(OrgUnit).where(scope.hall_clause(Hall.id, OrgUnit.path)).order_by(OrgUnit.path, Hall.name)
        )
    )
    screens = list(
        db.scalars(
            select(Screen)
            .join(Hall)
            .join(OrgUnit)
            .where(in_scope_hall)
            .options(selectinload(Screen.hall))
            .order_by(Screen.hall_id, Screen.id)
        )
    )
    outside = select(Screen.id).join(Hall).join(OrgUnit).where(not_(in_scope_hall))
    # A group or tag reaches every screen in it, wherever that screen is: only those wholly inside.
    groups = list(
        db.scalars(
            select(ScreenGroup)
            .join(OrgUnit)
            .where(scope.unit_clause(OrgUnit.path))
            .where(
                ~exists().where(
                    screen_group_members.c.group_id == ScreenGroup.id, screen_group_members.c.screen_id.in_(outside)
                )
            )
            .order_by(ScreenGroup.name)
        )
    )
    tags = sorted(
        set(db.scalars(select(ScreenTag.tag).where(ScreenTag.screen_id.in_([s.id for s in screens]))))
        - set(db.scalars(select(ScreenTag.tag).where(ScreenTag.screen_id.in_(outside))))
    )
    layouts = [
        x
        for x in db.scalars(select(Layout).options(selectinload(Layout.regions)).order_by(Layout.name))
        if _sees(scope, _unit(db, x.org_unit_id))
    ]
    playlists = [
        p for p in db.scalars(select(Playlist).order_by(Playlist.name)) if _sees(scope, _unit(db, p.org_unit_id))
    ]
    hall_unit = halls[0].org_unit_id if scope.hall_id is not None and halls else None
    if scope.hall_id is not None and hall_unit is None:
        hall_unit = -1  # a hall manager without a hall owns nothing
    return Choices(units, halls, groups, screens, tags, layouts, playlists, hall_unit)


def _unit(db: Session, unit_id: int) -> OrgUnit:
    unit = db.get(OrgUnit, unit_id)
    assert unit is not None  # a foreign key
    return unit


# -- the form's values, as text ------------------------------------------------------------------


def _clock(value: time | None) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def _local(moment: datetime | None) -> str:
    return moment.astimezone(console_zone()).strftime("%Y-%m-%dT%H:%M") if moment is not None else ""


def blank_form(default_owner: int | None) -> dict[str, Any]:
    return {
        "name": "",
        "layer": Layer.SCHEDULED.label,
        "priority": "0",
        "owner": str(default_owner or ""),
        "layout": "",
        "regions": {},
        "daypart_start": "",
        "daypart_end": "",
        "days": set(DAYS),
        "rrule": "",
        "date_from": "",
        "date_until": "",
        "exdates": "",
        "starts_at": "",
        "ends_at": "",
        "enabled": True,
        "include": {kind: set() for kind in KINDS},
        "exclude": {kind: set() for kind in KINDS},
    }


def form_of(schedule: Schedule) -> dict[str, Any]:
    """The form filled in from a stored schedule."""
    rule = (schedule.rrule or "").strip().upper().removeprefix("RRULE:")
    weekly = WEEKLY.match(rule)
    days = set(DAYS) if not rule else set(weekly.group(1).split(",")) if weekly else set()
    targets: dict[str, dict[str, set[str]]] = {mode.value: {kind: set() for kind in KINDS} for mode in TargetMode}
    for t in schedule.targets:
        if t.mode in targets and t.kind in KINDS:
            targets[t.mode][t.kind].add(t.ref)
    return {
        "name": schedule.name,
        "layer": schedule.layer,
        "priority": str(schedule.priority),
        "owner": str(schedule.org_unit_id),
        "layout": str(schedule.layout_id),
        "regions": {str(schedule.layout_id): {k: str(v) for k, v in (schedule.region_playlists or {}).items()}},
        "daypart_start": _clock(schedule.daypart_start),
        "daypart_end": _clock(schedule.daypart_end),
        "days": days,
        "rrule": "" if (weekly or not rule) else (schedule.rrule or ""),
        "date_from": schedule.date_from.isoformat() if schedule.date_from else "",
        "date_until": schedule.date_until.isoformat() if schedule.date_until else "",
        "exdates": " ".join(str(d) for d in schedule.exdates or ()),
        "starts_at": _local(schedule.starts_at),
        "ends_at": _local(schedule.ends_at),
        "enabled": schedule.enabled,
        "include": targets["include"],
        "exclude": targets["exclude"],
    }


def posted_form(posted: MultiDict[str, str]) -> dict[str, Any]:
    """The form as posted (kept as text, so a page with errors shows what was typed)."""
    text = {
        name: posted.get(name, "").strip()
        for name in (
            "name",
            "layer",
            "priority",
            "owner",
            "layout",
            "daypart_start",
            "daypart_end",
            "rrule",
            "date_from",
            "date_until",
            "exdates",
            "starts_at",
            "ends_at",
        )
    }
    regions: dict[str, dict[str, str]] = {}
    for key, value in posted.items(multi=True):
        parts = key.split(".", 2)
        if parts[0] == "region" and len(parts) == 3 and value.strip():
            regions.setdefault(parts[1], {})[parts[2]] = value.strip()
    return {
        **text,
        "regions": regions,
        "days": {d for d in posted.getlist("day") if d in DAYS},
        "enabled": posted.get("enabled") == "1",
        "include": {kind: set(posted.getlist(f"in.{kind}")) for kind in KINDS},
        "exclude": {kind: set(posted.getlist(f"ex.{kind}")) for kind in KINDS},
    }


# -- parsing into the values the domain checks -----------------------------------------------------


def _parse(errors: dict[str, str], name: str, text: str, parse: Any, key: str) -> Any:
    if not text:
        return None
    try:
        return parse(text)
    except ValueError:
        errors[name] = say(g.lang, key)
        return None


def _moment(text: str) -> datetime:
    """A ``datetime-local`` value, read as Beijing time like everything the console shows."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        raise ValueError(text)
    return moment.replace(tzinfo=console_zone())


def _exdates(errors: dict[str, str], text: str) -> list[date]:
    found, bad = [], []
    for part in (p for p in re.split(r"[\s,，、;；]+", text) if p):
        try:
            found.append(date.fromisoformat(part))
        except ValueError:
            bad.append(part)
    if bad:
        errors["exdates"] = say(g.lang, "schedules.error.exdates", values="、".join(bad[:5]))
    return found


def _rrule(form: dict[str, Any], layer: str, errors: dict[str, str]) -> str | None:
    if form["rrule"]:
        return str(form["rrule"])
    days = [d for d in DAYS if d in form["days"]]
    if len(days) == len(DAYS):
        return None
    if not days:
        if layer != Layer.DEFAULT.label:
            errors["days"] = say(g.lang, "schedules.error.days")
        return None
    return "FREQ=WEEKLY;BYDAY=" + ",".join(days)


def values_of(form: dict[str, Any], allowed: Choices) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted form as ``save_schedule`` values, and the errors of parsing it and of the scope."""
    lang, errors = g.lang, {}
    name = form["name"]
    if not name or len(name) > NAME_MAX:
        errors["name"] = say(lang, "schedules.error.name", limit=NAME_MAX)
    layer = form["layer"] if form["layer"] in {x.label for x in SCHEDULE_LAYERS} else ""
    if not layer:
        errors["layer"] = say(lang, "schedules.error.layer")
    try:
        priority = int(form["priority"] or "0")
        if not PRIORITY_MIN <= priority <= PRIORITY_MAX:
            raise ValueError(priority)
    except ValueError:
        errors["priority"], priority = say(lang, "schedules.error.priority", low=PRIORITY_MIN, high=PRIORITY_MAX), 0
    owner = allowed.hall_unit if allowed.hall_unit is not None else int(form["owner"]) if form["owner"].isdigit() else 0
    if not allowed.owns(owner):
        errors["owner"] = say(lang, "schedules.error.owner")
    layout = next((x for x in allowed.layouts if str(x.id) == form["layout"]), None)
    if layout is None:
        errors["layout"] = say(lang, "schedules.error.layout")
    mapping: dict[str, int] = {}
    playlist_ids = {str(p.id) for p in allowed.playlists}
    for region, value in (form["regions"].get(form["layout"], {}) if layout else {}).items():
        if value not in playlist_ids:
            errors[f"region.{region}"] = say(lang, "schedules.error.region_playlist")
        else:
            mapping[region] = int(value)
    timed = layer != Layer.DEFAULT.label  # the default layer is always on: its timing fields are not kept
    values: dict[str, Any] = {
        "org_unit_id": owner,
        "name": name,
        "layer": layer or Layer.SCHEDULED.label,
        "priority": priority,
        "enabled": bool(form["enabled"]),
        "layout_id": layout.id if layout else 0,
        "region_playlists": mapping,
        "daypart_start": _parse(
            errors, "daypart_start", form["daypart_start"], time.fromisoformat, "schedules.error.time"
        )
        if timed
        else None,
        "daypart_end": _parse(errors, "daypart_end", form["daypart_end"], time.fromisoformat, "schedules.error.time")
        if timed
        else None,
        "date_from": _parse(errors, "date_from", form["date_from"], date.fromisoformat, "schedules.error.date")
        if timed
        else None,
        "date_until": _parse(errors, "date_until", form["date_until"], date.fromisoformat, "schedules.error.date")
        if timed
        else None,
        "starts_at": _parse(errors, "starts_at", form["starts_at"], _moment, "schedules.error.moment")
        if timed
        else None,
        "ends_at": _parse(errors, "ends_at", form["ends_at"], _moment, "schedules.error.moment") if timed else None,
        "rrule": _rrule(form, layer, errors) if timed else None,
        "exdates": _exdates(errors, form["exdates"]) if timed else [],
        "targets": [
            {"mode": mode.value, "kind": kind, "ref": ref}
            for mode in TargetMode
            for kind in KINDS
            for ref in sorted(form[mode.value][kind])
        ],
    }
    outside = [t for t in values["targets"] if not allowed.inside(t["kind"], t["ref"])]
    if outside:
        errors["targets"] = say(lang, "schedules.error.target_outside")
    return values, errors


# -- the domain's field errors, in the page's language --------------------------------------------


def domain_errors(err: ValidationError, form: dict[str, Any]) -> dict[str, str]:
    """``save_schedule``'s errors keyed by the form's field names, in the page's language."""
    lang, found = g.lang, {}
    for key, message in err.errors.items():
        if key.startswith("region_playlists."):
            found[f"region.{key.split('.', 1)[1]}"] = say(lang, "schedules.error.region_playlist")
        elif key.startswith("targets"):
            found["targets"] = say(lang, "schedules.error.targets")
        elif key in ("daypart_start", "daypart_end"):
            both = form["daypart_start"] and form["daypart_end"]
            found[key] = say(lang, "schedules.error.daypart_same" if both else "schedules.error.daypart_pair")
        elif key in ("starts_at", "ends_at"):
            missing = form["layer"] == Layer.CAMPAIGN.label and not form[key]
            found[key] = say(lang, "schedules.error.campaign_window" if missing else "schedules.error.window_order")
        elif key == "date_until":
            found[key] = say(lang, "schedules.error.date_order")
        elif key == "rrule":
            found[key] = say(lang, "schedules.error.rrule", detail=message)
        elif key == "exdates":
            found[key] = say(lang, "schedules.error.exdates", values="")
        elif key == "layer":
            found[key] = say(lang, "schedules.error.layer")
        else:
            found[key] = message
    return found


def summary(schedule: Schedule) -> dict[str, Any]:
    """The schedule as the audit log records it."""
    return {
        "name": schedule.name,
        "layer": schedule.layer,
        "priority": schedule.priority,
        "enabled": schedule.enabled,
        "org_unit_id": schedule.org_unit_id,
        "layout_id": schedule.layout_id,
        "region_playlists": dict(schedule.region_playlists or {}),
        "daypart": [_clock(schedule.daypart_start), _clock(schedule.daypart_end)],
        "rrule": schedule.rrule,
        "date_from": schedule.date_from.isoformat() if schedule.date_from else None,
        "date_until": schedule.date_until.isoformat() if schedule.date_until else None,
        "exdates": list(schedule.exdates or ()),
        "starts_at": schedule.starts_at.isoformat() if schedule.starts_at else None,
        "ends_at": schedule.ends_at.isoformat() if schedule.ends_at else None,
        "targets": sorted(f"{t.mode}:{t.kind}:{t.ref}" for t in schedule.targets),
    }


def region_fields(layout: Layout) -> list[Any]:
    """The regions of a layout whose playlist a schedule may choose."""
    return [r for r in layout.regions if r.widget in PLAYLIST_WIDGETS]


def describe(schedule: Any) -> str:
    """When a schedule (a row, or anything with its timing fields) plays, in the page's language."""
    lang = g.lang
    if schedule.layer == Layer.DEFAULT.label:
        return say(lang, "schedules.when.always")
    rule = (schedule.rrule or "").strip().upper().removeprefix("RRULE:")
    weekly = WEEKLY.match(rule)
    if not rule:
        days = say(lang, "schedules.when.every_day")
    elif weekly:
        chosen = weekly.group(1).split(",")
        days = (
            say(lang, "schedules.when.weekdays")
            if set(chosen) == set(DAYS[:5])
            else say(lang, "schedules.when.list_sep").join(say(lang, f"schedules.day.{d}") for d in DAYS if d in chosen)
        )
    else:
        days = schedule.rrule
    hours = (
        f"{_clock(schedule.daypart_start)}–{_clock(schedule.daypart_end)}"
        if schedule.daypart_start is not None
        else say(lang, "schedules.when.all_day")
    )
    parts = [days, hours]
    if schedule.date_from or schedule.date_until:
        parts.append(say(lang, "schedules.when.dates", start=schedule.date_from or "…", end=schedule.date_until or "…"))
    if schedule.starts_at or schedule.ends_at:
        parts.append(
            say(
                lang,
                "schedules.when.window",
                start=_local(schedule.starts_at).replace("T", " ") or "…",
                end=_local(schedule.ends_at).replace("T", " ") or "…",
            )
        )
    return " · ".join(parts)
