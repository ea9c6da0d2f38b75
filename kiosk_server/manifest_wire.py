"""How a group's manifest goes on the wire: the ``manifest`` event's data, built once per version."""

from __future__ import annotations

from typing import Any

from kiosk_server.manifests import Snapshot


def manifest_message(snap: Snapshot, group: str) -> Any:
    """The data of the ``manifest`` event carrying ``group``'s manifest in ``snap`` (docs/protocol.md §3)."""
    return snap.payload(group)
