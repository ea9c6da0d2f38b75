"""job_interests: citizens' interests (意向) in matched vacancies and daily match statistics (issue 22)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_interests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("screen_id", sa.Integer(), nullable=True),
        sa.Column("vacancy_id", sa.Integer(), nullable=True),
        sa.Column("vacancy_title", sa.String(length=200), nullable=False),
        sa.Column("employer_name", sa.String(length=200), nullable=False),
        sa.Column("occupation_code", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("person_hash", sa.String(length=64), nullable=False),
        sa.Column("masked_name", sa.String(length=60), nullable=False),
        sa.Column("masked_id", sa.String(length=18), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("education", sa.String(length=16), nullable=False),
        sa.Column("desired_occupations", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_job_interests_hall_id_halls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["screen_id"], ["screens.id"], name=op.f("fk_job_interests_screen_id_screens"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["vacancy_id"], ["vacancies.id"], name=op.f("fk_job_interests_vacancy_id_vacancies"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_interests")),
        sa.UniqueConstraint("person_hash", "vacancy_id", "day", name=op.f("uq_job_interests_person_hash")),
    )
    with op.batch_alter_table("job_interests", schema=None) as batch_op:
        batch_op.create_index("ix_job_interests_hall_day", ["hall_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_interests_screen_id"), ["screen_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_interests_vacancy_id"), ["vacancy_id"], unique=False)
    op.create_table(
        "match_tallies",
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("occupation_code", sa.String(length=16), nullable=False),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.Column("interests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_match_tallies_hall_id_halls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("hall_id", "day", "occupation_code", name=op.f("pk_match_tallies")),
    )


def downgrade() -> None:
    op.drop_table("match_tallies")
    with op.batch_alter_table("job_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_interests_vacancy_id"))
        batch_op.drop_index(batch_op.f("ix_job_interests_screen_id"))
        batch_op.drop_index("ix_job_interests_hall_day")
    op.drop_table("job_interests")
