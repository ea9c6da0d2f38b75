"""The resolver's in-memory copy of the database: plain frozen records, loaded in a few queries.

Private helper of ``content.signage.manifest``. Converting rows once means the resolver never touches
the session again (no lazy loads, no N+1) and item JSON is built once, not once per group.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from content.library.fairs.data import fair_badges, fair_data, fair_vacancy_ids
from content.library.fairs.job_fairs import FairBooth, FairPosition, JobFair
from content.library.guides.service_guides import ServiceGuide
from content.library.items import ContentItem, ItemStatus, Media, PolicyNotice, Ticker, Vacancy
from content.library.training.courses import TrainingCourse, course_data
from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.documents import Document, document_data
from content.library.widgets.web_pages import WebPage
from content.org.screen_voice import VoiceSettings, all_settings
from content.org.screens import Screen, ScreenTag, screen_group_members
from content.org.tree import Hall, OrgUnit
from content.signage._guide_items import guide_data
from content.signage._market_entries import MarketSnap, load_market
from content.signage._widget_items import feed_data, webpage_data
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout
from content.signage.playlists import Playlist
from content.signage.schedules import SCHEDULE_LAYERS, Layer, Schedule
from content.signage.targeting import ScreenContext, TargetRule
from content.signage.voice_packs import current_packs, voice_entry, voice_key


def iso(moment: datetime) -> str:
    """An instant as ISO 8601 in UTC with its offset, the only time format in a manifest."""
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class ScheduleSnap:
    id: int
    name: str
    layer: str
    rank: Layer
    priority: int
    layout_id: int
    region_playlists: Mapping[str, Any]
    date_from: date | None
    date_until: date | None
    daypart_start: time | None
    daypart_end: time | None
    rrule: str | None
    exdates: Sequence[Any]
    starts_at: datetime | None
    ends_at: datetime | None
    targets: tuple[TargetRule, ...]
    org_unit_id: int | None = None  # the owning node: its targets reach no screen outside this subtree

    def may_run_after(self, moment: datetime, tz: ZoneInfo) -> bool:
        """False once the schedule can no longer be on at or after ``moment`` in zone ``tz``."""
        if self.rank is Layer.DEFAULT:
            return True
        if self.ends_at is not None and self.ends_at <= moment:
            return False
        # A daypart starting on date_until may cross midnight: it is over by the end of the next day.
        if self.date_until is None:
            return True
        return datetime.combine(self.date_until + timedelta(days=2), time(), tzinfo=tz) > moment

    @property
    def source(self) -> dict[str, Any]:
        return {"kind": "schedule", "id": self.id, "name": self.name, "priority": self.priority}


@dataclass(frozen=True)
class EmergencySnap:
    id: int
    severity: str
    starts_at: datetime
    ends_at: datetime  # the effective end: expiry, or the earlier manual end
    data: Mapping[str, Any]
    targets: tuple[TargetRule, ...]
    org_unit_id: int | None = None  # the issuing node: it reaches no screen outside this subtree


@dataclass(frozen=True)
class RegionSnap:
    name: str
    playlist_id: int | None


@dataclass(frozen=True)
class LayoutSnap:
    id: int
    regions: tuple[RegionSnap, ...]
    data: Mapping[str, Any]


@dataclass(frozen=True)
class EntrySnap:
    id: int
    kind: str
    item_id: int | None
    duration: int
    params: Mapping[str, Any]


@dataclass(frozen=True)
class ItemSnap:
    id: int
    key: str
    kind: str
    org_unit_id: int
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime
    data: Mapping[str, Any]
    filters: Mapping[str, Any] = field(default_factory=dict)  # occupation_code, district, topic, salary

    def live(self, at: datetime) -> bool:
        """Inside its validity window at ``at`` (only published items are loaded)."""
        started = self.valid_from is None or self.valid_from <= at
        return started and (self.valid_until is None or at < self.valid_until)


@dataclass(frozen=True)
class Snapshot:
    schedules: tuple[ScheduleSnap, ...]
    emergencies: tuple[EmergencySnap, ...]
    layouts: Mapping[int, LayoutSnap]
    playlists: Mapping[int, tuple[EntrySnap, ...]]
    items: Mapping[int, ItemSnap]
    market: MarketSnap = field(default_factory=MarketSnap)  # 供求分析 figures (content.signage._market_entries)


def _rules(targets: Sequence[Any]) -> tuple[TargetRule, ...]:
    return tuple(TargetRule(mode=t.mode, kind=t.kind, ref=t.ref) for t in targets)


def load_snapshot(session: Session, since: datetime | None) -> Snapshot:
    """Read everything a resolution needs; rows that ended before ``since`` are skipped."""
    return Snapshot(
        schedules=tuple(load_schedules(session, since).values()),
        emergencies=tuple(load_emergencies(session, since).values()),
        layouts=load_layouts(session),
        playlists=load_playlists(session),
        items=load_items(session, since),
        market=load_market(session),
    )


def load_playlists(session: Session, ids: Collection[int] | None = None) -> dict[int, tuple[EntrySnap, ...]]:
    """Playlists' entries by playlist id (all, or the given ids that exist)."""
    stmt = select(Playlist).options(selectinload(Playlist.entries))
    if ids is not None:
        stmt = stmt.where(Playlist.id.in_(list(ids)))
    return {
        p.id: tuple(EntrySnap(e.id, e.kind, e.item_id, e.duration_seconds, dict(e.params or {})) for e in p.entries)
        for p in session.scalars(stmt)
    }


