"""Every console page, on the demo world with something on each page: the visible-words and axe tests.

``seed_console_demo`` adds to the zh-CN demo world what a hall that has run for a while holds: audit
entries of every shape (made by the code that writes them where that is cheap, otherwise with the
exact summary those callers write), reader statuses with faults, proof-of-play tallies, a media item.
``console_page_urls`` enumerates the app's ``console.*`` GET routes and fills their arguments from
that world, so a page added later is checked without touching the tests.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts import audit
from content.accounts.staff import StaffAccount
from content.citizens.kiosk_agents import ReaderKind, ReaderReport, ReaderState, set_reader_status
from content.citizens.records import CardSource
from content.citizens.sessions import agent_actor
from content.demo import seed_demo
from content.demo.accounts import DEMO_CONSOLE_PASSWORD, seed_console_accounts
from content.demo.evaluations import seed_evaluations
from content.library.fairs.job_fairs import JobFair
from content.library.guides.service_guides import ServiceGuide
from content.library.items import Media, PolicyNotice, Ticker, Vacancy
from content.library.training.courses import TrainingCourse
from content.library.widgets.data_feeds import DataFeed
from content.library.widgets.documents import Document
from content.library.widgets.web_pages import WebPage
from content.org.screens import Screen, ScreenGroup
from content.org.tree import Hall
from content.signage.layouts import Layout
from content.signage.playlists import Playlist
from content.signage.proof_of_play import Play, record_plays
from content.signage.schedules import Schedule
from kiosk_server.api._crud import change_summary

ADMIN: Final = "admin"  # the demo's system admin: sees every page and every row
PASSWORD: Final = DEMO_CONSOLE_PASSWORD

# Routes that answer with something other than a page (an image, JSON for a page's script): not read as text.
NOT_PAGES: Final = frozenset({"console.device_screenshot", "console.device_commands", "console.seal_png"})
# Routes a signed-in account is sent away from (the sign-in form, shown only when signed out).
SIGNED_OUT_ONLY: Final = frozenset({"console.login"})


@dataclass(frozen=True)
class SeededIds:
    kiosk_id: int
    vacancy_id: int


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


def seed_console_demo(session: Session, *, today: date, now: datetime, media_dir: Path) -> SeededIds:
    """The demo world with its console accounts and a history on every page (committed)."""
    seed_demo(session, today=today)
    seed_console_accounts(session)
    seed_evaluations(session, now)  # 好差评: ratings and follow-ups on the statistics and follow-up pages
    session.flush()
    hall = session.scalars(select(Hall).order_by(Hall.id)).first()
    assert hall is not None
    kiosk = session.scalars(select(Screen).where(Screen.kind == "kiosk").order_by(Screen.id)).first()
    wall = session.scalars(select(Screen).where(Screen.kind == "wall").order_by(Screen.id)).first()
    vacancy = session.scalars(select(Vacancy).order_by(Vacancy.id)).first()
    assert kiosk is not None and wall is not None and vacancy is not None

    data = _picture()
    digest = hashlib.sha256(data).hexdigest()
    media_dir.mkdir(parents=True, exist_ok=True)
    (media_dir / digest).write_bytes(data)
    session.add(
        Media(
            org_unit_id=hall.org_unit_id,
            title="大厅导览图",
            media_type="image",
            mime="image/png",
            sha256=digest,
            size_bytes=len(data),
        )
    )
    document = Document(org_unit_id=hall.org_unit_id, title="就业政策解读", sha256="0" * 64, size_bytes=2048)
    document.page_mime, document.page_width, document.page_height = "image/png", 64, 48
    document.page_hashes = [digest, digest]  # a PDF's pages (kiosk_server/pdf_pages.py), here the same picture twice
    session.add(document)
    session.add(  # 网页 and 信息源 (issue 23): one whose framing was refused, one whose last fetch failed
        WebPage(
            org_unit_id=hall.org_unit_id,
            title="网上办事大厅",
            url="https://www.mohrss.gov.cn/",
            frame_status="refuses",
            frame_detail="X-Frame-Options: DENY",
            probed_at=now,
        )
    )
    session.add(
        DataFeed(
            org_unit_id=hall.org_unit_id,
            title="人社新闻",
            url="https://www.mohrss.gov.cn/rss.xml",
            entries=[{"title": "就业服务月启动", "summary": "", "date": now.isoformat(), "link": ""}],
            fetched_at=now,
            attempted_at=now,
            last_error="html_not_feed",
            last_error_detail="the URL returned a web page (text/html), not RSS",
        )
    )

    set_reader_status(
        session,
        kiosk.id,
        ReaderReport("idcard-0", ReaderKind.IDCARD_SERIAL, ReaderState.FAULT, "bad frame", "protocol_error", 3),
        now,
    )
    set_reader_status(session, kiosk.id, ReaderReport("ssc-0", ReaderKind.SSC_PCSC, ReaderState.IDLE), now)
    set_reader_status(session, kiosk.id, ReaderReport("scan-0", ReaderKind.SCANNER_HID, ReaderState.DETACHED), now)
    record_plays(session, wall.id, [Play(vacancy.id, "vacancy", now - timedelta(hours=2), 300.0, 10)], now)

    path = hall.org_unit.path
    before = {"title": vacancy.title, "valid_until": "2026-12-31T16:00:00+00:00", "headcount": 3, "status": "draft"}
    after = {"title": vacancy.title + "（急聘）", "valid_until": "2027-01-15T16:00:00+00:00", "headcount": 5}
    after["status"] = "published"
    # kiosk_server/api/_crud.py: record_change
    for action, old, new in (("updated", before, after), ("created", None, after), ("deleted", before, None)):
        audit.record(
            session,
            actor="bianji",
            action=action,
            obj_kind="vacancy",
            obj_id=vacancy.id,
            summary=change_summary(old, new),
            org_path=path,
        )
    # kiosk_server/kiosk_api.py: _records; content/citizens/sessions.py: open_session
    audit.record(
        session,
        actor=agent_actor(kiosk.id),
        action="citizen_lookup.records",
        obj_kind="screen",
        obj_id=kiosk.id,
        summary={"session_id": 7, "outcome": "ok"},
        org_path=path,
    )
    audit.record(
        session,
        actor=agent_actor(kiosk.id),
        action="citizen_session.open",
        obj_kind="screen",
        obj_id=kiosk.id,
        summary={"source": CardSource.IDCARD.value, "reader_id": "idcard-0", "lookup": "records", "session_id": 7},
        org_path=path,
    )
    # kiosk_server/console/emergency_views.py: end; user_views.py: update; enrol_views.py: claim
    audit.record(
        session,
        actor="dating",
        action="ended",
        obj_kind="emergency",
        obj_id=3,
        summary={"changed": {"ended_at": [None, now.isoformat()]}},
        org_path=path,
    )
    audit.record(
        session,
        actor="admin",
        action="updated",
        obj_kind="account",
        obj_id=2,
        summary={"changed": {"role": ["editor", "approver"], "enabled": [True, False]}},
    )
    audit.record(
        session,
        actor="yunwei",
        action="enrolment.claimed",
        obj_kind="screen",
        obj_id=kiosk.id,
        summary={
            "code_id": 4,
            "replaced": False,
            "name": kiosk.name,
            "kind": kiosk.kind,
            "hall_id": hall.id,
            "size": f"{kiosk.width_px}x{kiosk.height_px}",
            "panel": kiosk.panel,
        },
        org_path=path,
    )
    # content/library/approval.py: _record
    audit.record(
        session,
        actor="shenhe",
        action="rejected",
        obj_kind="policy_notice",
        obj_id=9,
        summary={"title": "关于做好2026年就业补贴申领的通知", "from": "in_review", "to": "draft", "reason": "附件缺失"},
        org_path=path,
    )
    session.commit()
    return SeededIds(kiosk_id=kiosk.id, vacancy_id=vacancy.id)


def _first(model: Any, *where: Any) -> Callable[[Session], int | None]:
    def find(session: Session) -> int | None:
        found: int | None = session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))
        return found

    return find


# A route argument → the row of the seeded world it names.
ARGUMENTS: Final[dict[str, Callable[[Session], int | None]]] = {
    "group_id": _first(ScreenGroup),
    "hall_id": _first(Hall),
    "layout_id": _first(Layout),
    "media_id": _first(Media),
    "document_id": _first(Document),
    "notice_id": _first(PolicyNotice),
    "playlist_id": _first(Playlist),
    "schedule_id": _first(Schedule),
    "screen_id": _first(Screen, Screen.kind == "kiosk"),  # the kiosk: it has readers and remote care
    "ticker_id": _first(Ticker),
    "account_id": _first(StaffAccount),
    "vacancy_id": _first(Vacancy),
    "course_id": _first(TrainingCourse),
    "fair_id": _first(JobFair),
    "guide_id": _first(ServiceGuide),
    "page_id": _first(WebPage),
    "feed_id": _first(DataFeed),
}


def console_page_urls(app: Flask, session: Session) -> dict[str, str]:
    """endpoint → URL of every console page (GET, answering HTML), arguments filled from the seeded world."""
    urls: dict[str, str] = {}
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint in NOT_PAGES | SIGNED_OUT_ONLY:
            continue
        values: dict[str, Any] = {}
        for name in sorted(rule.arguments):
            assert name in ARGUMENTS, f"{rule.rule}: say in tests/support/console_pages.py which row {name} names"
            found = ARGUMENTS[name](session)
            assert found is not None, f"{rule.rule}: the seeded world has no row for {name}"
            values[name] = found
        urls[rule.endpoint] = adapter.build(rule.endpoint, values)
    return urls
