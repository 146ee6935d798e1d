"""search: scopes (container, author) in the PostgreSQL index, and saved searches mailed
daily or weekly

Revision ID: b8e0a2c4d6f7
Revises: d0a2c4e6f8b9
Create Date: 2026-12-05 16:05:00

The index's new columns are filled by ``flask search reindex`` (until then the filters
« dans ce forum / cette liste » and « auteur » find nothing older than the migration).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "b8e0a2c4d6f7"
down_revision = "d0a2c4e6f8b9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('container', sa.String(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('author_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_search_entry_container'), ['container'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_search_entry_author_id'), ['author_id'],
                              unique=False)
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.alter_column('container', server_default=None)

    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('frequency', sa.Enum('daily', 'weekly', name='saved_search_frequency', native_enum=False, length=30), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_search_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search')),
    sa.UniqueConstraint('token', name=op.f('uq_saved_search_token'))
    )
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_search_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_search_last_sent_at'), ['last_sent_at'],
                              unique=False)

    op.create_table('saved_search_sent',
    sa.Column('saved_search_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['saved_search_id'], ['saved_search.id'], name=op.f('fk_saved_search_sent_saved_search_id_saved_search'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('saved_search_id', 'key', name=op.f('pk_saved_search_sent'))
    )


def downgrade():
    op.drop_table('saved_search_sent')
    with op.batch_alter_table('saved_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_search_last_sent_at'))
        batch_op.drop_index(batch_op.f('ix_saved_search_user_id'))
    op.drop_table('saved_search')

    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entry_author_id'))
        batch_op.drop_index(batch_op.f('ix_search_entry_container'))
        batch_op.drop_column('author_id')
        batch_op.drop_column('container')