def load_schedules(
    session: Session, since: datetime | None, ids: Collection[int] | None = None
) -> dict[int, ScheduleSnap]:
    """Enabled schedules by id, in id order (all, or those of the given ids that are enabled and not over)."""
    stmt = select(Schedule).where(Schedule.enabled.is_(True)).options(selectinload(Schedule.targets))
    if since is not None:
        stmt = stmt.where(or_(Schedule.ends_at.is_(None), Schedule.ends_at > since))
    if ids is not None:
        stmt = stmt.where(Schedule.id.in_(list(ids)))
    snaps = {}
    for s in session.scalars(stmt.order_by(Schedule.id)):
        if s.layer not in {layer.label for layer in SCHEDULE_LAYERS}:
            continue  # refused on write; a stray row must not crash or outrank every screen's emergencies
        snaps[s.id] = ScheduleSnap(
            id=s.id,
            name=s.name,
            layer=s.layer,
            rank=Layer.parse(s.layer),
            priority=s.priority,
            layout_id=s.layout_id,
            region_playlists=dict(s.region_playlists or {}),
            date_from=s.date_from,
            date_until=s.date_until,
            daypart_start=s.daypart_start,
            daypart_end=s.daypart_end,
            rrule=s.rrule,
            exdates=tuple(s.exdates or ()),
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            targets=_rules(s.targets),
            org_unit_id=s.org_unit_id,
        )
    return snaps


def load_emergencies(
    session: Session, since: datetime | None, ids: Collection[int] | None = None
) -> dict[int, EmergencySnap]:
    """Emergencies by id, in id order (all, or the given ids), leaving out those over before ``since``."""
    stmt = select(Emergency).options(selectinload(Emergency.targets)).order_by(Emergency.id)
    if since is not None:
        stmt = stmt.where(Emergency.expires_at > since, or_(Emergency.ended_at.is_(None), Emergency.ended_at > since))
    if ids is not None:
        stmt = stmt.where(Emergency.id.in_(list(ids)))
    snaps = {}
    for e in session.scalars(stmt):
        end = e.effective_end
        data = {
            "id": e.id,
            "title": e.title,
            "body": e.body,
            "severity": e.severity,
            "starts_at": iso(e.starts_at),
            "expires_at": iso(end),
        }
        snaps[e.id] = EmergencySnap(e.id, e.severity, e.starts_at, end, data, _rules(e.targets), e.org_unit_id)
    return snaps


