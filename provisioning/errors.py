"""The provisioning errors: one root, and the specific faults a technician can act on."""

from __future__ import annotations


class ProvisioningError(Exception):
    """Something stopped ``kiosk provision`` or ``kiosk doctor``; the message says what and what to do."""


class ServerUnreachable(ProvisioningError):
    """The server did not answer (DNS, refused, timeout, TLS) or answered with an unexpected status."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"cannot reach the server at {url}: {problem}")
        self.url = url
        self.problem = problem


class EnrolmentRefused(ProvisioningError):
    """The server ended the enrolment (the code was revoked, or its answer was already delivered)."""


class StateError(ProvisioningError):
    """The state file of a previous run is missing, unreadable or from an incompatible version."""


class KindMismatch(ProvisioningError):
    """``--kind`` disagrees with what the console enrolled the box as."""


class Interrupted(ProvisioningError):
    """Ctrl-C at a point where nothing had been changed yet."""
