"""certificate_trust (issue 21): the sealed identity of a session, seals, signing identities, the kept PDF

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("citizen_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_identity", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("signer_name", sa.String(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("download_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("downloads", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("pdf_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("print_token_sealed", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("repeat_sealed", sa.LargeBinary(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_certificates_download_token_hash"), ["download_token_hash"]
        )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.alter_column("signed", server_default=None)
        batch_op.alter_column("signer_name", server_default=None)
        batch_op.alter_column("downloads", server_default=None)
    op.create_table(
        "seal_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=True),
        sa.Column("org_unit_id", sa.Integer(), nullable=True),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("has_alpha", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["hall_id"], ["halls.id"], name=op.f("fk_seal_images_hall_id_halls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_seal_images_org_unit_id_org_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seal_images")),
        sa.UniqueConstraint("hall_id", name=op.f("uq_seal_images_hall_id")),
        sa.UniqueConstraint("org_unit_id", name=op.f("uq_seal_images_org_unit_id")),
    )
    op.create_table(
        "signing_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("not_after", UTCDateTime(), nullable=False),
        sa.Column("key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("chain_pem", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_signing_identities_org_unit_id_org_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_identities")),
        sa.UniqueConstraint("org_unit_id", name=op.f("uq_signing_identities_org_unit_id")),
    )


def downgrade() -> None:
    op.drop_table("signing_identities")
    op.drop_table("seal_images")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_certificates_download_token_hash"), type_="unique")
        for column in (
            "repeat_sealed",
            "print_token_sealed",
            "pdf_sealed",
            "downloads",
            "download_token_hash",
            "signer_name",
            "signed",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("citizen_sessions", schema=None) as batch_op:
        batch_op.drop_column("sealed_identity")
