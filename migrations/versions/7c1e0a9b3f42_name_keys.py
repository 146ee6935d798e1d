"""name keys: French sort and accent-free search of organisations and people

Revision ID: 7c1e0a9b3f42
Revises: d5c1cbcd9ace
Create Date: 2026-12-02 10:00:00

Adds ``organisation.name_key`` and ``user_account.name_key`` (``core.text.collation_key`` of
the name; byte order on PostgreSQL) and fills them for the rows already there, with the
key function of the code that ships this revision (the model refreshes them on every write).
"""
from alembic import op
import sqlalchemy as sa

from intranet.core.text import collation_key

# revision identifiers, used by Alembic.
revision = '7c1e0a9b3f42'
down_revision = 'd5c1cbcd9ace'
branch_labels = None
depends_on = None

KEY = sa.String(length=250, collation='C').with_variant(sa.String(length=250), 'sqlite')


def upgrade():
    for table in ('organisation', 'user_account'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', KEY, nullable=False, server_default=''))
    bind = op.get_bind()
    organisations = sa.table('organisation', sa.column('id'), sa.column('name'),
                             sa.column('name_key'))
    for ident, name in bind.execute(sa.select(organisations.c.id, organisations.c.name)).all():
        bind.execute(organisations.update().where(organisations.c.id == ident)
                     .values(name_key=collation_key(name)))
    people = sa.table('user_account', sa.column('id'), sa.column('first_name'),
                      sa.column('last_name'), sa.column('email'), sa.column('name_key'))
    for ident, first, last, email in bind.execute(sa.select(
            people.c.id, people.c.first_name, people.c.last_name, people.c.email)).all():
        bind.execute(people.update().where(people.c.id == ident)
                     .values(name_key=collation_key(f"{last or ''} {first or ''}")
                             or collation_key(email)))
    for table in ('organisation', 'user_account'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('name_key', server_default=None)
            batch_op.create_index(batch_op.f(f'ix_{table}_name_key'), ['name_key'], unique=False)


def downgrade():
    for table in ('user_account', 'organisation'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_name_key'))
            batch_op.drop_column('name_key')
