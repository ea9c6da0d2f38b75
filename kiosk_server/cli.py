"""The ``kiosk`` command: serve, demo, db upgrade, token.

Nothing heavy is imported at module level: under gevent the monkey patch must come first.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Hall signage and self-service kiosk server")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("serve", "run the server (gevent unless KIOSK_ASYNC_MODE says otherwise)"),
        ("demo", "create and seed a demo database under KIOSK_DATA_DIR (reused if present) and serve it"),
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("--host", default=os.environ.get("KIOSK_HOST", "127.0.0.1"))
        cmd.add_argument("--port", type=int, default=int(os.environ.get("KIOSK_PORT", "8000")))
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("token", help="print the API bearer token")
    return parser


def _async_mode_for(command: str) -> str:
    explicit = os.environ.get("KIOSK_ASYNC_MODE")
    if explicit:
        return explicit
    return "gevent" if command in {"serve", "demo"} else "threading"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    mode = _async_mode_for(args.command)
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif mode == "eventlet":
        print("warning: eventlet is deprecated upstream and unsupported by psycopg 3; use gevent",
              file=sys.stderr)

    import logging

    from kiosk_server.config import ConfigError

    logging.basicConfig(level=os.environ.get("KIOSK_LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return _run(args, mode)
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2


def _run(args: Any, mode: str) -> int:
    from kiosk_server import create_app
    from kiosk_server.config import load_settings
    from kiosk_server.database import database, upgrade_schema

    if args.command == "token":
        print(load_settings().api_token)
        return 0
    overrides: dict[str, Any] = {"async_mode": mode}
    if args.command == "demo":
        overrides["public_index"] = True  # the demo's start page links every screen
    app = create_app(overrides)
    engine = database(app).engine
    upgrade_schema(engine)
    if args.command == "db":
        print("schema is at the newest revision")
        return 0
    if args.command == "demo":
        from kiosk_server.demo import ensure_demo_data, print_demo_banner

        summary = ensure_demo_data(app)
        print_demo_banner(app, summary, args.host, args.port)
    return _serve(app, args.host, args.port)


def _serve(app: Any, host: str, port: int) -> int:
    import signal

    from kiosk_server.settings_access import runtime

    rt = runtime(app)
    rt.start()
    if rt.socketio.async_mode == "gevent":
        import gevent

        def _stop_gevent() -> None:
            rt.stop()
            rt.socketio.stop()  # stops the gevent WSGI server; run() then returns

        for signum in (signal.SIGTERM, signal.SIGINT):
            gevent.signal_handler(signum, _stop_gevent)
    else:

        def _stop_thread(_signum: int, _frame: Any) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, _stop_thread)
    try:
        rt.socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        rt.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
