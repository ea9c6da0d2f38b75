"""A console user's sign-in, kept in the signed session cookie: who, since when, last active, CSRF token.

A sign-in ends after ``IDLE`` without a request or ``LONGEST`` after it began, whatever the cookie
says. Every request reads the account again, so disabling it, or moving it to another node,
takes effect at once; and the cookie carries the account's session version, so signing out,
a password change or reset, disabling and a role change end every copy of the cookie
(``content.accounts.staff.end_sessions``). The keys are the console's own; the counter page keeps its own sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from flask import session as cookie
from sqlalchemy.orm import Session

from content.accounts.access import Permission, may
from content.accounts.staff import StaffAccount, end_sessions
from kiosk_server import csrf

IDLE: Final = timedelta(minutes=30)
LONGEST: Final = timedelta(hours=12)
_USER: Final = "console_user"
_SINCE: Final = "console_since"
_SEEN: Final = "console_seen"
_CSRF: Final = "console_csrf"
_VERSION: Final = "console_version"


def csrf_token() -> str:
    return csrf.token(_CSRF)


def csrf_valid(sent: str | None) -> bool:
    return csrf.valid(_CSRF, sent)


def begin(account: StaffAccount, now: datetime) -> None:
    end()
    cookie.permanent = False
    cookie[_USER] = account.id
    cookie[_SINCE] = cookie[_SEEN] = now.isoformat()
    cookie[_VERSION] = account.session_version
    csrf.renew(_CSRF)


def end() -> None:
    """Forget the sign-in in this browser only (``sign_out`` ends it everywhere)."""
    for key in (_USER, _SINCE, _SEEN, _CSRF, _VERSION):
        cookie.pop(key, None)


def sign_out(db: Session) -> None:
    """End every session of the account signed in here, not just this cookie (a copy would still work).

    The caller commits.
    """
    user_id = cookie.get(_USER)
    account = db.get(StaffAccount, user_id) if isinstance(user_id, int) else None
    if account is not None and cookie.get(_VERSION) == account.session_version:
        end_sessions(account)
    end()


def _instant(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def signed_in(db: Session, now: datetime) -> tuple[StaffAccount | None, bool]:
    """(the account signed in here, whether a sign-in just ran out); touches the idle clock."""
    user_id = cookie.get(_USER)
    if not isinstance(user_id, int):
        return None, False
    since, seen = _instant(cookie.get(_SINCE)), _instant(cookie.get(_SEEN))
    if since is None or seen is None or now >= since + LONGEST or now >= seen + IDLE:
        end()
        return None, True
    account = db.get(StaffAccount, user_id)
    if account is None or cookie.get(_VERSION) != account.session_version or not may(account, Permission.USE_CONSOLE):
        end()
        return None, False
    cookie[_SEEN] = now.isoformat()
    return account, False
