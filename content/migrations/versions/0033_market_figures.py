"""market_figures: labour market figures (供求分析): seeker tallies and computed figures (issue 23, item 3)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seeker_tallies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("group", sa.String(length=1), nullable=False),
        sa.Column("seekers", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_seeker_tallies_org_unit_id_org_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seeker_tallies")),
        sa.UniqueConstraint("org_unit_id", "quarter", "group", name=op.f("uq_seeker_tallies_org_unit_id")),
    )
    with op.batch_alter_table("seeker_tallies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seeker_tallies_org_unit_id"), ["org_unit_id"], unique=False)
    op.create_table(
        "market_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("group", sa.String(length=1), nullable=False),
        sa.Column("vacancies", sa.Integer(), nullable=False),
        sa.Column("demand", sa.Integer(), nullable=False),
        sa.Column("seekers", sa.Integer(), nullable=False),
        sa.Column("pay_min", sa.Integer(), nullable=True),
        sa.Column("pay_max", sa.Integer(), nullable=True),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_unit_id"], ["org_units.id"], name=op.f("fk_market_figures_org_unit_id_org_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_figures")),
        sa.UniqueConstraint("org_unit_id", "quarter", "group", name=op.f("uq_market_figures_org_unit_id")),
    )
    with op.batch_alter_table("market_figures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_market_figures_org_unit_id"), ["org_unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("market_figures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_figures_org_unit_id"))
    op.drop_table("market_figures")
    with op.batch_alter_table("seeker_tallies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seeker_tallies_org_unit_id"))
    op.drop_table("seeker_tallies")
