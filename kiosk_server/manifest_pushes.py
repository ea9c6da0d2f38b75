"""The newest manifest revision this process has delivered to its rooms, so a hello can tell it missed one.

A hello reads what the screen lacks, then joins its group's room. A push to that room in between
(from this process's publisher, or from the leader's through Redis) reached the room without the
screen. Each manager notes a manifest's ``seq`` before it delivers it, so a hello that finds, after
joining, a noted revision newer than its snapshot knows a push may have passed it and checks again
(kiosk_server/screen_namespace.py: ``_join_group``). Nothing is read from the database for that.
"""

from __future__ import annotations

from typing import Any

from kiosk_server.events import MANIFEST


class ManifestPushes:
    """Mixin for a python-socketio manager: remembers the largest ``seq`` of a manifest it delivered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.newest_manifest_seq = 0

    def note_delivery(self, event: Any, data: Any) -> None:
        """Called before an event is delivered to this process's clients; ``data`` is the event's argument."""
        if event != MANIFEST or not isinstance(data, dict):
            return
        seq = data.get("seq")
        if isinstance(seq, int) and seq > self.newest_manifest_seq:
            self.newest_manifest_seq = seq
