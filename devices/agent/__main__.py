"""``python -m devices.agent``: run the kiosk device agent (what ``kiosk agent`` hands over to)."""

from devices.agent.cli import main

raise SystemExit(main())
