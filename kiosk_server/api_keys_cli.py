"""``kiosk api-keys``: create, list and revoke named API keys from the command line (as the system).

``create`` prints the secret once, on standard output alone, so it can be piped to the vendor's
configuration; everything else goes to standard error. Every create and revoke is audited as "cli".

Only ``add_parser`` runs for every ``kiosk`` command, before gevent's monkey patch: it imports
nothing heavy, and the rest imports SQLAlchemy and the domain when an action runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from content.accounts.api_keys import ApiKey
    from content.org.tree import Hall, OrgUnit

ACTOR: Final = "cli"
SCOPES: Final = ("read", "content", "queue_ingest", "full")  # content.accounts.api_keys.KeyScope (checked by a test)


def add_parser(sub: Any) -> None:
    """Add ``api-keys`` and its actions to the ``kiosk`` command's subparsers."""
    keys = sub.add_parser("api-keys", help="named API keys: create (secret shown once), list, revoke")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key and print its secret once")
    create.add_argument("name", help="letters, digits, '.', '-' or '_' (e.g. lanzhou-queue-vendor)")
    create.add_argument("--scope", required=True, choices=SCOPES)
    create.add_argument("--node", help="the org unit (id or exact name) a read or content key is confined to")
    create.add_argument("--hall", help="the hall (id or exact name) of a queue_ingest key")
    actions.add_parser("list", help="every key with its scope, place, creator, last use and revocation")
    gone = actions.add_parser("revoke", help="revoke a key at once")
    gone.add_argument("name")


def _find(session: Session, model: type[OrgUnit] | type[Hall], text: str | None, label: str) -> int | None:
    from sqlalchemy import select

    from content.errors import ValidationError

    if text is None:
        return None
    row: Any = session.get(model, int(text)) if text.isdigit() else None  # an OrgUnit or Hall
    if row is None:
        found: list[Any] = list(session.scalars(select(model).where(model.name == text)))
        if len(found) > 1:
            raise ValidationError.single(label, f"{len(found)} {label}s are named {text!r}: give the id")
        row = found[0] if found else None
    if row is None:
        raise ValidationError.single(label, f"no {label} {text!r}")
    return row.id


def _place(session: Session, row: ApiKey) -> str:
    from content.org.tree import Hall, OrgUnit

    if row.hall_id is not None:
        hall = session.get(Hall, row.hall_id)
        return f"hall {row.hall_id} {hall.name if hall else ''}".strip()
    if row.org_unit_id is not None:
        unit = session.get(OrgUnit, row.org_unit_id)
        return f"org {row.org_unit_id} {unit.name if unit else ''}".strip()
    return "everywhere"


def _create(session: Session, args: Any, hash_key: bytes) -> int:
    from content.accounts.api_keys import audit_created, create_key
    from content.org.tree import Hall, OrgUnit

    node = _find(session, OrgUnit, args.node, "node")
    hall = _find(session, Hall, args.hall, "hall")
    row, secret = create_key(
        session, name=args.name, scope=args.scope, key=hash_key, creator=None, org_unit_id=node, hall_id=hall
    )
    audit_created(session, row, ACTOR)
    session.commit()
    print(
        f"API key {row.name!r} ({row.scope}, {_place(session, row)}); the secret is shown this once:", file=sys.stderr
    )
    print(secret)
    return 0


def _list(session: Session) -> int:
    from content.accounts.api_keys import visible_keys

    print("name\tscope\tplace\tcreated_by\tcreated_at\tlast_used_at\trevoked_at")
    for row in visible_keys(session, None):
        when = [
            t.isoformat(timespec="seconds") if t else "-" for t in (row.created_at, row.last_used_at, row.revoked_at)
        ]
        print("\t".join([row.name, row.scope, _place(session, row), row.created_by, *when]))
    return 0


def _revoke(session: Session, name: str) -> int:
    from content.accounts.api_keys import audit_revoked, find_key, revoke

    row = find_key(session, None, name)
    if not revoke(session, row):
        print(f"API key {row.name!r} was revoked already", file=sys.stderr)
        return 0
    audit_revoked(session, row, ACTOR)
    session.commit()
    print(f"API key {row.name!r} revoked", file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run one ``kiosk api-keys`` action against the configured database (upgraded first)."""
    from content.errors import ContentError, NotFound, ValidationError
    from kiosk_server import create_app
    from kiosk_server.auth import api_key_hash_key
    from kiosk_server.database import database, upgrade_schema
    from kiosk_server.settings_access import settings

    app = create_app({"async_mode": "threading"})
    db = database(app)
    upgrade_schema(db.engine)
    with db.session() as session:
        try:
            if args.action == "create":
                return _create(session, args, api_key_hash_key(settings(app).secret_key))
            if args.action == "list":
                return _list(session)
            return _revoke(session, args.name)
        except NotFound:
            print(f"no API key named {args.name!r}", file=sys.stderr)
            return 2
        except ValidationError as err:
            for field, message in err.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            return 2
        except ContentError as err:
            print(str(err), file=sys.stderr)
            return 2
