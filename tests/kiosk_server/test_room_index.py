"""Each socket's rooms are indexed, so a disconnect leaves exactly its rooms without looking through all."""

from __future__ import annotations

from typing import Any

import pytest
import socketio

from kiosk_server.room_index import IndexedManager

NS = "/screen"


class CountingRooms(dict[Any, Any]):
    """A namespace's rooms that count how often a disconnect looks through them."""

    scans = 0

    def items(self) -> Any:
        CountingRooms.scans += 1
        return super().items()

    def copy(self) -> Any:
        CountingRooms.scans += 1
        return super().copy()


def connected(manager: socketio.Manager, count: int) -> list[str]:
    """``count`` screens, each in its own room, its screen's, its hall's (one in ten) and a group's."""
    sids = []
    for n in range(count):
        sid = manager.connect(f"eio-{n}", NS)
        for room in (f"screen:{n}", f"hall:{n // 10}", "group:g-1"):
            manager.enter_room(sid, NS, room)
        sids.append(sid)
    return sids


@pytest.mark.parametrize("manager_class", [IndexedManager, socketio.Manager])
def test_a_disconnect_leaves_exactly_the_sockets_rooms(manager_class: type[socketio.Manager]) -> None:
    manager = manager_class()
    manager.set_server(socketio.Server())
    manager.initialize()
    sids = connected(manager, 30)
    manager.leave_room(sids[5], NS, "group:g-1")  # a room left before: no harm at disconnect
    manager.disconnect(sids[5], NS)
    rooms = manager.rooms[NS]
    assert "screen:5" not in rooms and sids[5] not in rooms
    assert sids[5] not in rooms["hall:0"] and sids[5] not in rooms[None]
    assert set(rooms["group:g-1"]) == set(sids) - {sids[5]}
    assert set(rooms["hall:0"]) == {sids[n] for n in range(10) if n != 5}
    for sid in sids:
        if sid != sids[5]:
            manager.disconnect(sid, NS)
    assert NS not in manager.rooms, "the last disconnect leaves no empty room behind"


def test_disconnecting_does_not_look_through_every_room() -> None:
    manager = IndexedManager()
    manager.set_server(socketio.Server())
    manager.initialize()
    sids = connected(manager, 50)
    manager.rooms[NS] = CountingRooms(manager.rooms[NS])
    CountingRooms.scans = 0
    for sid in sids:
        manager.disconnect(sid, NS)
    assert CountingRooms.scans == 0
