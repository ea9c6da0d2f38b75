"""The demo's card reader: a child process running the real kiosk agent against a simulated ID reader.

``kiosk demo`` issues a fresh agent credential for the first demo kiosk on every start (the old one
is revoked, so a credential never outlives its run) and starts ``python -m devices.simulators.demo_agent`` with
it in the environment, never on the command line. The child is a separate process because the
server package never imports ``devices``; it exits when the server does (it watches its parent).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Final

from flask import Flask
from sqlalchemy import select

from content.accounts import audit
from content.citizens.kiosk_agents import issue_agent_credential
from content.org.screens import Screen, ScreenKind
from content.org.tree import Hall
from kiosk_server.database import database
from kiosk_server.records_backends import agent_credential_key
from kiosk_server.settings_access import settings

PAGE_PORT_TRIES: Final = 20


@dataclass
class DemoCardReader:
    """The running child: its page's address, and the kiosk it reads for."""

    process: subprocess.Popen[bytes]
    page_url: str
    kiosk_key: str
    kiosk_label: str

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def demo_kiosk(app: Flask) -> tuple[str, str] | None:
    """The key and a label of the kiosk the demo card reader serves: the first kiosk, as in the banner."""
    with database(app).session() as session:
        row = session.execute(
            select(Screen.key, Screen.name, Hall.name)
            .join(Hall, Hall.id == Screen.hall_id)
            .where(Screen.kind == ScreenKind.KIOSK.value)
            .order_by(Screen.hall_id, Screen.id)
            .limit(1)
        ).first()
    return None if row is None else (row[0], f"{row[2]} · {row[1]}")


def _issue_credential(app: Flask, kiosk_key: str) -> str:
    with database(app).session() as session:
        screen = session.scalar(select(Screen).where(Screen.key == kiosk_key))
        assert screen is not None
        credential = issue_agent_credential(session, screen, agent_credential_key(settings(app).secret_key))
        audit.record(
            session,
            actor="demo",
            action="agent_credential.issued",
            obj_kind="screen",
            obj_id=screen.id,
            summary={"why": "demo card reader started"},
        )
        session.commit()
    return credential


def free_page_port(host: str, first: int) -> int:
    """``first`` if nothing listens there, else the next free one (the page is for a person, any port will do)."""
    for port in range(first, first + PAGE_PORT_TRIES):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def start_demo_card_reader(app: Flask, server_port: int, cards_file: str) -> DemoCardReader | None:
    """Start the card simulator and agent for the demo kiosk; None when the demo has no kiosk."""
    kiosk = demo_kiosk(app)
    if kiosk is None:
        return None
    key, label = kiosk
    credential = _issue_credential(app, key)
    page_host = "127.0.0.1"  # the simulator page presents cards: never on a public interface
    page_port = free_page_port(page_host, server_port + 1)
    env = {
        **os.environ,
        "KIOSK_AGENT_CREDENTIAL": credential,
        "KIOSK_LOG_LEVEL": os.environ.get("KIOSK_LOG_LEVEL", "WARNING"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devices.simulators.demo_agent",
            "--server",
            f"http://127.0.0.1:{server_port}",
            "--device",
            key,
            "--cards",
            cards_file,
            "--host",
            page_host,
            "--port",
            str(page_port),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
    )
    return DemoCardReader(process, f"http://{page_host}:{page_port}/", key, label)
