"""notice review: revisions and last editor of policy notices, their review history, in-app notifications

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 02:10:00

Existing notices start at revision 1 with no console editor; their statuses (draft, published,
archived) are valid review states as they are. A history starts with the first step taken.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import content.db


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('policy_notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default=sa.text('1'), nullable=False))
        batch_op.add_column(sa.Column('last_edited_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_policy_notices_last_edited_by_id_staff_accounts'),
                                    'staff_accounts', ['last_edited_by_id'], ['id'], ondelete='SET NULL')

    op.create_table('notice_review_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_accounts.id'],
                            name=op.f('fk_notice_review_events_actor_id_staff_accounts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['notice_id'], ['policy_notices.id'],
                            name=op.f('fk_notice_review_events_notice_id_policy_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_review_events'))
    )
    with op.batch_alter_table('notice_review_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_review_events_notice_id'), ['notice_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('subject_kind', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('created_at', content.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', content.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['staff_accounts.id'],
                            name=op.f('fk_notifications_recipient_id_staff_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_recipient_unread', ['recipient_id', 'read_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient_unread')

    op.drop_table('notifications')
    with op.batch_alter_table('notice_review_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_review_events_notice_id'))

    op.drop_table('notice_review_events')
    with op.batch_alter_table('policy_notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_policy_notices_last_edited_by_id_staff_accounts'), type_='foreignkey')
        batch_op.drop_column('last_edited_by_id')
        batch_op.drop_column('revision')