def load_layouts(session: Session, ids: Collection[int] | None = None) -> dict[int, LayoutSnap]:
    """Layouts by id (all, or the given ids that exist)."""
    stmt = select(Layout).options(selectinload(Layout.regions))
    if ids is not None:
        stmt = stmt.where(Layout.id.in_(list(ids)))
    layouts = {}
    for layout in session.scalars(stmt):
        regions = [
            {"name": r.name, "widget": r.widget, "x": r.x, "y": r.y, "w": r.w, "h": r.h, "z": r.z}
            for r in layout.regions
        ]
        data = {"id": layout.id, "name": layout.name, "background": layout.background, "regions": regions}
        snaps = tuple(RegionSnap(r.name, r.playlist_id) for r in layout.regions)
        layouts[layout.id] = LayoutSnap(layout.id, snaps, data)
    return layouts


_FAIR_LOAD = selectinload(JobFair.booths).selectinload(FairBooth.positions).selectinload(FairPosition.vacancy)


def _live_rows(
    session: Session, model: type[ContentItem], since: datetime | None, ids: Collection[int] | None, *load: Any
) -> Sequence[Any]:
    stmt = select(model).where(model.status == ItemStatus.PUBLISHED.value).order_by(model.id).options(*load)
    if since is not None:
        stmt = stmt.where(or_(model.valid_until.is_(None), model.valid_until > since))
    if ids is not None:
        stmt = stmt.where(model.id.in_(list(ids)))
    return session.scalars(stmt).all()


def _snap(row: ContentItem, data: dict[str, Any], **filters: Any) -> ItemSnap:
    return ItemSnap(
        row.id,
        f"{row.kind}:{row.id}",
        row.kind,
        row.org_unit_id,
        row.valid_from,
        row.valid_until,
        row.created_at,
        data,
        filters,
    )


def load_items(session: Session, since: datetime | None, ids: Collection[int] | None = None) -> dict[int, ItemSnap]:
    """Published items of every kind by id (all, or the given ids), leaving out those over before ``since``."""
    items: dict[int, ItemSnap] = {}
    vacancies = _live_rows(session, Vacancy, since, ids)
    badges = fair_badges(session, [v.id for v in vacancies])  # 招聘会 · booth (content.library.fairs.data)
    for v in vacancies:
        data = {
            "kind": v.kind,
            "id": v.id,
            "title": v.title,
            "employer": v.employer.name,
            "occupation_code": v.occupation_code,
            "headcount": v.headcount,
            "salary": v.salary_text,
            "salary_min": v.salary_min,
            "salary_max": v.salary_max,
            "education": v.education,
            "district": v.district,
            "requirements": v.requirements,
            "contact": v.contact,
            "valid_until": iso(v.valid_until) if v.valid_until else None,
        }
        if v.id in badges:
            data["fairs"] = badges[v.id]
        items[v.id] = _snap(
            v,
            data,
            occupation_code=v.occupation_code,
            district=v.district,
            salary=v.salary_max if v.salary_max is not None else (v.salary_min or 0),
        )
    for n in _live_rows(session, PolicyNotice, since, ids):
        data = {
            "kind": n.kind,
            "id": n.id,
            "title": n.title,
            "topic": n.topic,
            "html": n.body_html,
            "issuing_office": n.issuing_office,
            "effective_date": n.effective_date.isoformat() if n.effective_date else None,
        }
        items[n.id] = _snap(n, data, topic=n.topic)
    for m in _live_rows(session, Media, since, ids):
        data = {
            "kind": m.kind,
            "id": m.id,
            "title": m.title,
            "media_type": m.media_type,
            "mime": m.mime,
            "url": f"/media/{m.sha256}",
            "sha256": m.sha256,
            "duration": m.duration_seconds,
        }
        items[m.id] = _snap(m, data)
    for t in _live_rows(session, Ticker, since, ids):
        items[t.id] = _snap(t, {"kind": t.kind, "id": t.id, "text": t.title})
    for g in _live_rows(session, ServiceGuide, since, ids):
        items[g.id] = _snap(g, guide_data(g), category=g.category)
    for c in _live_rows(session, TrainingCourse, since, ids):
        items[c.id] = _snap(c, course_data(c), district=c.district, starts_on=c.starts_on.isoformat())
    for w in _live_rows(session, WebPage, since, ids):
        if not w.host_blocked:  # its host left the allow-list: not shown (content.library.widgets.host_checks)
            items[w.id] = _snap(w, webpage_data(w))
    for f in _live_rows(session, DataFeed, since, ids):
        if not f.host_blocked:
            items[f.id] = _snap(f, feed_data(f))
    fairs = _live_rows(session, JobFair, since, ids, _FAIR_LOAD)
    for f in fairs:
        items[f.id] = _snap(f, fair_data(f), starts_at=iso(f.starts_at), vacancy_ids=tuple(fair_vacancy_ids(f)))
    for d in _live_rows(session, Document, since, ids):
        items[d.id] = _snap(d, document_data(d))
    return items


