"""Test-data factories for the content tests: an in-memory database and rows with ``**overrides``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from content import models
from content.library.items import Employer, Media, PolicyNotice, Ticker, Vacancy
from content.org.screens import Screen, ScreenGroup
from content.org.tree import Hall, OrgUnit, add_org_unit
from content.signage.emergencies import Emergency
from content.signage.layouts import Layout, LayoutRegion
from content.signage.playlists import Playlist, PlaylistEntry
from content.signage.schedules import Schedule
from content.signage.targeting import Target

# A fixed creation stamp keeps manifests reproducible; tests that care about order override it.
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def new_session() -> Session:
    """A fresh in-memory database with every table, foreign keys enforced."""
    engine = create_engine("sqlite://")

    @event.listens_for(engine, "connect")
    def _fk_on(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    models.Base.metadata.create_all(engine)
    return Session(engine)


@dataclass
class OrgTree:
    """甘肃省 → 兰州市 → 城关区 → 东岗街道 → 雁南社区, plus 七里河区 (a sibling county) and 天水市."""

    province: OrgUnit
    city: OrgUnit
    county: OrgUnit
    street: OrgUnit
    community: OrgUnit
    sibling_county: OrgUnit
    other_city: OrgUnit


TargetSpec = tuple[str, str, object]  # (mode, kind, ref)


class Factory:
    """Builds rows in one session; every builder takes ``**overrides`` for any column."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._tree: OrgTree | None = None

    def _add(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()
        return obj

    def org_tree(self) -> OrgTree:
        if self._tree is None:
            s = self.session
            province = add_org_unit(s, name="甘肃省", level="province", division_code="620000")
            city = add_org_unit(s, name="兰州市", level="city", parent=province)
            county = add_org_unit(s, name="城关区", level="county", parent=city)
            street = add_org_unit(s, name="东岗街道", level="street", parent=county)
            community = add_org_unit(s, name="雁南社区", level="community", parent=street)
            sibling = add_org_unit(s, name="七里河区", level="county", parent=city)
            other_city = add_org_unit(s, name="天水市", level="city", parent=province)
            self._tree = OrgTree(province, city, county, street, community, sibling, other_city)
        return self._tree

    def hall(self, org_unit: OrgUnit | None = None, **overrides: Any) -> Hall:
        org = org_unit or self.org_tree().county
        fields = {"name": "城关区人力资源市场", "timezone": "Asia/Shanghai", "created_at": CREATED} | overrides
        return self._add(Hall(org_unit_id=org.id, **fields))

    def screen_group(self, org_unit: OrgUnit | None = None, **overrides: Any) -> ScreenGroup:
        org = org_unit or self.org_tree().province
        return self._add(ScreenGroup(org_unit_id=org.id, **({"name": "入口屏"} | overrides)))

    def screen(
        self,
        hall: Hall | None = None,
        *,
        tags: Sequence[str] = (),
        groups: Sequence[ScreenGroup] = (),
        **overrides: Any,
    ) -> Screen:
        hall = hall or self.hall()
        screen = Screen(hall_id=hall.id, **({"name": "大厅主屏", "created_at": CREATED} | overrides))
        screen.set_tags(list(tags))
        screen.groups = list(groups)
        return self._add(screen)

    def layout(
        self, org_unit: OrgUnit | None = None, *, regions: Sequence[dict[str, Any]] | None = None, **overrides: Any
    ) -> Layout:
        org = org_unit or self.org_tree().province
        layout = Layout(org_unit_id=org.id, **({"name": "大厅横屏", "background": "#0b1f3a"} | overrides))
        specs = (
            regions
            if regions is not None
            else [
                {"name": "main", "widget": "playlist", "x": 0.0, "y": 0.0, "w": 1.0, "h": 0.9, "z": 0},
                {"name": "ticker", "widget": "ticker", "x": 0.0, "y": 0.9, "w": 1.0, "h": 0.1, "z": 1},
            ]
        )
        layout.regions = [LayoutRegion(**spec) for spec in specs]
        return self._add(layout)

    def playlist(
        self, entries: Sequence[dict[str, Any]] = (), org_unit: OrgUnit | None = None, **overrides: Any
    ) -> Playlist:
        """``entries``: dicts of PlaylistEntry columns; ``item`` may be given as a row."""
        org = org_unit or self.org_tree().province
        playlist = Playlist(org_unit_id=org.id, **({"name": "岗位轮播"} | overrides))
        rows = []
        for position, spec in enumerate(entries):
            spec = dict(spec)
            item = spec.pop("item", None)
            if item is not None:
                spec["item_id"] = item.id
            rows.append(
                PlaylistEntry(**({"position": position, "kind": "item", "duration_seconds": 15, "params": {}} | spec))
            )
        playlist.entries = rows
        return self._add(playlist)

    @staticmethod
    def _targets(specs: Sequence[TargetSpec]) -> list[Target]:
        return [Target(mode=mode, kind=kind, ref=str(ref)) for mode, kind, ref in specs]

    def schedule(
        self,
        layout: Layout | None = None,
        *,
        targets: Sequence[TargetSpec] | None = None,
        playlists: dict[str, Playlist | None] | None = None,
        **overrides: Any,
    ) -> Schedule:
        """Defaults: scheduled layer, whole day, every day, targeting the whole province."""
        layout = layout or self.layout()
        specs = targets if targets is not None else [("include", "org", self.org_tree().province.id)]
        region_playlists = {name: (p.id if p else None) for name, p in (playlists or {}).items()}
        fields = {
            "name": "日常排期",
            "layer": "scheduled",
            "priority": 0,
            "enabled": True,
            "org_unit_id": self.org_tree().province.id,
            "region_playlists": region_playlists,
            "exdates": [],
            "created_at": CREATED,
        } | overrides
        schedule = Schedule(layout_id=layout.id, **fields)
        schedule.targets = self._targets(specs)
        return self._add(schedule)

    def emergency(self, *, targets: Sequence[TargetSpec] | None = None, **overrides: Any) -> Emergency:
        specs = targets if targets is not None else [("include", "org", self.org_tree().province.id)]
        fields = {
            "title": "暂停办理业务",
            "body": "系统升级，暂停办理",
            "severity": "critical",
            "org_unit_id": self.org_tree().province.id,
            "created_by": "admin",
            "created_at": CREATED,
            "starts_at": datetime(2026, 11, 22, 2, tzinfo=UTC),
            "expires_at": datetime(2026, 11, 22, 4, tzinfo=UTC),
        } | overrides
        emergency = Emergency(**fields)
        emergency.targets = self._targets(specs)
        return self._add(emergency)

    def employer(self, **overrides: Any) -> Employer:
        return self._add(Employer(**({"name": "兰州某某物流有限公司"} | overrides)))

    def _item_fields(self, org_unit: OrgUnit | None, overrides: dict[str, Any]) -> dict[str, Any]:
        org = org_unit or self.org_tree().province
        return {"org_unit_id": org.id, "status": "published", "created_at": CREATED, "updated_at": CREATED} | overrides

    def vacancy(self, org_unit: OrgUnit | None = None, **overrides: Any) -> Vacancy:
        employer = overrides.pop("employer", None) or self.employer()
        fields = {
            "title": "仓储物流专员",
            "occupation_code": "4-02-06-03",
            "headcount": 5,
            "salary_min": 4500,
            "salary_max": 6000,
            "education": "高中/中专",
            "district": "城关区",
            "contact": "0931-1234567",
        }
        return self._add(Vacancy(employer_id=employer.id, **(fields | self._item_fields(org_unit, overrides))))

    def notice(self, org_unit: OrgUnit | None = None, **overrides: Any) -> PolicyNotice:
        fields = {
            "title": "失业保险稳岗返还政策",
            "topic": "失业保险",
            "body_markdown": "稳岗",
            "body_html": "<p>稳岗</p>",
            "issuing_office": "省人社厅",
        }
        return self._add(PolicyNotice(**(fields | self._item_fields(org_unit, overrides))))

    def media(self, org_unit: OrgUnit | None = None, **overrides: Any) -> Media:
        fields = {
            "title": "社保卡宣传",
            "media_type": "image",
            "mime": "image/png",
            "sha256": "ab" * 32,
            "size_bytes": 1024,
            "duration_seconds": None,
        }
        return self._add(Media(**(fields | self._item_fields(org_unit, overrides))))

    def ticker(self, org_unit: OrgUnit | None = None, **overrides: Any) -> Ticker:
        fields = {"title": "请持社保卡到3号窗口办理"}
        return self._add(Ticker(**(fields | self._item_fields(org_unit, overrides))))
