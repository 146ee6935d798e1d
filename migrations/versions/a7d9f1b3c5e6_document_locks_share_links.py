"""documents: a file locked for offline editing (document.locked_by_id, locked_at), files
waiting for approval (space.files_need_approval, document.pending_approval) and links shared
with people outside the network (document_share_link)

Revision ID: a7d9f1b3c5e6
Revises: f6c8e0a2b4d5
Create Date: 2026-12-05 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d9f1b3c5e6'
down_revision = "f6c8e0a2b4d5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('files_need_approval', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_approval', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('locked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('locked_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_document_locked_by_id_user_account'), 'user_account',
                                    ['locked_by_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'document_share_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('downloads', sa.Integer(), nullable=False),
        sa.Column('last_download_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_digest'),
    )
    with op.batch_alter_table('document_share_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_share_link_document_id'), ['document_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('document_share_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_share_link_document_id'))
    op.drop_table('document_share_link')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_locked_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('locked_at')
        batch_op.drop_column('locked_by_id')
        batch_op.drop_column('pending_approval')
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.drop_column('files_need_approval')
