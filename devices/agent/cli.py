"""``kiosk agent`` (``python -m devices.agent``): run the device agent from its configuration file."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from devices.agent.config import DEFAULT_PATH, AgentConfig, AgentConfigError, load_agent_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk agent", description="Kiosk device agent: card readers and scanners")
    parser.add_argument(
        "--config",
        default=os.environ.get("KIOSK_AGENT_CONFIG", str(DEFAULT_PATH)),
        help=f"the agent's TOML file (default {DEFAULT_PATH}, or KIOSK_AGENT_CONFIG)",
    )
    parser.add_argument("--check", action="store_true", help="check the configuration file and exit")
    parser.add_argument("--log-level", default=None, help="override agent.log_level")
    diagnose = parser.add_argument_group("diagnostics (docs/devices.md, 'Diagnostics on the kiosk')")
    diagnose.add_argument(
        "--list-readers",
        action="store_true",
        help="list serial, PC/SC, HID and evdev devices and configured readers, with the driver that takes each, "
        "and the configured printers with their state",
    )
    diagnose.add_argument(
        "--probe",
        action="store_true",
        help="with --list-readers: ask configured serial readers for their SAM and open vendor libraries' readers "
        "(stop the agent first: two programs on one port garble each other)",
    )
    diagnose.add_argument(
        "--test-read", action="store_true", help="wait for one card or scan, print its kind and masked fields, time it"
    )
    diagnose.add_argument("--timeout", type=float, default=30.0, help="seconds --test-read waits (default 30)")
    diagnose.add_argument("--json", action="store_true", help="print diagnostics as JSON")
    return parser


def _list_readers(config: AgentConfig | None, problem: str, args: argparse.Namespace) -> int:
    from devices.agent.diagnostics import list_readers

    listing = list_readers(config, probe=args.probe)
    if problem:
        listing.notes.insert(0, f"configuration not used ({problem}): configured readers are not listed")
    if args.json:
        print(json.dumps(listing.payload(), ensure_ascii=False, indent=2))
        return 0
    for c in listing.candidates:
        usb_id = f"{c.vendor}:{c.product}" if c.vendor else "-"
        print(f"{c.bus:8} {c.node:40} {usb_id:10} {c.driver or '(none)':14} {c.why}")
    if not listing.candidates:
        print("no reader candidates found")
    for note in listing.notes:
        print(f"note: {note}")
    return 0


def _test_read(config: AgentConfig, args: argparse.Namespace) -> int:
    from devices.agent.diagnostics import read_once

    def status(line: str) -> None:
        if not args.json:
            print(f"reader {line}", flush=True)

    if not args.json:
        print(f"waiting up to {args.timeout:g} s for a card or a scan ...", flush=True)
    report = read_once(config, args.timeout, on_status=status)
    if report is None:
        if args.json:
            print(json.dumps({"read": None, "timeout_seconds": args.timeout}))
        else:
            print(f"nothing was read within {args.timeout:g} s")
        return 1
    if args.json:
        print(json.dumps({"read": report.payload()}, ensure_ascii=False, indent=2))
        return 0
    timing = f"read in {report.read_ms:.0f} ms" if report.read_ms is not None else "read time not measurable"
    print(f"{report.kind} on {report.reader_id}: {timing}, after waiting {report.waited_ms / 1000:.1f} s")
    for key, value in report.fields.items():
        print(f"  {key}: {value}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_agent_config(args.config)
    except AgentConfigError as err:
        if args.list_readers:  # a technician may list readers before the file is written
            return _list_readers(None, str(err), args)
        print(f"configuration error in {args.config}: {err}", file=sys.stderr)
        return 2
    if args.list_readers or args.test_read:
        logging.basicConfig(level=(args.log_level or "ERROR").upper(), format="%(levelname)s %(name)s: %(message)s")
        return _list_readers(config, "", args) if args.list_readers else _test_read(config, args)
    if args.check:
        print(
            f"{args.config}: ok (server {config.server_url}, {len(config.serial_readers)} fixed serial reader(s), "
            f"{len(config.scanners)} fixed scanner(s), {len(config.vendor_readers)} vendor-library reader(s), hotplug {'on' if config.hotplug else 'off'}, "
            f"PC/SC {'on' if config.pcsc else 'off'}, {len(config.printers)} printer(s))"
        )
        return 0
    logging.basicConfig(
        level=(args.log_level or config.log_level).upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    from devices.agent.supervisor import Agent

    agent = Agent(config)
    done = threading.Event()

    def _stop(_signum: int, _frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    agent.start()
    try:
        done.wait()
    finally:
        agent.stop()
    return 0
