"""Socket.IO client managers that know each socket's rooms, so a disconnect costs its rooms, not all rooms.

python-socketio 5 finds the rooms of a disconnecting socket by looking through every room of the
namespace (``BaseManager.basic_disconnect``). A screen sits in four rooms (its own, the screen's,
its hall's and its group's), so at 5,000 screens a namespace holds about 5,400 rooms, and a hall
network's blip that drops 5,000 screens costs 27 million lookups: measured with py-spy, most of the
serving core for many seconds while the same screens reconnect (docs/benchmarks.md, "Fan-out").
``IndexedRooms`` keeps, per socket, the rooms it entered, and leaves exactly those.
"""

from __future__ import annotations

from typing import Any

from kiosk_server.fan_out import FanOutManager
from kiosk_server.manifest_pushes import ManifestPushes


class IndexedRooms:
    """Mixin for a python-socketio manager: rooms entered are indexed by socket; disconnect uses the index.

    (mypy cannot see the manager a mixin's ``super()`` reaches: hence the ignores below.)
    """

    rooms: dict[str, dict[Any, Any]]
    callbacks: dict[str, Any]
    pending_connect: dict[str, list[str]]
    pending_disconnect: dict[str, list[str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: Any = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)  # type: ignore[misc]
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        held = self._rooms_of.get((namespace, sid))
        if held is not None:
            held.discard(room)
            if not held:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        # What BaseManager.basic_disconnect does, but leaving the socket's own rooms from the index.
        for room in list(self._rooms_of.pop((namespace, sid), ())):
            super().basic_leave_room(sid, namespace, room)  # type: ignore[misc]
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]


class IndexedManager(ManifestPushes, IndexedRooms, FanOutManager):
    """The in-process manager (one process, no message queue), with indexed rooms."""

    def emit(self, event: Any, data: Any, namespace: Any, room: Any = None, **kwargs: Any) -> Any:
        self.note_delivery(event, data)
        return super().emit(event, data, namespace, room=room, **kwargs)
