"""The ``kiosk`` command: serve, demo, db upgrade, token, agent-credential, accounts, api-keys, agent,
provision, doctor, voice-pack.

Nothing heavy is imported at module level: under gevent the monkey patch must come first.
``kiosk agent`` hands over to the kiosk device agent (``python -m devices.agent``) and ``kiosk provision``
and ``kiosk doctor`` to the field-tech tool (``python -m provisioning``), without importing them: the
server package never imports ``devices`` or ``provisioning``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from kiosk_server import accounts_cli, api_keys_cli, signing_key_cli, voice_pack_cli


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
        if name == "demo":
            cmd.add_argument(
                "--no-card-reader",
                action="store_true",
                help="do not start the simulated card reader and agent for the demo kiosk",
            )
    db = sub.add_parser("db", help="database schema")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("token", help="print the API bearer token")
    cred = sub.add_parser(
        "agent-credential", help="issue a kiosk's device agent credential (printed once; revokes the previous one)"
    )
    cred.add_argument("screen_key", help="the screen key of the kiosk")
    accounts_cli.add_parser(sub)
    api_keys_cli.add_parser(sub)
    voice_pack_cli.add_parser(sub)
    signing_key_cli.add_parser(sub)
    agent = sub.add_parser(
        "agent", add_help=False, help="run the kiosk device agent (python -m devices.agent); arguments go to it"
    )
    agent.add_argument("agent_args", nargs=argparse.REMAINDER, help="arguments of the device agent")
    for name, help_text in HANDED_OVER.items():
        handed = sub.add_parser(name, add_help=False, help=f"{help_text} (python -m provisioning {name})")
        handed.add_argument("tool_args", nargs=argparse.REMAINDER, help=f"arguments of kiosk {name}")
    return parser


# Commands of the field-tech tool: ``kiosk <name> …`` runs ``python -m provisioning <name> …``.
HANDED_OVER = {
    "provision": "set up this box as a kiosk or display: enrol, install, check (as root)",
    "doctor": "check this box: server, clock, TLS, display, readers, sound, disk, services",
}


def _exec_provisioning(command: str, args: Sequence[str]) -> int:
    """Replace this process with the field-tech tool (its exit status and Ctrl-C are its own)."""
    os.execv(sys.executable, [sys.executable, "-m", "provisioning", command, *args])
    return 1  # not reached (execv raises OSError on failure)


def _exec_agent(args: Sequence[str]) -> int:
    """Replace this process with the device agent, so signals and the exit status are the agent's own."""
    os.execv(sys.executable, [sys.executable, "-m", "devices.agent", *args])
    return 1  # not reached (execv raises OSError on failure)


