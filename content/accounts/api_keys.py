"""Named API keys: a secret shown once, kept as a keyed hash, confined to a scope and an org node or hall.

A key is what an integration (a hall's queuing vendor, a city's content feed) presents instead of
the one bootstrap token that can change the whole province. Its ``scope`` says what it may do and
its node (or hall) where:

- ``read``: read everything in the node's subtree, change nothing;
- ``content``: read and change content (items, layouts, playlists, schedules, emergencies as
  proposals) in the node's subtree; policy notices go through review like an editor's;
- ``queue_ingest``: send queue events for its one hall, and nothing else;
- ``full``: everything, everywhere (created by system administrators only).

The secret is ``hsk_<id>_<random>``: the id finds the row, the random part is checked against an
HMAC-SHA256 under a key derived from the server secret (the caller passes it), so a copy of the
database does not give anyone a working key. ``last_used_at`` moves at most once a minute per key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import ForeignKey, String, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from content.accounts import audit
from content.accounts.access import AccessDenied, Permission, Scope, may, scope_of
from content.accounts.staff import Role, StaffAccount
from content.db import Base, utcnow
from content.errors import NotFound, ValidationError
from content.org.tree import Hall, OrgUnit

PREFIX: Final = "hsk_"
LAST_USED_EVERY: Final = timedelta(minutes=1)  # at most one write per key per minute
NAME_MAX: Final = 60
_NAME: Final = re.compile(r"^[\w.\-]{1,60}$")
_SECRET: Final = re.compile(r"^hsk_(\d{1,10})_([A-Za-z0-9_\-]{20,100})$")


class KeyScope(StrEnum):
    READ = "read"
    CONTENT = "content"
    QUEUE_INGEST = "queue_ingest"
    FULL = "full"


class ApiKey(Base):
    """A named API key; the secret itself is never stored, only ``secret_hash``."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_accounts.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(80))  # the user name (kept when the account goes), or "cli"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(random_part: str, key: bytes) -> str:
    return hmac.new(key, random_part.encode("ascii"), hashlib.sha256).hexdigest()


def scope_of_key(session: Session, api_key: ApiKey) -> Scope:
    """Where the key may act: its hall, its node's subtree, or (full) everywhere."""
    if KeyScope(api_key.scope) is KeyScope.FULL:
        return Scope(None)
    if api_key.hall_id is not None:
        hall = session.get(Hall, api_key.hall_id)
        return Scope(hall.org_unit.path if hall else "/nowhere/", hall_id=hall.id if hall else -1)
    unit = session.get(OrgUnit, api_key.org_unit_id) if api_key.org_unit_id is not None else None
    return Scope(unit.path if unit else "/nowhere/")


def may_manage_keys(account: StaffAccount | None) -> bool:
    """System and org administrators manage keys (the CLI, ``account`` None, acts as the system)."""
    return account is None or (may(account, Permission.MANAGE_USERS) and account.active)


