"""Choosing and building the records backend, and the citizen-session settings the server parts share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from content.citizens.certificates import PRINT_KEY_PURPOSE
from content.citizens.demo_backend import DemoRecords
from content.citizens.http_records import HttpRecords
from content.citizens.keyed_hash import derive_key
from content.citizens.records import RecordsBackend
from kiosk_server.config import Settings


def records_key(secret_key: str) -> bytes:
    """The key of the keyed hashes of ID and card numbers (and of the demo e-card tokens)."""
    return derive_key(secret_key, "records")


def agent_credential_key(secret_key: str) -> bytes:
    """The key of the keyed hashes of kiosk agent credentials."""
    return derive_key(secret_key, "agent-credentials")


@dataclass(frozen=True)
class CitizenPolicy:
    """How long citizen sessions last, who resolves cards, and the keys for both: read once from settings."""

    idle_seconds: int
    max_seconds: int
    sweep_seconds: float
    backend_name: str
    records_key: bytes = field(repr=False)
    credential_key: bytes = field(repr=False)
    certificate_print_key: bytes = field(repr=False)  # opens a kept certificate PDF for the kiosk's A4 printer
    http_url: str = ""
    http_auth_header: tuple[str, str] | None = field(default=None, repr=False)
    http_timeout_seconds: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> CitizenPolicy:
        return cls(
            idle_seconds=settings.citizen_session_idle_seconds,
            max_seconds=settings.citizen_session_max_seconds,
            sweep_seconds=settings.session_sweep_seconds,
            backend_name=settings.records_backend,
            records_key=records_key(settings.secret_key),
            credential_key=agent_credential_key(settings.secret_key),
            certificate_print_key=derive_key(settings.secret_key, PRINT_KEY_PURPOSE),
            http_url=settings.records_http_url,
            http_auth_header=settings.records_http_auth_header,
            http_timeout_seconds=settings.records_http_timeout_seconds,
        )

    def backend(self, session: Session, clock: Callable[[], datetime]) -> RecordsBackend:
        """The configured records backend, bound to ``session`` for one card read."""
        if self.backend_name == "demo":
            return DemoRecords(session, self.records_key, clock)
        if self.backend_name == "http":  # the upstream holds the records; the session is not needed
            return HttpRecords(self.http_url, self.http_auth_header, self.http_timeout_seconds, clock)
        raise ValueError(f"unknown records backend {self.backend_name!r}")  # settings refuse it first
