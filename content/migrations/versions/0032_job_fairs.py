"""job_fairs: job fairs (招聘会): fairs, participating employers with booths, linked positions (issue 23, item 2)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that owns this revision


def downgrade() -> None:
    pass
