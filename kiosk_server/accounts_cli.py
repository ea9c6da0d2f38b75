"""``kiosk accounts``: create the first administrator, and list, unlock, reset and disable accounts.

This is how a fresh ``kiosk serve`` database gets its first system administrator (and how one
locked out of the console gets back in). It reads the same settings as ``kiosk serve``
(``KIOSK_DATA_DIR``, ``KIOSK_DATABASE_URL``), migrates an empty database first, and audits every
change with the actor ``cli``. A refusal (unknown role or node, a taken name, a short password)
is one line on stderr and exit status 2.

Nothing heavy is imported at module level: ``kiosk_server.cli`` builds its parser from here before
it decides on gevent's monkey patch.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TextIO

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from content.accounts.staff import StaffAccount
    from content.org.tree import Hall, OrgUnit

ACTOR: Final = "cli"
REFUSED: Final = 2


class Refused(Exception):
    """What the operator got wrong, in one sentence they can act on."""


def add_parser(sub: Any) -> None:
    """Register ``accounts`` and its actions on the ``kiosk`` command's subparsers."""
    accounts = sub.add_parser("accounts", help="console and counter accounts: create, list, unlock, reset, disable")
    actions = accounts.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an account (the first system admin of a fresh server, say)")
    create.add_argument("name", help="the user name to sign in with")
    create.add_argument("--role", required=True, help="system_admin, org_admin, editor, approver, …")
    create.add_argument("--node", help="org node of a node role: its id, exact name, or path of names (甘肃省/兰州市)")
    create.add_argument("--hall", help="hall of a hall role (hall_manager, counter_staff): its id or exact name")
    create.add_argument("--display-name", default="", help="the name shown in the console (default: the user name)")
    create.add_argument("--email", default="", help="where alert e-mails about the account's halls go (optional)")
    _password_option(create)
    actions.add_parser("list", help="every account with its role, node and state (active, disabled, locked)")
    unlock = actions.add_parser("unlock", help="lift a lock left by wrong passwords")
    unlock.add_argument("name")
    reset = actions.add_parser("reset-password", help="set a new password; ends every session of the account")
    reset.add_argument("name")
    _password_option(reset)
    disable = actions.add_parser("disable", help="stop the account signing in; ends every session of it")
    disable.add_argument("name")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of asking twice on the terminal",
    )


def run(args: argparse.Namespace, *, stdin: TextIO | None = None, ask: Callable[[str], str] | None = None) -> int:
    """Carry out ``kiosk accounts <action>``; the exit status."""
    from kiosk_server import create_app
    from kiosk_server.database import database, upgrade_schema

    try:
        password = _password(args, stdin or sys.stdin, ask) if args.action in {"create", "reset-password"} else ""
        app = create_app({"async_mode": "threading"})
        db = database(app)
        upgrade_schema(db.engine)  # a fresh `kiosk serve` data directory may have no schema yet
        with db.session() as session:
            message = _ACTIONS[args.action](session, args, password)
            session.commit()
    except Refused as refused:
        print(f"kiosk accounts {args.action}: {refused}", file=sys.stderr)
        return REFUSED
    if message:
        print(message)
    return 0


def _password(args: argparse.Namespace, stdin: TextIO, ask: Callable[[str], str] | None) -> str:
    if args.password_stdin:
        return stdin.readline().rstrip("\r\n")  # the line's end only: a password may end in spaces
    if ask is None:
        if not stdin.isatty():
            raise Refused("no terminal to ask for the password on: pipe it in with --password-stdin")
        import getpass

        ask = getpass.getpass
    try:
        first = ask("password: ")
        again = ask("again: ")
    except (EOFError, KeyboardInterrupt):
        raise Refused("no password given; nothing was changed") from None
    if again != first:
        raise Refused("the two passwords differ; nothing was changed")
    return first


def _refusal(err: Any) -> Refused:
    """A domain ValidationError as one line: every field's problem."""
    return Refused("; ".join(f"{field}: {message}" for field, message in err.errors.items()))


