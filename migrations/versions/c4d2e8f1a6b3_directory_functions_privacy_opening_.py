"""directory: functions, privacy, opening hours, outside contacts

People get a function from the controlled list (``function_kind``), read from the free text
they had typed (``function_from_text``: « Secrétaire de mairie » → secretaire_mairie, what is
not recognised → « autre » with the text kept), and their directory choices (email and
function shown, phone hidden). Organisations get their opening hours; outside contacts their
table.

Revision ID: c4d2e8f1a6b3
Revises: a9e1d5c3b7f2
Create Date: 2026-12-05 10:15:09.103282

"""
from alembic import op
import sqlalchemy as sa

from intranet.accounts.models import PersonFunction, function_from_text


# revision identifiers, used by Alembic.
revision = 'c4d2e8f1a6b3'
down_revision = "a9e1d5c3b7f2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outside_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=250, collation='C').with_variant(sa.String(length=250), 'sqlite'), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=False),
    sa.Column('trade', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_outside_contact_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_outside_contact_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_outside_contact_space_id_space'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_contact'))
    )
    with op.batch_alter_table('outside_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outside_contact_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_outside_contact_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outside_contact_space_id'), ['space_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opening_hours', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('function_kind', sa.Enum('maire', 'adjoint', 'conseiller', 'president', 'vice_president', 'dgs', 'secretaire_mairie', 'agent_accueil', 'comptable', 'responsable_technique', 'charge_mission', 'directeur', 'autre', name='person_function', native_enum=False, length=30), nullable=True))
        batch_op.add_column(sa.Column('show_email', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('show_phone', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('show_function', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index(batch_op.f('ix_user_account_function_kind'), ['function_kind'], unique=False)

    # The free text people typed becomes a function of the list, and its precision.
    people = sa.table('user_account', sa.column('id', sa.Integer), sa.column('function', sa.String),
                      sa.column('function_kind', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(people.c.id, people.c.function)
                              .where(people.c.function != '')).all()
    for ident, text in rows:
        kind, rest = function_from_text(text)
        if kind is not None:
            connection.execute(people.update().where(people.c.id == ident)
                               .values(function_kind=kind.value, function=rest))


def downgrade():
    # The function of the list goes back into the free text, so that nothing is lost.
    people = sa.table('user_account', sa.column('id', sa.Integer), sa.column('function', sa.String),
                      sa.column('function_kind', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(people.c.id, people.c.function, people.c.function_kind)
                              .where(people.c.function_kind.is_not(None),
                                     people.c.function_kind != 'autre')).all()
    for ident, text, kind in rows:
        label = PersonFunction(kind).label
        connection.execute(people.update().where(people.c.id == ident)
                           .values(function=(f"{label} — {text}" if text else label)[:200]))
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_function_kind'))
        batch_op.drop_column('show_function')
        batch_op.drop_column('show_phone')
        batch_op.drop_column('show_email')
        batch_op.drop_column('function_kind')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('opening_hours')

    with op.batch_alter_table('outside_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outside_contact_space_id'))
        batch_op.drop_index(batch_op.f('ix_outside_contact_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_outside_contact_name_key'))

    op.drop_table('outside_contact')
