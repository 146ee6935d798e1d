"""aid alerts: saved searches of the aids directory, mailed daily or weekly

Revision ID: f1c7a3e9b5d2
Revises: e5a9c3d7b1f4
Create Date: 2026-12-05 13:12:05.599828

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "f1c7a3e9b5d2"
down_revision = "e5a9c3d7b1f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('aid_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('frequency', sa.Enum('daily', 'weekly', name='aid_alert_frequency', native_enum=False, length=30), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmation_sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_aid_alert_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_alert')),
    sa.UniqueConstraint('email', 'query', name=op.f('uq_aid_alert_email')),
    sa.UniqueConstraint('token', name=op.f('uq_aid_alert_token'))
    )
    with op.batch_alter_table('aid_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_alert_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('aid_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_alert_user_id'))

    op.drop_table('aid_alert')