def create_key(
    session: Session,
    *,
    name: str,
    scope: KeyScope | str,
    key: bytes,
    creator: StaffAccount | None,
    org_unit_id: int | None = None,
    hall_id: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its secret (shown once). ``creator`` None is the command line (a system administrator)."""
    try:
        kind = KeyScope(scope)
    except ValueError as err:
        raise ValidationError.single("scope", f"unknown scope {scope!r}; use {', '.join(KeyScope)}") from err
    name = name.strip()
    if not _NAME.match(name):
        raise ValidationError.single("name", "1–60 letters, digits, '.', '-' or '_'")
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
        raise ValidationError.single("name", f"a key named {name!r} exists already")
    if not may_manage_keys(creator):
        raise AccessDenied("only system and org administrators manage API keys")
    own = Scope(None) if creator is None else scope_of(session, creator)
    hall = session.get(Hall, hall_id) if hall_id is not None else None
    unit = session.get(OrgUnit, org_unit_id) if org_unit_id is not None else None
    if hall_id is not None and hall is None:
        raise ValidationError.single("hall", f"no hall with id {hall_id}")
    if org_unit_id is not None and unit is None:
        raise ValidationError.single("node", f"no org unit with id {org_unit_id}")
    if kind is KeyScope.FULL:
        if creator is not None and Role(creator.role) is not Role.SYSTEM_ADMIN:
            raise AccessDenied("only system administrators create full keys")
        hall, unit = None, None
    elif kind is KeyScope.QUEUE_INGEST:
        if hall is None:
            raise ValidationError.single("hall", "a queue ingest key belongs to one hall: name it")
        if not own.covers_hall(hall):
            raise AccessDenied(f"hall {hall.id} lies outside your part of the org tree")
        unit = hall.org_unit
    else:
        if hall is not None:
            unit = hall.org_unit
            hall = None
        if unit is None:
            raise ValidationError.single("node", "a read or content key is confined to an org node: name it")
        if not own.covers_unit(unit):
            raise AccessDenied(f"org unit {unit.id} lies outside your part of the org tree")
    row = ApiKey(
        name=name,
        scope=kind.value,
        org_unit_id=unit.id if unit else None,
        hall_id=hall.id if hall else None,
        secret_hash="",
        created_by_id=creator.id if creator else None,
        created_by=creator.username if creator else "cli",
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    random_part = secrets.token_urlsafe(30)
    row.secret_hash = _hash(random_part, key)
    return row, f"{PREFIX}{row.id}_{random_part}"


def looks_like_key(token: str) -> bool:
    return token.startswith(PREFIX)


def verify_key(session: Session, token: str, key: bytes) -> ApiKey | None:
    """The active key whose secret is ``token``, or None (malformed, unknown, wrong or revoked)."""
    match = _SECRET.match(token)
    if match is None:
        return None
    presented = _hash(match.group(2), key)  # before the lookup: every refusal costs about the same
    row = session.get(ApiKey, int(match.group(1)))
    if row is None or not hmac.compare_digest(presented, row.secret_hash) or row.revoked_at is not None:
        return None
    return row


def note_use(session: Session, api_key: ApiKey, now: datetime) -> bool:
    """Move ``last_used_at`` if it is a minute old or more (one conditional UPDATE); True when it moved.

    The caller commits. Concurrent requests race harmlessly: the condition lets one of them win.
    """
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_EVERY:
        return False
    result = session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == api_key.id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire(api_key, ["last_used_at"])
    return bool(getattr(result, "rowcount", 0))


def visible_keys(session: Session, account: StaffAccount | None) -> list[ApiKey]:
    """The keys an administrator may see (those placed in their subtree); all for the CLI."""
    rows = list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.name)))
    if account is None:
        return rows
    own = scope_of(session, account)
    return [row for row in rows if _covers(session, own, row)]


def _covers(session: Session, own: Scope, row: ApiKey) -> bool:
    if own.everything:
        return True
    if KeyScope(row.scope) is KeyScope.FULL:
        return False
    unit = session.get(OrgUnit, row.org_unit_id) if row.org_unit_id is not None else None
    return unit is not None and own.covers_unit(unit)


def find_key(session: Session, account: StaffAccount | None, name: str) -> ApiKey:
    """The key named ``name`` that ``account`` may manage; NotFound otherwise (also outside their subtree)."""
    row = session.scalar(select(ApiKey).where(ApiKey.name == name.strip()))
    if row is None or not may_manage_keys(account) or row not in visible_keys(session, account):
        raise NotFound("API key", name)
    return row


def revoke(session: Session, row: ApiKey, now: datetime | None = None) -> bool:
    """Revoke the key at once; False when it already was."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    return True


def key_org_path(session: Session, row: ApiKey) -> str | None:
    """Where the key sits in the org tree, for the audit log's subtree filter."""
    unit = session.get(OrgUnit, row.org_unit_id) if row.org_unit_id is not None else None
    return unit.path if unit else None


def audit_created(session: Session, row: ApiKey, actor: str) -> None:
    """Record that ``actor`` (a console account or ``cli``) created ``row``; never the secret."""
    audit.record(
        session,
        actor=actor,
        action="api_key.created",
        obj_kind="api_key",
        obj_id=row.id,
        summary={
            "after": {"name": row.name, "scope": row.scope, "org_unit_id": row.org_unit_id, "hall_id": row.hall_id}
        },
        org_path=key_org_path(session, row),
    )


def audit_revoked(session: Session, row: ApiKey, actor: str) -> None:
    """Record that ``actor`` revoked ``row``."""
    audit.record(
        session,
        actor=actor,
        action="api_key.revoked",
        obj_kind="api_key",
        obj_id=row.id,
        summary={"before": {"name": row.name, "scope": row.scope}},
        org_path=key_org_path(session, row),
    )
