"""The HTTP server of ``kiosk serve``: one file descriptor per websocket, and its port taken before anything starts.

Each screen's websocket is served by simple-websocket (python-engineio's choice when gevent-websocket
is not installed), which takes the connection's socket out of the WSGI environ. Under gevent's own
pywsgi server it finds the socket only inside ``wsgi.input`` and ``dup()``s it, because pywsgi keeps
owning, and in the end closing, the original: every screen then holds two descriptors for as long as
it stays connected, and a process under the common soft limit of 1,024 stops at about 500 screens.
Under gunicorn it finds ``environ["gunicorn.socket"]``, uses that socket as it is, and when the
websocket has ended tells the server so by raising ``StopIteration``. ``OneDescriptorHandler`` offers
the socket the same way and closes the connection on that signal, so ``kiosk serve`` holds one
descriptor per screen, as ``gunicorn -k gevent`` does (docs/deployment.md, "Limits and capacity of
one process").
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from gevent import pywsgi


class PortUnavailable(Exception):
    """The address to serve on cannot be had; the message says why and what to do."""


class OneDescriptorHandler(pywsgi.WSGIHandler):
    """pywsgi's handler, lending the connection's own socket to a websocket instead of a duplicate."""

    def get_environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environ()
        # The key simple-websocket looks for first; plain HTTP requests never read it.
        environ["gunicorn.socket"] = self.socket
        return environ

    def run_application(self) -> None:
        try:
            super().run_application()
        except StopIteration:
            # The websocket that took the connection over has ended and closed the socket: nothing more
            # to read or answer on it (without this, pywsgi would log a traceback and try a 500).
            self.close_connection = True


def gevent_server(app: Any, host: str, port: int) -> pywsgi.WSGIServer:
    """A gevent server for ``app`` already bound to ``host:port``; raises PortUnavailable when it cannot be."""
    server = pywsgi.WSGIServer((host, port), app, handler_class=OneDescriptorHandler, log=None)
    try:
        server.init_socket()  # binds now, so a taken port is refused before the publisher or anything starts
    except OSError as err:
        raise PortUnavailable(_why(err, host, port)) from err
    return server


def check_port(host: str, port: int) -> None:
    """Raise PortUnavailable unless ``host:port`` can be listened on now (for the threading server, which binds later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: a TIME_WAIT is no conflict
        try:
            probe.bind((host, port))
            probe.listen(1)
        except OSError as err:
            raise PortUnavailable(_why(err, host, port)) from err


def _why(err: OSError, host: str, port: int) -> str:
    if err.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is in use (another kiosk serve, or another program: ss -ltnp 'sport = :{port}'); "
            "stop it or choose another --port"
        )
    if err.errno == errno.EACCES:
        return f"may not listen on port {port} on {host}: ports below 1024 need root or CAP_NET_BIND_SERVICE"
    if err.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: no network interface of this machine has that address; check --host"
    return f"cannot listen on port {port} on {host}: {err.strerror or err}"
