"""``kiosk voice-pack build``: generate the default voice pack with espeak-ng into the data directory.

Run once at install (docs/deployment.md, "Voice pack"); running it again makes a new default pack
(the newest wins). Only ``add_parser`` runs for every ``kiosk`` command, so it imports nothing heavy.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(sub: Any) -> None:
    """Add ``voice-pack`` and its actions to the ``kiosk`` command's subparsers."""
    pack = sub.add_parser("voice-pack", help="the recorded call segments screens play (voice pack)")
    actions = pack.add_subparsers(dest="action", required=True)
    build = actions.add_parser("build", help="generate the default pack with espeak-ng (voice cmn)")
    build.add_argument("--espeak", help="path of the espeak-ng binary (default: from PATH)")


def run(args: argparse.Namespace) -> int:
    """Build the default pack against the configured database (upgraded first)."""
    from kiosk_server import create_app
    from kiosk_server.database import database, upgrade_schema
    from kiosk_server.settings_access import settings
    from kiosk_server.voice_store import SpeechEngineMissing, build_default

    app = create_app({"async_mode": "threading"})
    db = database(app)
    upgrade_schema(db.engine)
    with db.session() as session:
        try:
            pack = build_default(session, settings(app).data_dir, args.espeak)
        except SpeechEngineMissing as err:
            print(f"kiosk voice-pack build: {err}", file=sys.stderr)
            return 2
        session.commit()
        print(f"default voice pack {pack.index_sha256[:16]} built with espeak-ng", file=sys.stderr)
    return 0