def _async_mode_for(command: str) -> str:
    explicit = os.environ.get("KIOSK_ASYNC_MODE")
    if explicit:
        return explicit
    return "gevent" if command in {"serve", "demo"} else "threading"


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    if raw[:1] == ["agent"]:
        # Everything after "agent" is the agent's, options included (argparse would claim those).
        return _exec_agent(raw[1:])
    if raw[:1] and raw[0] in HANDED_OVER:
        return _exec_provisioning(raw[0], raw[1:])
    args = _parser().parse_args(raw)
    mode = _async_mode_for(args.command)
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif mode == "eventlet":
        print("warning: eventlet is deprecated upstream and unsupported by psycopg 3; use gevent", file=sys.stderr)

    import logging

    from kiosk_server.config import ConfigError
    from kiosk_server.data_dir import UnwritableDirectory

    logging.basicConfig(
        level=os.environ.get("KIOSK_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return _run(args, mode)
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    except UnwritableDirectory as err:  # a full disk or read-only mount: one line, not a traceback
        print(f"kiosk {args.command}: {err}", file=sys.stderr)
        return 2


def _run(args: Any, mode: str) -> int:
    from kiosk_server import create_app
    from kiosk_server.config import load_settings
    from kiosk_server.database import database, upgrade_schema

    if args.command == "token":
        print(load_settings().api_token)
        return 0
    if args.command == "agent-credential":
        return _agent_credential(args.screen_key)
    if args.command == "api-keys":
        return api_keys_cli.run(args)
    if args.command == "accounts":
        return accounts_cli.run(args)
    if args.command == "voice-pack":
        return voice_pack_cli.run(args)
    if args.command == "signing-key":
        return signing_key_cli.run(args)
    overrides: dict[str, Any] = {"async_mode": mode}
    if args.command == "demo":
        overrides["public_index"] = True  # the demo's start page links every screen
        if "KIOSK_WIDGET_HOSTS" not in os.environ:  # the demo feed reads this server (content/demo/widgets.py)
            overrides["widget_hosts"] = "http://127.0.0.1"
    app = create_app(overrides)  # creates the keys in the data directory on first start
    if args.command in {"serve", "demo"}:
        _require_writable(app)
    engine = database(app).engine
    upgrade_schema(engine)
    if args.command == "db":
        print("schema is at the newest revision")
        return 0
    if args.command != "demo":
        return _serve(app, args.host, args.port)
    from kiosk_server.data_dir import writing_to
    from kiosk_server.demo import DEMO_CARDS_FILE, ensure_demo_data, ensure_demo_feed, print_demo_banner
    from kiosk_server.demo_card_reader import start_demo_card_reader
    from kiosk_server.settings_access import settings

    with writing_to(settings(app).data_dir):
        seeded = ensure_demo_data(app)
        ensure_demo_feed(app, args.port)
        from kiosk_server.voice_store import ensure_default

        with database(app).session() as session:  # the voice pack, made once (docs/deployment.md, "Voice pack")
            ensure_default(session, settings(app).data_dir)
    reader = None
    if not args.no_card_reader:
        reader = start_demo_card_reader(app, args.port, str(settings(app).data_dir / DEMO_CARDS_FILE))
    print_demo_banner(app, seeded, args.host, args.port, reader)
    try:
        return _serve(app, args.host, args.port, "demo")
    finally:
        if reader is not None:
            reader.stop()


def _require_writable(app: Any) -> None:
    """Refuse to serve from directories that cannot be written: reads would work, every save would fail."""
    from kiosk_server.data_dir import directories, probe
    from kiosk_server.settings_access import settings

    cfg = settings(app)
    for directory in directories(cfg.data_dir, cfg.database_url):
        probe(directory)


def _agent_credential(screen_key: str) -> int:
    from sqlalchemy import select

    from content.accounts import audit
    from content.citizens.kiosk_agents import NotAKiosk, issue_agent_credential
    from content.org.screens import Screen
    from kiosk_server import create_app
    from kiosk_server.database import database, upgrade_schema
    from kiosk_server.records_backends import agent_credential_key
    from kiosk_server.settings_access import settings

    app = create_app({"async_mode": "threading"})
    db = database(app)
    upgrade_schema(db.engine)
    with db.session() as session:
        screen = session.scalar(select(Screen).where(Screen.key == screen_key))
        if screen is None:
            print(
                "no screen has that key (the key is the last part of the screen's /screen/<key> address)",
                file=sys.stderr,
            )
            return 2
        try:
            credential = issue_agent_credential(session, screen, agent_credential_key(settings(app).secret_key))
        except NotAKiosk as err:
            print(f"cannot issue an agent credential: {err}", file=sys.stderr)
            return 2
        audit.record(
            session, actor="cli", action="agent_credential.issued", obj_kind="screen", obj_id=screen.id, summary={}
        )
        session.commit()
        name = screen.name
    print(f"agent credential for kiosk {name!r} (shown once; issuing another revokes it):", file=sys.stderr)
    print(credential)
    return 0


def _serve(app: Any, host: str, port: int, command: str = "serve") -> int:
    from kiosk_server import garbage_collection, open_files
    from kiosk_server.http_server import PortUnavailable, check_port, gevent_server
    from kiosk_server.settings_access import runtime

    rt = runtime(app)
    gevent_mode = rt.socketio.async_mode == "gevent"
    try:  # the port first: a server on a taken port must not start publishing, only say so
        server = gevent_server(app, host, port) if gevent_mode else None  # our own: one descriptor per websocket
        if server is None:
            check_port(host, port)
    except PortUnavailable as err:
        print(f"kiosk {command}: {err}", file=sys.stderr)
        return 2
    open_files.report(open_files.raise_to_hard_limit())
    garbage_collection.freeze_startup_objects()
    rt.start()
    try:
        if server is not None:
            _serve_gevent(rt, server)
        else:
            _serve_threading(rt, app, host, port)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        rt.stop()
    return 0


def _serve_gevent(rt: Any, server: Any) -> None:
    import signal

    import gevent

    def _stop() -> None:
        rt.stop()
        server.stop()  # serve_forever() then returns

    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, _stop)
    server.serve_forever()


def _serve_threading(rt: Any, app: Any, host: str, port: int) -> None:
    import signal

    def _stop(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    rt.socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    raise SystemExit(main())
