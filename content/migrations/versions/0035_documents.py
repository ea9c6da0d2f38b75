"""documents: PDF documents shown page by page (issue 23, item 5)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("page_mime", sa.String(length=32), nullable=False),
        sa.Column("page_width", sa.Integer(), nullable=False),
        sa.Column("page_height", sa.Integer(), nullable=False),
        sa.Column("seconds_per_page", sa.Integer(), nullable=False),
        sa.CheckConstraint("seconds_per_page >= 1", name=op.f("ck_documents_seconds_per_page_positive")),
        sa.ForeignKeyConstraint(
            ["id"], ["content_items.id"], name=op.f("fk_documents_id_content_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_sha256"), ["sha256"], unique=False)
    op.create_table(
        "document_pages",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_pages_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "number", name=op.f("pk_document_pages")),
    )
    with op.batch_alter_table("document_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_pages_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("document_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_pages_sha256"))
    op.drop_table("document_pages")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_sha256"))
    op.drop_table("documents")
