"""Room emits written once per websocket: one frame set built per emit, one write per screen.

python-socketio's manager sends an emit to each member of a room packet by packet, through the
server's, the Engine.IO server's and the socket's send: a deflated manifest (an event and its
binary attachment) is two writes per screen, and each write passes four layers of Python. Here
the emit's Engine.IO packets are framed once and written to each websocket served by
kiosk_server/direct_websocket.py in one go; any other socket (long-polling, or a websocket that
upgraded from it) is sent to as upstream does. Both managers (the in-process one and the Redis
one, whose local deliveries call the emit of the class after it) sit on ``FanOutManager``.
"""

from __future__ import annotations

from typing import Any

import socketio
from engineio import packet as engine_packet
from socketio import packet as socketio_packet

from kiosk_server.direct_websocket import send_to_each


class FanOutManager(socketio.Manager):
    """python-socketio's in-process manager whose emits without a callback go out through ``send_to_each``."""

    server: Any

    def emit(self, event: Any, data: Any, namespace: Any, room: Any = None, **kwargs: Any) -> Any:
        skip_sid, callback, to = kwargs.get("skip_sid"), kwargs.get("callback"), kwargs.get("to")
        if callback is not None:  # a packet per recipient, each with its own ack id: upstream's way
            return super().emit(event, data, namespace, room=room, **kwargs)
        room = to or room
        if namespace not in self.rooms:
            return None
        # The arguments as upstream takes them: a tuple is several, None none, anything else one.
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skipped = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(socketio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        packets = [
            engine_packet.Packet(engine_packet.MESSAGE, part)
            for part in (encoded if isinstance(encoded, list) else [encoded])
        ]
        recipients = [eio_sid for sid, eio_sid in self.get_participants(namespace, room) if sid not in skipped]
        send_to_each(self.server.eio, recipients, packets, self.server._send_eio_packet)
        return None
