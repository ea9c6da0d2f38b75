"""The demo: seed the database once, then reuse it; print where to look."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select

from content import outbox
from content.org import Hall
from content.screens import Screen

from kiosk_server.database import database
from kiosk_server.settings_access import settings

KIND_LABELS = {"wall": "大屏 wall", "kiosk": "触摸屏 kiosk", "counter": "窗口屏 counter"}


def ensure_demo_data(app: Flask) -> bool:
    """Seed the demo world into an empty database; returns True if it seeded, False if it reused data."""
    from content.demo import seed_demo

    db = database(app)
    with db.session() as session:
        if session.scalar(select(func.count()).select_from(Hall)):
            return False
        today = datetime.now(ZoneInfo(settings(app).default_timezone)).date()
        seed_demo(session, today=today)
        outbox.add_event(session, "content", kind="demo", action="seeded")
        session.commit()
    return True


def print_demo_banner(app: Flask, seeded: bool, host: str, port: int) -> None:
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    base = f"http://{shown_host}:{port}"
    cfg = settings(app)
    with database(app).session() as session:
        screens: list[Any] = list(session.scalars(select(Screen).order_by(Screen.hall_id, Screen.id)))
        halls = {h.id: h.name for h in session.scalars(select(Hall))}
        lines = [
            "",
            "演示已就绪 · demo ready" + ("（已生成演示数据）" if seeded else f"（沿用 {cfg.data_dir} 中的数据）"),
            f"  首页 start page:      {base}/",
        ]
        picked: list[Any] = []
        walls_of = {s.hall_id for s in screens if s.kind == "wall"}
        for screen in screens:  # the first wall of every hall, one kiosk, one counter strip
            if screen.kind == "wall" and screen.hall_id in walls_of:
                walls_of.discard(screen.hall_id)
                picked.append(screen)
            elif screen.kind != "wall" and all(p.kind != screen.kind for p in picked):
                picked.append(screen)
        for screen in picked:
            label = KIND_LABELS.get(screen.kind, screen.kind)
            lines.append(f"  {label:<18} {base}/screen/{screen.key}   {halls[screen.hall_id]} · {screen.name}")
    lines += [
        f"  API description:      {base}/api/v1/openapi.json",
        f"  API token:            {cfg.api_token}",
        f"  health:               {base}/healthz",
        "  (Ctrl+C stops the server; run the same command again to reuse the data)",
        "",
    ]
    print("\n".join(lines), flush=True)