def load_contexts(session: Session, screen_ids: Sequence[int] | None = None) -> list[ScreenContext]:
    """ScreenContexts for the given screens (all screens when None), in screen id order."""
    rows = session.execute(select(OrgUnit.id, OrgUnit.parent_id))
    parents: dict[int, int | None] = {node: parent for node, parent in rows}
    halls = {hid: (org, tz) for hid, org, tz in session.execute(select(Hall.id, Hall.org_unit_id, Hall.timezone))}
    screens = select(Screen.id, Screen.hall_id).where(Screen.retired_at.is_(None)).order_by(Screen.id)  # live only
    groups_q = select(screen_group_members.c.screen_id, screen_group_members.c.group_id)
    tags_q = select(ScreenTag.screen_id, ScreenTag.tag)
    if screen_ids is not None:
        wanted = list(screen_ids)
        screens = screens.where(Screen.id.in_(wanted))
        groups_q = groups_q.where(screen_group_members.c.screen_id.in_(wanted))
        tags_q = tags_q.where(ScreenTag.screen_id.in_(wanted))
    groups: dict[int, set[int]] = {}
    for sid, gid in session.execute(groups_q):
        groups.setdefault(sid, set()).add(gid)
    tags: dict[int, set[str]] = {}
    for sid, tag in session.execute(tags_q):
        tags.setdefault(sid, set()).add(tag)
    paths: dict[int, tuple[int, ...]] = {}

    def path_of(node: int) -> tuple[int, ...]:
        # Walk parent ids rather than trusting the denormalised ``path`` column.
        if node not in paths:
            chain = [node]
            while (parent := parents.get(chain[-1])) is not None and parent not in chain:
                chain.append(parent)
            paths[node] = tuple(reversed(chain))
        return paths[node]

    packs = {hall: pack.index_sha256 for hall, pack in current_packs(session).items()}
    voices = all_settings(session, None if screen_ids is None else list(screen_ids))

    def pack_of(hall_id: int) -> str | None:
        return packs.get(hall_id) or packs.get(None)

    contexts = []
    for sid, hall_id in session.execute(screens):
        org, tz = halls[hall_id]
        contexts.append(
            ScreenContext(
                screen_id=sid,
                hall_id=hall_id,
                org_unit_id=org,
                org_path=path_of(org),
                group_ids=frozenset(groups.get(sid, ())),
                tags=frozenset(tags.get(sid, ())),
                timezone=tz,
                voice=voice_key(voice_entry(pack_of(hall_id), voices.get(sid, VoiceSettings()))),
            )
        )
    return contexts
