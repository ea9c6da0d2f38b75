"""market_figures: labour market figures (供求分析): seeker tallies and computed figures (issue 23, item 3)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that owns this revision


def downgrade() -> None:
    pass
