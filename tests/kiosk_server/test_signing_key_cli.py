"""`kiosk signing-key …`: import an org unit's PKCS#12 signing identity, or generate a self-signed one for trials."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from sqlalchemy import select
from sqlalchemy.orm import Session

from content.accounts.audit import AuditEntry
from content.citizens.signing_keys import SigningIdentity, open_identity, self_signed
from kiosk_server.certificate_signing import signing_key
from kiosk_server.database import make_engine
from tests.support import migrated_schema
from tests.support.kiosk_cli import run_kiosk
from tests.support.world import World, build_world


def kiosk(data_dir: Path, database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_kiosk({"KIOSK_DATA_DIR": str(data_dir), "KIOSK_DATABASE_URL": database_url, **env}, *args)


@pytest.fixture
def tree(database_url: str) -> Iterator[tuple[str, World]]:
    engine = make_engine(database_url)
    migrated_schema.ready(engine)
    with Session(engine) as session:
        world = build_world(session, vacancies=0)
        session.commit()
    yield database_url, world
    engine.dispose()


def identities(database_url: str) -> tuple[list[SigningIdentity], list[str]]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = list(session.scalars(select(SigningIdentity).order_by(SigningIdentity.id)))
            actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
            for row in rows:
                session.expunge(row)
            return rows, actions
    finally:
        engine.dispose()


def test_import_a_pkcs12_file_with_its_password_from_the_environment(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, world = tree
    key, cert = self_signed("城关区人力资源和社会保障局", datetime.now(UTC))
    p12 = tmp_path / "county.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"c", key, cert, None, BestAvailableEncryption(b"s3cret")))
    data = tmp_path / "data"
    wrong = kiosk(
        data,
        url,
        "signing-key",
        "import",
        "--org",
        str(world.county_id),
        "--pkcs12",
        str(p12),
        "--password-env",
        "P12_PASSWORD",
        P12_PASSWORD="nope",
    )
    assert wrong.returncode == 2 and "not a PKCS#12 file, or the wrong password" in wrong.stderr
    assert "s3cret" not in wrong.stderr + wrong.stdout
    unset = kiosk(
        data,
        url,
        "signing-key",
        "import",
        "--org",
        str(world.county_id),
        "--pkcs12",
        str(p12),
        "--password-env",
        "P12_PASSWORD",
    )
    assert unset.returncode == 2 and "P12_PASSWORD is not set" in unset.stderr
    assert identities(url) == ([], [])
    done = kiosk(
        data,
        url,
        "signing-key",
        "import",
        "--org",
        str(world.county_id),
        "--pkcs12",
        str(p12),
        "--password-env",
        "P12_PASSWORD",
        P12_PASSWORD="s3cret",
    )
    assert done.returncode == 0, done.stderr
    (row,), actions = identities(url)
    assert row.org_unit_id == world.county_id and row.subject_name == "城关区人力资源和社会保障局"
    assert actions == ["signing_key.import"]
    secret = (data / "secret_key").read_text().strip()
    assert open_identity(row, signing_key(secret)) is not None, "sealed under the server's own secret"
    listed = kiosk(data, url, "signing-key", "list")
    assert listed.returncode == 0 and f"org {world.county_id}\t城关区人力资源和社会保障局" in listed.stdout


def test_generate_a_self_signed_identity_for_trials(tmp_path: Path, tree: tuple[str, World]) -> None:
    url, world = tree
    data = tmp_path / "data"
    done = kiosk(
        data, url, "signing-key", "generate", "--org", str(world.province_id), "--name", "甘肃省人力资源和社会保障厅"
    )
    assert done.returncode == 0, done.stderr
    (row,), actions = identities(url)
    assert (row.org_unit_id, row.subject_name) == (world.province_id, "甘肃省人力资源和社会保障厅")
    assert actions == ["signing_key.generate"]
    missing = kiosk(data, url, "signing-key", "generate", "--org", "999999", "--name", "x")
    assert missing.returncode == 2 and "no org unit 999999" in missing.stderr
