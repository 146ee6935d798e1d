"""mailing lists: per-sender rules, emergency moderation, decaying bounce score (soft and hard
bounces kept with their date), attachments kept in the archive and the list's forwarding limit, outbox
messages with attached stored files

Revision ID: c9f1b3d5e7a8
Revises: a7d9f1b3c5e6
Create Date: 2026-12-05 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9f1b3d5e7a8'
down_revision = "a7d9f1b3c5e6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'list_sender_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('action', sa.Enum('accept', 'hold', 'reject', 'discard',
                                    name='list_sender_action', native_enum=False, length=30),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('list_id', 'email'),
    )
    op.create_table(
        'list_bounce',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscriber_id', sa.Integer(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('hard', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(['subscriber_id'], ['list_subscriber.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('list_bounce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_bounce_subscriber_id'), ['subscriber_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_list_bounce_received_at'), ['received_at'],
                              unique=False)
    op.create_table(
        'list_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['list_message.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('list_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_attachment_message_id'), ['message_id'],
                              unique=False)
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emergency_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('max_forward_bytes', sa.Integer(), nullable=False,
                                      server_default=str(2 * 1024 * 1024)))
    with op.batch_alter_table('list_subscriber', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bounce_score', sa.Float(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('own_address', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachments', sa.Text(), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('attachments')
    with op.batch_alter_table('list_subscriber', schema=None) as batch_op:
        batch_op.drop_column('own_address')
        batch_op.drop_column('bounce_score')
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.drop_column('max_forward_bytes')
        batch_op.drop_column('emergency_until')
    with op.batch_alter_table('list_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_attachment_message_id'))
    op.drop_table('list_attachment')
    with op.batch_alter_table('list_bounce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_bounce_received_at'))
        batch_op.drop_index(batch_op.f('ix_list_bounce_subscriber_id'))
    op.drop_table('list_bounce')
    op.drop_table('list_sender_rule')
