"""``kiosk signing-key``: import (PKCS#12) or generate (self-signed, for trials) an org unit's certificate-signing identity.

A hall's 参保证明 are signed with its org unit's identity or its nearest ancestor's (docs/kiosk.md §2).
The private key is stored sealed under a key derived from the server secret. Only ``add_parser`` runs
for every ``kiosk`` command, so it imports nothing heavy.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    """Add ``signing-key`` and its actions to the ``kiosk`` command's subparsers."""
    cmd = sub.add_parser("signing-key", help="the identity (key and certificate) that signs an org unit's certificates")
    actions = cmd.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", help="import a PKCS#12 (.p12/.pfx) file for an org unit")
    imp.add_argument("--org", type=int, required=True, help="org unit id")
    imp.add_argument("--pkcs12", type=Path, required=True, help="the PKCS#12 file")
    imp.add_argument("--password-env", help="name of the environment variable holding the file's password")
    gen = actions.add_parser("generate", help="generate a self-signed identity (demo and trials only)")
    gen.add_argument("--org", type=int, required=True, help="org unit id")
    gen.add_argument("--name", required=True, help="the signer's name, e.g. 甘肃省人力资源和社会保障厅")
    actions.add_parser("list", help="list the org units that have an identity")


def _fail(message: str) -> int:
    print(f"kiosk signing-key: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run the action against the configured database (upgraded first)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from content.accounts import audit
    from content.citizens.signing_keys import SigningIdentity, generate_identity, import_pkcs12
    from content.errors import ValidationError
    from content.org.tree import OrgUnit
    from kiosk_server import create_app
    from kiosk_server.certificate_signing import signing_key
    from kiosk_server.database import database, upgrade_schema
    from kiosk_server.settings_access import settings

    app = create_app({"async_mode": "threading"})
    db = database(app)
    upgrade_schema(db.engine)
    key = signing_key(settings(app).secret_key)
    now = datetime.now(UTC)
    with db.session() as session:
        if args.action == "list":
            for row in session.scalars(select(SigningIdentity).order_by(SigningIdentity.org_unit_id)):
                print(
                    f"org {row.org_unit_id}\t{row.subject_name}\tuntil {row.not_after:%Y-%m-%d}\tsha256 {row.fingerprint[:16]}"
                )
            return 0
        unit = session.get(OrgUnit, args.org)
        if unit is None:
            return _fail(f"no org unit {args.org}")
        try:
            if args.action == "import":
                password = None
                if args.password_env:
                    if args.password_env not in os.environ:
                        return _fail(f"environment variable {args.password_env} is not set")
                    password = os.environ[args.password_env].encode("utf-8")
                try:
                    data = args.pkcs12.read_bytes()
                except OSError as err:
                    return _fail(f"cannot read {args.pkcs12}: {err.strerror}")
                row = import_pkcs12(session, unit, data, password, key, now)
            else:
                row = generate_identity(session, unit, args.name, key, now)
        except ValidationError as err:
            return _fail("; ".join(err.errors.values()))
        audit.record(
            session,
            actor="cli",
            action=f"signing_key.{args.action}",
            obj_kind="org_unit",
            obj_id=unit.id,
            summary={"subject": row.subject_name, "fingerprint": row.fingerprint},
            org_path=unit.path,
        )
        session.commit()
        print(
            f"org unit {unit.id} ({unit.name}) signs as {row.subject_name}, sha256 {row.fingerprint[:16]}…",
            file=sys.stderr,
        )
    return 0
