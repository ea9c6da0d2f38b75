"""console accounts: roles on an org node, last sign-in, where each audited change happened

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 01:05:00

Existing hall accounts take their hall's org node, so their scope is right from the start.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', content.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_staff_accounts_org_unit_id'), ['org_unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_staff_accounts_org_unit_id_org_units'), 'org_units',
                                    ['org_unit_id'], ['id'], ondelete='CASCADE')
    op.execute("UPDATE staff_accounts SET org_unit_id = "
               "(SELECT halls.org_unit_id FROM halls WHERE halls.id = staff_accounts.hall_id) "
               "WHERE hall_id IS NOT NULL")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_path', sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_org_path'), ['org_path'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_org_path'))
        batch_op.drop_column('org_path')
    with op.batch_alter_table('staff_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_accounts_org_unit_id_org_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_staff_accounts_org_unit_id'))
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('org_unit_id')
