"""web_widgets: web page and data feed items (issue 23, item 5)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that owns this revision


def downgrade() -> None:
    pass
