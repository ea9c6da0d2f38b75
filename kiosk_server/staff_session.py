"""A counter staff member's sign-in: who, since when (one shift at most), their CSRF token, their counter.

Flask keeps the session in a signed cookie that lives until the browser closes; it carries the
account id, the sign-in time, the CSRF token and the counter last chosen, nothing else. Every
request reads the account again, so disabling it or moving it to another hall takes effect at once,
and a sign-in older than ``SHIFT`` is over whatever the cookie says. The cookie also carries the
account's session version: signing out, a password change or reset, disabling and a role change
raise it (``content.accounts.staff.end_sessions``) and so end every copy of the cookie. The keys are the staff's own:
the console keeps its own sign-in (kiosk_server/console/sign_in.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from flask import session as cookie
from sqlalchemy.orm import Session

from content.accounts.staff import StaffAccount, end_sessions
from content.queue.models import Counter
from kiosk_server import csrf

SHIFT: Final = timedelta(hours=12)
CSRF_FIELD: Final = csrf.FIELD
CSRF_HEADER: Final = csrf.HEADER
_STAFF: Final = "staff_id"
_SINCE: Final = "staff_since"
_CSRF: Final = "staff_csrf"
_COUNTER: Final = "staff_counter"
_VERSION: Final = "staff_version"


class CounterRefused(Exception):
    """A counter this staff member may not act on: ``status`` 404 (none such) or 403 (another hall)."""

    def __init__(self, status: int, key: str) -> None:
        super().__init__(key)
        self.status = status
        self.key = key  # the catalogue key of the message


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    return csrf.token(_CSRF)


def csrf_valid(sent: str | None) -> bool:
    return csrf.valid(_CSRF, sent)


def begin(account: StaffAccount, now: datetime) -> None:
    """Sign ``account`` in from ``now``, with a fresh CSRF token (the one of the sign-in form is spent)."""
    end()
    cookie.permanent = False
    cookie[_STAFF] = account.id
    cookie[_SINCE] = now.isoformat()
    cookie[_VERSION] = account.session_version
    csrf.renew(_CSRF)


def end() -> None:
    """Forget the sign-in in this browser only (``sign_out`` ends it everywhere); the chosen language stays."""
    for key in (_STAFF, _SINCE, _CSRF, _COUNTER, _VERSION):
        cookie.pop(key, None)


def sign_out(db: Session) -> None:
    """End every session of the account signed in here, not just this cookie (a copy would still work).

    The caller commits.
    """
    staff_id = cookie.get(_STAFF)
    account = db.get(StaffAccount, staff_id) if isinstance(staff_id, int) else None
    if account is not None and cookie.get(_VERSION) == account.session_version:
        end_sessions(account)
    end()


def signed_in(db: Session, now: datetime) -> StaffAccount | None:
    """The account signed in on this session, if its shift is not over and it may still work at a counter."""
    staff_id, since = cookie.get(_STAFF), cookie.get(_SINCE)
    if not isinstance(staff_id, int) or not isinstance(since, str):
        return None
    try:
        started = datetime.fromisoformat(since)
    except ValueError:
        started = None
    # No lower bound: another server process's clock may run a little behind the one that signed in.
    account = db.get(StaffAccount, staff_id) if started is not None and now < started + SHIFT else None
    if (
        account is None
        or not account.active
        or account.hall_id is None
        or cookie.get(_VERSION) != account.session_version
    ):
        end()
        return None
    return account


def staff_counter(db: Session, account: StaffAccount, counter_id: int) -> Counter:
    """The counter ``counter_id`` if it is in the staff member's hall."""
    counter = db.get(Counter, counter_id)
    if counter is None:
        raise CounterRefused(404, "api.no_counter")
    if counter.hall_id != account.hall_id:
        raise CounterRefused(403, "api.other_hall")
    return counter


def remembered_counter() -> int | None:
    value = cookie.get(_COUNTER)
    return value if isinstance(value, int) else None


def remember_counter(counter_id: int) -> None:
    cookie[_COUNTER] = counter_id
