"""service_evaluations (issue 21): 好差评 evaluators at counters, their ratings, follow-ups and who is on duty

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from content.db import UTCDateTime

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_counters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluator_screen_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_queue_counters_evaluator_screen_id"), ["evaluator_screen_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_queue_counters_evaluator_screen_id_screens"),
            "screens",
            ["evaluator_screen_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "queue_counter_duty",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=60), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["queue_counters.id"],
            name=op.f("fk_queue_counter_duty_counter_id_queue_counters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_queue_counter_duty_staff_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("counter_id", name=op.f("pk_queue_counter_duty")),
    )
    op.create_table(
        "service_evaluations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("service_type_id", sa.Integer(), nullable=True),
        sa.Column("ticket_number", sa.String(length=8), nullable=False),
        sa.Column("service_name", sa.String(length=60), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["queue_counters.id"],
            name=op.f("fk_service_evaluations_counter_id_queue_counters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name=op.f("fk_service_evaluations_hall_id_halls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["queue_service_types.id"],
            name=op.f("fk_service_evaluations_service_type_id_queue_service_types"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_accounts.id"],
            name=op.f("fk_service_evaluations_staff_id_staff_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["queue_tickets.id"],
            name=op.f("fk_service_evaluations_ticket_id_queue_tickets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_evaluations")),
    )
    with op.batch_alter_table("service_evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_service_evaluations_counter_state", ["counter_id", "state"], unique=False)
        batch_op.create_index("ix_service_evaluations_hall_day", ["hall_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_evaluations_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_evaluations_ticket_id"), ["ticket_id"], unique=False)
    op.create_table(
        "evaluation_followups",
        sa.Column("evaluation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("handler", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["service_evaluations.id"],
            name=op.f("fk_evaluation_followups_evaluation_id_service_evaluations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("evaluation_id", name=op.f("pk_evaluation_followups")),
    )


def downgrade() -> None:
    op.drop_table("evaluation_followups")
    with op.batch_alter_table("service_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_evaluations_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_service_evaluations_staff_id"))
        batch_op.drop_index("ix_service_evaluations_hall_day")
        batch_op.drop_index("ix_service_evaluations_counter_state")
    op.drop_table("service_evaluations")
    op.drop_table("queue_counter_duty")
    with op.batch_alter_table("queue_counters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_queue_counters_evaluator_screen_id_screens"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_queue_counters_evaluator_screen_id"))
        batch_op.drop_column("evaluator_screen_id")
