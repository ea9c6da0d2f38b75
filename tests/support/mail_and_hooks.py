"""Real local receivers for the alert channels: an HTTP server that keeps POSTed JSON, a small SMTP server.

The SMTP server speaks enough of RFC 5321 for ``smtplib`` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT) over a real socket, and, when given a certificate and a login, STARTTLS (RFC 3207) and
AUTH PLAIN (RFC 4954) after it; it answers 502 to anything else, so a client asking for what it does
not offer fails loudly. aiosmtpd is not installed here. ``self_signed`` makes a certificate for
127.0.0.1 with the openssl command.
"""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import ssl
import subprocess
import threading
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def self_signed(directory: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, valid for a day."""
    cert, key = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


class HookServer:
    """Keeps every JSON body POSTed to it; answers ``status`` (200 unless told otherwise)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                length = int(self.headers.get("Content-Length", "0"))
                hook.bodies.append(json.loads(self.rfile.read(length).decode("utf-8")))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts?token=secret-in-url"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class SmtpServer:
    """Keeps every message delivered to it as (sender, recipients, parsed message), and every login tried."""

    def __init__(self, tls: tuple[Path, Path] | None = None, login: tuple[str, str] | None = None) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []
        self.logins: list[tuple[str, str, bool]] = []  # (user, password, over TLS)
        smtp = self
        context = None
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self._say("220 localhost test SMTP")
                sender, recipients, secure = "", [], False
                while line := self.rfile.readline():
                    verb, _, arg = line.decode("ascii", "replace").rstrip("\r\n").partition(" ")
                    verb = verb.upper()
                    if verb == "EHLO":
                        offers = ["STARTTLS"] if context is not None and not secure else []
                        offers += ["AUTH PLAIN"] if login is not None and (secure or context is None) else []
                        lines = ["localhost", *offers]  # the greeting first, then one extension a line
                        for n, text in enumerate(lines):
                            self._say(f"250{' ' if n == len(lines) - 1 else '-'}{text}")
                    elif verb == "HELO":
                        self._say("250 localhost")
                    elif verb == "STARTTLS" and context is not None and not secure:
                        self._say("220 go ahead")
                        self.connection = context.wrap_socket(self.connection, server_side=True)
                        self.rfile = self.connection.makefile("rb")
                        self.wfile = self.connection.makefile("wb")
                        secure = True
                    elif verb == "AUTH" and login is not None and arg.upper().startswith("PLAIN "):
                        _, user, password = base64.b64decode(arg.split(" ", 1)[1]).decode("utf-8").split("\0")
                        smtp.logins.append((user, password, secure))
                        self._say("235 accepted" if (user, password) == login else "535 wrong")
                    elif verb == "MAIL":
                        sender, recipients = arg.partition(":")[2].strip().strip("<>").split(">")[0], []
                        self._say("250 OK")
                    elif verb == "RCPT":
                        recipients.append(arg.partition(":")[2].strip().strip("<>"))
                        self._say("250 OK")
                    elif verb == "DATA":
                        self._say("354 end with <CRLF>.<CRLF>")
                        smtp.messages.append((sender, recipients, message_from_bytes(self._data())))
                        self._say("250 OK queued")
                    elif verb in ("RSET", "NOOP"):
                        self._say("250 OK")
                    elif verb == "QUIT":
                        self._say("221 bye")
                        return
                    else:
                        self._say("502 not implemented")

            def _data(self) -> bytes:
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)  # undo dot-stuffing
                return b"".join(lines)

            def _say(self, text: str) -> None:
                self.wfile.write(text.encode("ascii") + b"\r\n")
                self.wfile.flush()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            address_family = socket.AF_INET

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
