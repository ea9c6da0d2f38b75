"""job_fairs: job fairs (招聘会): fairs, participating employers with booths, linked positions (issue 23, item 2)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import content.db

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_fairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=20), nullable=False),
        sa.Column("starts_at", content.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", content.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=True),
        sa.Column("venue_name", sa.String(length=200), nullable=False),
        sa.Column("venue_address", sa.String(length=255), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column("booth_map_sha256", sa.String(length=64), nullable=True),
        sa.Column("booth_map_mime", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_job_fairs_hall_id_halls"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["id"], ["content_items.id"], name=op.f("fk_job_fairs_id_content_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_fairs")),
    )
    with op.batch_alter_table("job_fairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_fairs_hall_id"), ["hall_id"], unique=False)
    op.create_table(
        "fair_booths",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fair_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=True),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("booth", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["employer_id"], ["employers.id"], name=op.f("fk_fair_booths_employer_id_employers"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["fair_id"], ["job_fairs.id"], name=op.f("fk_fair_booths_fair_id_job_fairs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fair_booths")),
        sa.UniqueConstraint("fair_id", "booth", name=op.f("uq_fair_booths_fair_id")),
    )
    with op.batch_alter_table("fair_booths", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fair_booths_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fair_booths_fair_id"), ["fair_id"], unique=False)
    op.create_table(
        "fair_positions",
        sa.Column("booth_id", sa.Integer(), nullable=False),
        sa.Column("vacancy_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booth_id"], ["fair_booths.id"], name=op.f("fk_fair_positions_booth_id_fair_booths"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_fair_positions_vacancy_id_vacancies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("booth_id", "vacancy_id", name=op.f("pk_fair_positions")),
    )
    with op.batch_alter_table("fair_positions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fair_positions_vacancy_id"), ["vacancy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fair_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_positions_vacancy_id"))
    op.drop_table("fair_positions")
    with op.batch_alter_table("fair_booths", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fair_booths_fair_id"))
        batch_op.drop_index(batch_op.f("ix_fair_booths_employer_id"))
    op.drop_table("fair_booths")
    with op.batch_alter_table("job_fairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_fairs_hall_id"))
    op.drop_table("job_fairs")
