"""The demo: seed the database once, then reuse it; print where to look; leave the demo cards for the agent."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import func, select

from content import outbox
from content.citizens.demo_backend import DemoPerson
from content.citizens.demo_histories import DemoProfile
from content.demo.accounts import DEMO_CONSOLE_PASSWORD
from content.demo.places import TAG_QUEUE
from content.demo.queue import DEMO_STAFF_PASSWORD, staff_username
from content.org.screens import Screen
from content.org.tree import Hall
from content.queue.models import ServiceType
from kiosk_server.database import database
from kiosk_server.demo_card_reader import DemoCardReader
from kiosk_server.records_backends import records_key
from kiosk_server.settings_access import settings

DEMO_CARDS_FILE: Final = "demo-cards.json"

KIND_LABELS = {
    "wall": "大屏 wall",
    "kiosk": "触摸屏 kiosk",
    "counter": "窗口屏 counter",
    "evaluator": "评价器 evaluator",
}


def ensure_demo_data(app: Flask) -> bool:
    """Seed the demo world into an empty database; returns True if it seeded, False if it reused data.

    Either way ``<data_dir>/demo-cards.json`` lists the demo people's cards for the demo agent.
    """
    from content.demo import DEFAULT_RNG_SEED, drop_stale_histories, seed_demo, seed_histories, seed_people
    from content.demo.accounts import seed_console_accounts
    from content.demo.evaluations import seed_evaluations
    from content.demo.queue import seed_morning, seed_queues
    from content.demo.seed import drop_histories_without_registrations
    from kiosk_server.certificate_signing import signing_key
    from kiosk_server.hall_seals import ensure_demo_trust

    db = database(app)
    cfg = settings(app)
    key = records_key(cfg.secret_key)
    today = datetime.now(ZoneInfo(cfg.default_timezone)).date()
    with db.session() as session:
        seeded = not session.scalar(select(func.count()).select_from(Hall))
        if seeded:
            seed_demo(session, today=today, records_key=key)
            outbox.add_event(session, "content", kind="demo", action="seeded")
        elif not session.scalar(select(func.count()).select_from(DemoPerson)):
            seed_people(session, DEFAULT_RNG_SEED, key, today=today)  # a demo database from before the records backend
        elif (
            drop_stale_histories(session, today=today)
            or drop_histories_without_registrations(session)
            or not session.scalar(select(func.count()).select_from(DemoProfile))
        ):
            # Histories from an earlier month (or a database from before them or registrations): as of today.
            seed_histories(session, DEFAULT_RNG_SEED, today=today)
        if not session.scalar(select(func.count()).select_from(ServiceType)):
            seed_queues(session, session.scalars(select(Hall).order_by(Hall.id)))  # from before the queue
        seed_console_accounts(session)  # once: a database from before the console gets them too
        now = datetime.now(ZoneInfo(cfg.default_timezone))
        for hall in session.scalars(select(Hall).order_by(Hall.id)):
            seed_morning(session, hall, now)
        seed_evaluations(session, now)  # 好差评: evaluators at two counters and two weeks of ratings, once
        ensure_demo_trust(session, signing_key(cfg.secret_key), now)  # the 参保证明's seal and signature
        session.commit()
    write_demo_cards(cfg.data_dir / DEMO_CARDS_FILE, DEFAULT_RNG_SEED)
    return seeded


def write_demo_cards(path: Path, rng_seed: int) -> None:
    """The synthetic people's card data (raw numbers, from the generator, never from the database), mode 0600."""
    from content.demo import card_holder_json, demo_card_holders

    text = json.dumps([card_holder_json(p) for p in demo_card_holders(rng_seed)], ensure_ascii=False, indent=1)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # O_CREAT's mode only applies to a new file
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


def ensure_demo_feed(app: Flask, port: int) -> None:
    """The demo's data feed reads this server's own notices RSS (content/demo/widgets.py), on ``port``."""
    from content.demo.widgets import seed_demo_feed

    with database(app).session() as session:
        seed_demo_feed(session, f"http://127.0.0.1:{port}", datetime.now(ZoneInfo(settings(app).default_timezone)))
        session.commit()


def print_demo_banner(app: Flask, seeded: bool, host: str, port: int, reader: DemoCardReader | None = None) -> None:
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
        queue_walls = {s.id for s in screens if TAG_QUEUE in s.tags}
        for screen in screens:  # the first wall of every hall, the queue walls, one kiosk, one counter strip
            if screen.id in queue_walls:
                picked.append(screen)
            elif screen.kind == "wall" and screen.hall_id in walls_of:
                walls_of.discard(screen.hall_id)
                picked.append(screen)
            elif screen.kind != "wall" and all(p.kind != screen.kind for p in picked):
                picked.append(screen)
        for screen in picked:
            label = KIND_LABELS.get(screen.kind, screen.kind)
            lines.append(f"  {label:<18} {base}/screen/{screen.key}   {halls[screen.hall_id]} · {screen.name}")
    with database(app).session() as session:
        first_hall = session.scalar(select(Hall).order_by(Hall.id))
    if first_hall is not None:
        lines += [
            f"  窗口叫号 counter page: {base}/counter   用户 user {staff_username(first_hall.id)} · "
            f"密码 password {DEMO_STAFF_PASSWORD}   (demo only; counter<hall id> for the other halls)",
        ]
    lines += [
        f"  管理控制台 console:    {base}/console   用户 user admin (或 shengting · bianji · shenhe · dating · "
        f"yunwei) · 密码 password {DEMO_CONSOLE_PASSWORD}   (demo only)",
        f"  API description:      {base}/api/v1/openapi.json",
        f"  API token:            {cfg.api_token}",
        f"  health:               {base}/healthz",
        f"  demo cards (synthetic people, for the demo agent): {cfg.data_dir / DEMO_CARDS_FILE}",
    ]
    if reader is not None:
        lines += [
            f"  模拟读卡器 card reader: {reader.page_url}   放卡/取卡 and its slip printer for {reader.kiosk_label}",
            f"    (open the kiosk at {base}/screen/{reader.kiosk_key} next to it)",
        ]
    lines += [
        "  (Ctrl+C stops the server; run the same command again to reuse the data)",
        "",
    ]
    print("\n".join(lines), flush=True)
