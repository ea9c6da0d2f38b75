"""Errors raised by the domain: one root, specific subclasses that say what to fix."""

from __future__ import annotations


class ContentError(Exception):
    """Root of every error the content package raises."""


class ValidationError(ContentError):
    """One or more fields are invalid; ``errors`` maps a field name to a message a person can act on."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotFound(ContentError):
    """A referenced object does not exist."""

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident!r} not found")
        self.kind = kind
        self.ident = ident
