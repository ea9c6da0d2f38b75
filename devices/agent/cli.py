"""``kiosk agent`` (``python -m devices.agent``): run the device agent from its configuration file."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from devices.agent.config import DEFAULT_PATH, AgentConfigError, load_agent_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk agent", description="Kiosk device agent: card readers and scanners")
    parser.add_argument(
        "--config",
        default=os.environ.get("KIOSK_AGENT_CONFIG", str(DEFAULT_PATH)),
        help=f"the agent's TOML file (default {DEFAULT_PATH}, or KIOSK_AGENT_CONFIG)",
    )
    parser.add_argument("--check", action="store_true", help="check the configuration file and exit")
    parser.add_argument("--log-level", default=None, help="override agent.log_level")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_agent_config(args.config)
    except AgentConfigError as err:
        print(f"configuration error in {args.config}: {err}", file=sys.stderr)
        return 2
    if args.check:
        print(
            f"{args.config}: ok (server {config.server_url}, {len(config.serial_readers)} fixed serial reader(s), "
            f"{len(config.scanners)} fixed scanner(s), hotplug {'on' if config.hotplug else 'off'}, "
            f"PC/SC {'on' if config.pcsc else 'off'})"
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
