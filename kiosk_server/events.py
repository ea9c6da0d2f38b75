"""Socket.IO namespace and event names, shared with display_client/static/js/events.js (a test compares them)."""

from typing import Final

SCREEN_NAMESPACE: Final = "/screen"

HELLO: Final = "hello"
WELCOME: Final = "welcome"
MANIFEST: Final = "manifest"
HEARTBEAT: Final = "heartbeat"


def group_room(group: str) -> str:
    return f"group:{group}"


def screen_room(screen_id: int) -> str:
    return f"screen:{screen_id}"
