"""pending uploads: the files of a refused form, kept for their owner

Revision ID: 7b3e9c1d2a40
Revises: 57b2834b1f48
Create Date: 2026-12-05 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b3e9c1d2a40'
down_revision = '57b2834b1f48'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=60), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'],
                                name=op.f('fk_pending_upload_file_id_stored_file'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'],
                                name=op.f('fk_pending_upload_owner_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_upload')),
        sa.UniqueConstraint('file_id', name=op.f('uq_pending_upload_file_id')),
    )
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_upload_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_pending_upload_owner_id'), ['owner_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('pending_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_upload_owner_id'))
        batch_op.drop_index(batch_op.f('ix_pending_upload_created_at'))
    op.drop_table('pending_upload')
