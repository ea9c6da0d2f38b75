"""Staff accounts: who may sign in, with which role, where; passwords kept only as scrypt hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Final

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from content.accounts.email_addresses import MAX_LENGTH as MAX_EMAIL_LENGTH
from content.accounts.email_addresses import address_problem
from content.db import Base, utcnow
from content.errors import ContentError, ValidationError
from content.org.tree import Hall, OrgUnit


class Role(StrEnum):
    """What a person does; what each role may do is in ``content.accounts.access``."""

    SYSTEM_ADMIN = "system_admin"  # everything, everywhere
    ORG_ADMIN = "org_admin"  # manages the accounts below their org node
    EDITOR = "editor"  # content, layouts, playlists and schedules in their subtree
    APPROVER = "approver"  # reviews policy notices, sends emergencies, in their subtree
    HALL_MANAGER = "hall_manager"  # one hall: its screens, schedules, queue and emergencies
    COUNTER_STAFF = "counter_staff"  # one hall's counters
    FIELD_TECHNICIAN = "field_technician"  # enrolls and checks screens in their subtree


# Roles that belong to one hall; the others belong to an org node (the system admin to none: the whole tree).
HALL_ROLES: Final = frozenset({Role.HALL_MANAGER, Role.COUNTER_STAFF})


# scrypt at n=2**14, r=8, p=1: about 16 MiB and tens of milliseconds per check.
_N: Final = 2**14
_R: Final = 8
_P: Final = 1
MIN_PASSWORD_LENGTH: Final = 8
# After FREE_FAILURES wrong passwords in a row a name waits before its next check: 1 s, 2 s, 4 s, ...
# up to LONGEST_DELAY. Attempts while it waits are refused unchecked and do not count, so a stranger
# slows guessing but cannot keep the owner out once the wait is over (docs/security.md, "Sign-in").
FREE_FAILURES: Final = 5
LONGEST_DELAY: Final = timedelta(minutes=15)


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    # Where alert e-mails about the account's halls go (``content.signage.alerts.recipient_addresses``); optional.
    email: Mapped[str | None] = mapped_column(String(MAX_EMAIL_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    # The node whose subtree the account may see and change; for hall roles, the hall's node.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)  # wrong passwords in a row
    locked_until: Mapped[datetime | None]  # no password is checked before this instant (failure_delay)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Copied into every sign-in's cookie; raising it ends every session of the account (``end_sessions``).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:  # never the hash
        return f"StaffAccount(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class SignInRefused(ContentError):
    """Wrong name or password, a name that must wait, or a disabled account; the message is safe to show.

    ``reason`` is "wrong", "delayed" or "disabled", for pages that say it in another language.
    ``on_account`` says whether an account counted the failure; when it did not (no such name) the
    caller keeps the name's delay itself, so that unknown and known names are delayed alike. It is
    for the guard, never for the page.
    """

    def __init__(self, message: str, reason: str, *, on_account: bool = True) -> None:
        super().__init__(message)
        self.reason = reason
        self.on_account = on_account


class SignInDelayed(SignInRefused):
    """The name failed too often: no password is checked for it before ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__("登录尝试过于频繁，请稍后再试", "delayed")
        self.until = until


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 1024 * 1024
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


@cache
def _dummy_hash() -> str:
    """A hash no password matches, checked for unknown names so that they cost what a real check costs."""
    return hash_password(secrets.token_urlsafe(16))


