"""subsidy dossiers: instructors per programme, aids' required documents, dossiers with their
financing plan, documents, history (events) and payments

Revision ID: e5a9c3d7b1f4
Revises: b7e4a2c9d1f0
Create Date: 2026-12-05 11:21:28.697647

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a9c3d7b1f4'
down_revision = "b7e4a2c9d1f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subsidy_instructor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_subsidy_instructor_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_instructor')),
    sa.UniqueConstraint('user_id', 'programme', name=op.f('uq_subsidy_instructor_user_id'))
    )
    with op.batch_alter_table('subsidy_instructor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_instructor_programme'), ['programme'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_instructor_user_id'), ['user_id'], unique=False)

    op.create_table('subsidy_dossier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aid_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'incomplete', 'under_review', 'proposed', 'granted', 'refused', 'closed', 'lapsed', name='dossier_state', native_enum=False, length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('communes', sa.Text(), nullable=False),
    sa.Column('cost_excl_vat', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('cost_incl_vat', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount_requested', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('schedule', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('sitting_on', sa.Date(), nullable=True),
    sa.Column('amount_granted', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('works_deadline', sa.Date(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['aid_id'], ['aid.id'], name=op.f('fk_subsidy_dossier_aid_id_aid')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_subsidy_dossier_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_subsidy_dossier_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_dossier'))
    )
    with op.batch_alter_table('subsidy_dossier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_dossier_aid_id'), ['aid_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_dossier_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_dossier_state'), ['state'], unique=False)
        batch_op.create_index('ix_subsidy_dossier_state_deadline', ['state', 'works_deadline'], unique=False)

    op.create_table('subsidy_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aid_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['aid_id'], ['aid.id'], name=op.f('fk_subsidy_requirement_aid_id_aid'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_requirement'))
    )
    with op.batch_alter_table('subsidy_requirement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_requirement_aid_id'), ['aid_id'], unique=False)

    op.create_table('subsidy_dossier_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['subsidy_dossier.id'], name=op.f('fk_subsidy_dossier_document_dossier_id_subsidy_dossier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_subsidy_dossier_document_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['subsidy_requirement.id'], name=op.f('fk_subsidy_dossier_document_requirement_id_subsidy_requirement'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_dossier_document'))
    )
    with op.batch_alter_table('subsidy_dossier_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_dossier_document_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_dossier_document_requirement_id'), ['requirement_id'], unique=False)

    op.create_table('subsidy_dossier_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('from_state', sa.String(length=30), nullable=False),
    sa.Column('to_state', sa.String(length=30), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['subsidy_dossier.id'], name=op.f('fk_subsidy_dossier_event_dossier_id_subsidy_dossier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_subsidy_dossier_event_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_dossier_event'))
    )
    with op.batch_alter_table('subsidy_dossier_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_dossier_event_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('subsidy_financing_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('aid', 'public', 'private', 'own', name='funder_kind', native_enum=False, length=30), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['subsidy_dossier.id'], name=op.f('fk_subsidy_financing_line_dossier_id_subsidy_dossier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_financing_line'))
    )
    with op.batch_alter_table('subsidy_financing_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_financing_line_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('subsidy_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('advance', 'partial', 'balance', name='payment_kind', native_enum=False, length=30), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['subsidy_dossier.id'], name=op.f('fk_subsidy_payment_dossier_id_subsidy_dossier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_payment'))
    )
    with op.batch_alter_table('subsidy_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_payment_dossier_id'), ['dossier_id'], unique=False)



def downgrade():
    with op.batch_alter_table('subsidy_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_payment_dossier_id'))

    op.drop_table('subsidy_payment')
    with op.batch_alter_table('subsidy_financing_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_financing_line_dossier_id'))

    op.drop_table('subsidy_financing_line')
    with op.batch_alter_table('subsidy_dossier_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_dossier_event_dossier_id'))

    op.drop_table('subsidy_dossier_event')
    with op.batch_alter_table('subsidy_dossier_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_dossier_document_requirement_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_dossier_document_dossier_id'))

    op.drop_table('subsidy_dossier_document')
    with op.batch_alter_table('subsidy_requirement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_requirement_aid_id'))

    op.drop_table('subsidy_requirement')
    with op.batch_alter_table('subsidy_dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_subsidy_dossier_state_deadline')
        batch_op.drop_index(batch_op.f('ix_subsidy_dossier_state'))
        batch_op.drop_index(batch_op.f('ix_subsidy_dossier_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_dossier_aid_id'))

    op.drop_table('subsidy_dossier')
    with op.batch_alter_table('subsidy_instructor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subsidy_instructor_user_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_instructor_programme'))

    op.drop_table('subsidy_instructor')