def _create(session: Session, args: argparse.Namespace, password: str) -> str:
    from content.accounts.staff import HALL_ROLES, Role, add_account
    from content.errors import ValidationError

    try:
        role = Role(args.role)
    except ValueError:
        raise Refused(f"unknown role {args.role!r}; use one of {', '.join(r.value for r in Role)}") from None
    hall_id = org_unit_id = None
    if role is Role.SYSTEM_ADMIN:
        if args.node or args.hall:
            raise Refused("a system admin sits on no node or hall: leave out --node and --hall")
    elif role in HALL_ROLES:
        if not args.hall:
            raise Refused(f"a {role.value} belongs to a hall: give --hall (its id or exact name)")
        hall_id = _find_hall(session, args.hall).id
    else:
        if not args.node:
            raise Refused(f"a {role.value} belongs to an org node: give --node (its id, exact name or path of names)")
        org_unit_id = _find_node(session, args.node).id
    try:
        account = add_account(
            session,
            username=args.name,
            password=password,
            display_name=args.display_name,
            role=role,
            hall_id=hall_id,
            org_unit_id=org_unit_id,
            email=args.email,
        )
    except ValidationError as err:
        raise _refusal(err) from None
    after = {
        "role": account.role,
        "org_unit_id": account.org_unit_id,
        "hall_id": account.hall_id,
        "email": account.email or "",
        "active": True,
    }
    _audit(session, account, "created", {"after": after})
    return f"created {account.username} ({account.role}{_where(session, account, ' at ')})"


def _list(session: Session, args: argparse.Namespace, password: str) -> str:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from content.accounts.staff import StaffAccount

    now = datetime.now(UTC)
    rows = [("name", "role", "node", "state")]
    for account in session.scalars(select(StaffAccount).order_by(StaffAccount.username)):
        rows.append((account.username, account.role, _where(session, account) or "—", _state(account, now)))
    if len(rows) == 1:
        return "no accounts yet: create the first with `kiosk accounts create NAME --role system_admin`"
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    return "\n".join(
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row[:3])) + "  " + row[3]
        for row in rows
    )


def _unlock(session: Session, args: argparse.Namespace, password: str) -> str:
    from content.accounts.staff import clear_sign_in_failures

    account = _account(session, args.name)
    was_locked = account.locked_until is not None
    clear_sign_in_failures(account)
    _audit(session, account, "unlocked", {"changed": {"locked": [was_locked, False]}})
    return (
        f"unlocked {account.username}" if was_locked else f"{account.username} was not locked (its failures are reset)"
    )


def _reset_password(session: Session, args: argparse.Namespace, password: str) -> str:
    from content.accounts.staff import set_password
    from content.errors import ValidationError

    account = _account(session, args.name)
    try:
        set_password(account, password)  # also lifts a lock and ends every session of the account
    except ValidationError as err:
        raise _refusal(err) from None
    _audit(session, account, "password_reset", {"changed": {"password": ["…", "…"]}})
    return f"new password set for {account.username}; its sessions are ended"


def _disable(session: Session, args: argparse.Namespace, password: str) -> str:
    from content.accounts.staff import end_sessions

    account = _account(session, args.name)
    if not account.active:
        return f"{account.username} was already disabled"
    account.active = False
    end_sessions(account)
    _audit(session, account, "disabled", {"changed": {"active": [True, False]}})
    return f"disabled {account.username}; its sessions are ended"


_ACTIONS: Final[dict[str, Callable[[Session, argparse.Namespace, str], str]]] = {
    "create": _create,
    "list": _list,
    "unlock": _unlock,
    "reset-password": _reset_password,
    "disable": _disable,
}


def _account(session: Session, name: str) -> StaffAccount:
    from sqlalchemy import select

    from content.accounts.staff import StaffAccount

    account = session.scalar(select(StaffAccount).where(StaffAccount.username == name.strip()))
    if account is None:
        raise Refused(f"there is no account {name!r} (`kiosk accounts list` shows them)")
    return account