def failure_delay(failures: int) -> timedelta:
    """How long a name waits after its ``failures``-th wrong password in a row (zero for the first few)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(LONGEST_DELAY, timedelta(seconds=2 ** min(failures - FREE_FAILURES, 30)))


def placement_errors(session: Session, role: Role, hall_id: int | None, org_unit_id: int | None) -> dict[str, str]:
    """Where an account of ``role`` may sit: hall roles in a hall, node roles on a node, the system admin nowhere."""
    errors: dict[str, str] = {}
    if role in HALL_ROLES:
        if hall_id is None:
            errors["hall_id"] = "this role belongs to a hall: choose one"
        elif session.get(Hall, hall_id) is None:
            errors["hall_id"] = f"there is no hall {hall_id}"
    elif role is not Role.SYSTEM_ADMIN:
        if org_unit_id is None:
            errors["org_unit_id"] = "this role belongs to an org node: choose one"
        elif session.get(OrgUnit, org_unit_id) is None:
            errors["org_unit_id"] = f"there is no org node {org_unit_id}"
    return errors


def email_or_none(value: str | None) -> str | None:
    """The address as stored: trimmed, None when empty; raises ValidationError on "email" when it is not one."""
    address = (value or "").strip()
    if not address:
        return None
    problem = address_problem(address)
    if problem is not None:
        raise ValidationError.single("email", problem)
    return address


def add_account(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    hall_id: int | None = None,
    org_unit_id: int | None = None,
    password_hash: str | None = None,
    email: str | None = None,
) -> StaffAccount:
    """A new account; hall roles take the hall's org node as their scope, other roles ignore ``hall_id``.

    ``password_hash``, when given, is ``hash_password(password)`` computed beforehand, so that seeding
    many accounts with one password (the tests' worlds) pays for scrypt once. It is not checked
    against ``password`` (that would cost the scrypt run it saves), only for its form.
    """
    errors: dict[str, str] = {}
    name = username.strip()
    if not name:
        errors["username"] = "a user name is required"
    elif len(name) > 60:
        errors["username"] = "at most 60 characters"
    elif session.scalar(select(func.count()).select_from(StaffAccount).where(StaffAccount.username == name)):
        errors["username"] = f"the user name {name!r} is taken"
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"at least {MIN_PASSWORD_LENGTH} characters"
    elif password_hash is not None and (not password_hash.startswith("scrypt$") or password_hash.count("$") != 5):
        errors["password"] = "the given hash is not one of hash_password's"
    errors.update(placement_errors(session, role, hall_id, org_unit_id))
    address = None
    try:
        address = email_or_none(email)
    except ValidationError as err:
        errors.update(err.errors)
    if errors:
        raise ValidationError(errors)
    if role in HALL_ROLES:
        hall = session.get(Hall, hall_id)
        org_unit_id = hall.org_unit_id if hall else None
    else:
        hall_id = None
        org_unit_id = None if role is Role.SYSTEM_ADMIN else org_unit_id
    account = StaffAccount(
        username=name,
        display_name=display_name.strip() or name,
        email=address,
        password_hash=password_hash or hash_password(password),
        role=role.value,
        hall_id=hall_id,
        org_unit_id=org_unit_id,
    )
    session.add(account)
    session.flush()
    return account


def set_password(account: StaffAccount, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError.single("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    account.password_hash = hash_password(password)
    clear_sign_in_failures(account)
    end_sessions(account)


def end_sessions(account: StaffAccount) -> None:
    """End every sign-in of ``account`` (console and counter page) once the change commits.

    Sessions live in signed cookies the server cannot reach, so each carries the version it began
    with, and a request whose version is not the account's current one is signed out.
    """
    account.session_version = (account.session_version or 0) + 1


def clear_sign_in_failures(account: StaffAccount) -> None:
    """Forget the account's wrong passwords, so its next sign-in is checked at once (console and CLI unlock)."""
    account.failed_logins = 0
    account.locked_until = None


def sign_in(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    *,
    accepts: Callable[[StaffAccount], bool] | None = None,
) -> StaffAccount:
    """The account for these credentials; a wrong password delays the name's next check (``failure_delay``).

    ``accepts`` narrows the accounts this door signs in (the counter page: counter roles only). For
    any other account the password is never checked: the answer is a wrong password's, counted on
    the account like one, so the door cannot be used to guess it. Unknown names cost one scrypt run
    like a real check and raise ``SignInRefused`` with ``on_account`` False. The caller commits
    either way: a failure must be counted even though it raises.
    """
    account = session.scalar(select(StaffAccount).where(StaffAccount.username == username.strip()))
    if account is None:
        password_matches(password, _dummy_hash())  # the same work as a real check, so timing does not reveal names
        raise SignInRefused("用户名或密码不正确", "wrong", on_account=False)
    if account.locked_until is not None and account.locked_until > now:
        raise SignInDelayed(account.locked_until)
    if accepts is None or accepts(account):
        right = password_matches(password, account.password_hash)
    else:
        password_matches(password, _dummy_hash())  # the same work, never against this account's hash
        right = False
    if not right:
        # One statement, so failures from several server processes at once are all counted.
        failures = session.execute(
            update(StaffAccount)
            .where(StaffAccount.id == account.id)
            .values(failed_logins=StaffAccount.failed_logins + 1)
            .returning(StaffAccount.failed_logins)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        set_committed_value(account, "failed_logins", failures)  # already written; not again at flush
        delay = failure_delay(failures)
        account.locked_until = now + delay if delay else None
        raise SignInRefused("用户名或密码不正确", "wrong")
    if not account.active:
        raise SignInRefused("账号已停用", "disabled")
    clear_sign_in_failures(account)
    account.last_login_at = now
    return account
