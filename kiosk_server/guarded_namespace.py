"""The base of the ``/screen`` and ``/agent`` namespaces: a client's event never passes for a connect or a disconnect.

Flask-SocketIO's ``Namespace.trigger_event`` calls ``on_<event>`` for whatever name it is given, and
python-socketio gives it the server's own connect and disconnect and a client's events alike. A
client emitting an event named ``connect`` would run ``on_connect`` again (with a second argument,
as another screen or agent, joining that one's rooms); one named ``disconnect`` would drop its
connection from the connected set, and mark the screen offline, while its socket stays open. This
base lets through only the server's own calls, told apart by what a client cannot send.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from flask_socketio import Namespace

log = logging.getLogger(__name__)

# Socket.IO's reserved names: events of the connection itself, never of a client.
RESERVED: Final = frozenset({"connect", "disconnect", "connect_error"})


class GuardedNamespace(Namespace):
    def trigger_event(self, event: str, *args: Any) -> Any:
        """Dispatch to ``on_<event>``, except a reserved name that a client emitted as an event."""
        if event in RESERVED and not self._from_server(event, args):
            log.info("ignored a client event named %r on %s", event, self.namespace)
            return None
        return super().trigger_event(event, *args)

    def _from_server(self, event: str, args: tuple[Any, ...]) -> bool:
        server = self.socketio.server
        sid = args[0] if args else None
        if event == "connect":
            # The server passes the connection's WSGI environ itself; a client's JSON is never that object.
            return len(args) >= 2 and args[1] is server.get_environ(sid, self.namespace)
        if event == "disconnect":
            # The server marks a connection as leaving before it calls on_disconnect, and dispatches a
            # client's events only while it is fully connected.
            return not server.manager.is_connected(sid, self.namespace)
        return False  # connect_error exists only on the client side: the server never calls it
