"""Socket.IO packets whose JSON is written once: a manifest event's text is not encoded again per emit.

python-socketio encodes an event at every emit: it walks the whole argument looking for bytes (a
list made and reduced at every level) and then ``json.dumps`` it. A plain manifest (a county
hall's, every screen of a small world) is thousands of values, and the same version goes to its
group's room at each change and to every screen's hello and beat one emit at a time: in the
fan-out benchmark that walk and dump were a sixth of the server's CPU (docs/benchmarks.md,
"Fan-out"). The manifest's canonical JSON is already written (its version is a hash of it), so
``EncodedObject`` carries the event's text beside the mapping, and ``Packet`` (the server's
``serializer``) uses it as it is. Anything else is encoded by python-socketio as before.
"""

from __future__ import annotations

import json
from typing import Any

from socketio import packet as socketio_packet


class EncodedObject(dict[str, Any]):
    """A JSON object together with its encoding, for an event argument sent many times.

    The mapping is what Python readers of the data see (the message queue's note of the newest
    manifest, tests, the Redis channel's JSON); ``text`` is what goes on the wire. Built once and
    never changed: nothing keeps the two in step after construction.
    """

    __slots__ = ("text",)

    def __init__(self, fields: dict[str, Any], text: str) -> None:
        super().__init__(fields)
        self.text = text


class Packet(socketio_packet.Packet):
    """python-socketio's packet, sending an ``EncodedObject`` argument's text instead of encoding it."""

    @classmethod
    def data_is_binary(cls, data: Any) -> bool:
        if type(data) is EncodedObject:
            return False  # JSON text holds no bytes: no walk through the mapping
        return bool(super().data_is_binary(data))

    def encode(self) -> Any:
        data = self.data
        if self.packet_type != socketio_packet.EVENT or self.id is not None or not _encoded_argument(data):
            return super().encode()
        namespace = self.namespace
        head = str(socketio_packet.EVENT)
        if namespace is not None and namespace != "/":
            head += namespace + ","
        return head + "[" + json.dumps(data[0]) + "," + data[1].text + "]"


def _encoded_argument(data: Any) -> bool:
    """Whether an event's data is its name and one argument, an ``EncodedObject``."""
    return type(data) is list and len(data) == 2 and type(data[1]) is EncodedObject
