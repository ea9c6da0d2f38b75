"""documents: PDF documents shown page by page (issue 23, item 5)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that owns this revision


def downgrade() -> None:
    pass
