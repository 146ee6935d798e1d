"""acts: a sitting's agenda and minutes (procès-verbal); messaging: people added from a
message on, messages changed or deleted, lines of the site

Revision ID: f6c8e0a2b4d5
Revises: e5b7d9f1a3c4
Create Date: 2026-12-05 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6c8e0a2b4d5'
down_revision = "e5b7d9f1a3c4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sitting_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_sitting_minutes_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_sitting_minutes_file_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_sitting_minutes_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sitting_id'], ['deliberation_sitting.id'], name=op.f('fk_sitting_minutes_sitting_id_deliberation_sitting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sitting_minutes')),
    sa.UniqueConstraint('sitting_id', name=op.f('uq_sitting_minutes_sitting_id'))
    )
    with op.batch_alter_table('sitting_minutes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sitting_minutes_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sitting_minutes_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sitting_minutes_status'), ['status'], unique=False)

    with op.batch_alter_table('deliberation_sitting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('conversation_participant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visible_from_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('conversation_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_system', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('conversation_message', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('edited_at')
        batch_op.drop_column('is_system')

    with op.batch_alter_table('conversation_participant', schema=None) as batch_op:
        batch_op.drop_column('visible_from_id')

    with op.batch_alter_table('deliberation_sitting', schema=None) as batch_op:
        batch_op.drop_column('agenda')

    with op.batch_alter_table('sitting_minutes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sitting_minutes_status'))
        batch_op.drop_index(batch_op.f('ix_sitting_minutes_published_at'))
        batch_op.drop_index(batch_op.f('ix_sitting_minutes_organisation_id'))

    op.drop_table('sitting_minutes')
