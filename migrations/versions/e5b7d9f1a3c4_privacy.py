"""personal data: a person's request that their account be erased, and its outcome

Revision ID: e5b7d9f1a3c4
Revises: d4f6b8c0e2a3
Create Date: 2026-12-05 16:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b7d9f1a3c4'
down_revision = "d4f6b8c0e2a3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_erasure_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=30), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('refusal_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('privacy_erasure_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_erasure_request_user_id'), ['user_id'],
                              unique=False)
        batch_op.create_index('ix_privacy_erasure_status', ['status', 'requested_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('privacy_erasure_request', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_erasure_status')
        batch_op.drop_index(batch_op.f('ix_privacy_erasure_request_user_id'))
    op.drop_table('privacy_erasure_request')
