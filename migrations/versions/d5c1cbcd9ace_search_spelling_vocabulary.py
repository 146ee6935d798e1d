"""search spelling vocabulary (PostgreSQL backend's « Vouliez-vous dire »)

Revision ID: d5c1cbcd9ace
Revises: 49d8c5ad763e
Create Date: 2026-11-27 17:07:28.716932

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd5c1cbcd9ace'
down_revision = '49d8c5ad763e'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # words as written with accents folded, not stemmed (the unaccent extension was
        # created with fr_unaccent)
        dictionary_schema = bind.scalar(sa.text(
            "SELECT n.nspname FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace "
            "WHERE d.dictname = 'unaccent'"))
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_spelling")
        op.execute("CREATE TEXT SEARCH CONFIGURATION fr_spelling (COPY = pg_catalog.simple)")
        op.execute("ALTER TEXT SEARCH CONFIGURATION fr_spelling ALTER MAPPING FOR hword, "
                   f'hword_part, word WITH "{dictionary_schema}".unaccent, simple')
    op.create_table('search_word',
    sa.Column('word', sa.String(length=100, collation='C').with_variant(sa.String(length=100), 'sqlite'), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_word'))
    )
    op.create_table('search_spelling',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('words', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['key'], ['search_entry.key'], name=op.f('fk_search_spelling_key_search_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_spelling'))
    )
    with op.batch_alter_table('search_spelling', schema=None) as batch_op:
        batch_op.create_index('ix_search_spelling_words', ['words'], unique=False, postgresql_using='gin')


def downgrade():
    with op.batch_alter_table('search_spelling', schema=None) as batch_op:
        batch_op.drop_index('ix_search_spelling_words', postgresql_using='gin')

    op.drop_table('search_spelling')
    op.drop_table('search_word')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_spelling")
