"""job_seekers: demo job-seeker registrations (求职登记) and coordinates of halls and employers (issue 22)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demo_job_seekers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("desired_occupations", sa.JSON(), nullable=False),
        sa.Column("desired_pay_min", sa.Integer(), nullable=True),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("education", sa.String(length=16), nullable=False),
        sa.Column("major", sa.String(length=60), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("certificates", sa.JSON(), nullable=False),
        sa.Column("work_history", sa.JSON(), nullable=False),
        sa.Column("assistance", sa.JSON(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("office", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["demo_people.id"],
            name=op.f("fk_demo_job_seekers_person_id_demo_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_demo_job_seekers")),
    )
    for table in ("employers", "halls"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
            batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))


def downgrade() -> None:
    for table in ("halls", "employers"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("longitude")
            batch_op.drop_column("latitude")
    op.drop_table("demo_job_seekers")