def _audit(session: Session, account: StaffAccount, action: str, summary: dict[str, Any]) -> None:
    from content.accounts import audit

    audit.record(
        session,
        actor=ACTOR,
        action=action,
        obj_kind="account",
        obj_id=account.id,
        summary={"username": account.username, **summary},
        org_path=_path(session, account),
    )


def _find_node(session: Session, text: str) -> OrgUnit:
    """The org node named by its id, its tree path (``/1/4/``), its exact name, or its path of names."""
    from sqlalchemy import select

    from content.org.tree import OrgUnit

    wanted = text.strip()
    if wanted.isdigit():
        unit = session.get(OrgUnit, int(wanted))
        if unit is None:
            raise Refused(f"there is no org node with the id {wanted}")
        return unit
    if wanted.startswith("/") and wanted.strip("/").replace("/", "").isdigit():
        unit = session.scalar(select(OrgUnit).where(OrgUnit.path == "/" + wanted.strip("/") + "/"))
        if unit is None:
            raise Refused(f"there is no org node at the path {wanted}")
        return unit
    names = [part.strip() for part in wanted.split("/") if part.strip()]
    if not names:
        raise Refused("--node is empty: give an org node's id, exact name or path of names")
    found = [
        unit
        for unit in session.scalars(select(OrgUnit).where(OrgUnit.name == names[-1]).order_by(OrgUnit.path))
        if _name_path(session, unit)[-len(names) :] == names
    ]
    if not found:
        raise Refused(f"there is no org node named {wanted!r} (give its id, exact name or path of names)")
    if len(found) > 1:
        choices = ", ".join(f"{unit.id} ({'/'.join(_name_path(session, unit))})" for unit in found)
        raise Refused(f"several org nodes are named {wanted!r}: give the id of one of {choices}")
    return found[0]


def _find_hall(session: Session, text: str) -> Hall:
    from sqlalchemy import select

    from content.org.tree import Hall

    wanted = text.strip()
    if wanted.isdigit():
        hall = session.get(Hall, int(wanted))
        if hall is None:
            raise Refused(f"there is no hall with the id {wanted}")
        return hall
    found = list(session.scalars(select(Hall).where(Hall.name == wanted).order_by(Hall.id)))
    if not found:
        raise Refused(f"there is no hall named {wanted!r} (give its id or exact name)")
    if len(found) > 1:
        raise Refused(
            f"several halls are named {wanted!r}: give the id of one of {', '.join(str(h.id) for h in found)}"
        )
    return found[0]


def _name_path(session: Session, unit: OrgUnit) -> list[str]:
    from content.org.tree import OrgUnit

    names = []
    for unit_id in unit.ancestor_ids():
        ancestor = session.get(OrgUnit, unit_id)
        names.append(ancestor.name if ancestor is not None else "?")
    return names


def _path(session: Session, account: StaffAccount) -> str | None:
    from content.org.tree import OrgUnit

    unit = session.get(OrgUnit, account.org_unit_id) if account.org_unit_id is not None else None
    return unit.path if unit else None


def _where(session: Session, account: StaffAccount, prefix: str = "") -> str:
    """The account's place as people read it: the hall, or the path of names of the node; empty for none."""
    from content.org.tree import Hall, OrgUnit

    if account.hall_id is not None:
        hall = session.get(Hall, account.hall_id)
        return f"{prefix}{hall.name}" if hall else ""
    unit = session.get(OrgUnit, account.org_unit_id) if account.org_unit_id is not None else None
    return f"{prefix}{'/'.join(_name_path(session, unit))}" if unit else ""


def _state(account: StaffAccount, now: Any) -> str:
    if not account.active:
        return "disabled"
    if account.locked_until is not None and account.locked_until > now:
        return "locked"
    return "active"


def _width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
