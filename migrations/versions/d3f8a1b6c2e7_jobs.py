"""the job exchange: vacancy notices and their documents, applications, followed offers,
saved searches

Revision ID: d3f8a1b6c2e7
Revises: c4d2e8f1a6b3
Create Date: 2026-12-05 10:56:06.253447

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd3f8a1b6c2e7'
down_revision = 'c4d2e8f1a6b3'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('job_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_alert_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_alert'))
    )
    with op.batch_alter_table('job_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_alert_user_id'), ['user_id'], unique=False)

    op.create_table('job_offer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('missions_source', sa.Text(), nullable=False),
    sa.Column('missions_html', sa.Text(), nullable=False),
    sa.Column('missions_format', sa.String(length=10), nullable=False),
    sa.Column('profile', sa.Text(), nullable=False),
    sa.Column('specific_conditions', sa.Text(), nullable=False),
    sa.Column('filiere', sa.String(length=60), nullable=False),
    sa.Column('categorie', sa.String(length=3), nullable=False),
    sa.Column('cadre', sa.String(length=200), nullable=False),
    sa.Column('grades', sa.Text(), nullable=False),
    sa.Column('origin', sa.Enum('creation', 'vacancy', name='job_post_origin', native_enum=False, length=30), nullable=True),
    sa.Column('employment', sa.Enum('permanent', 'contract', name='job_employment', native_enum=False, length=30), nullable=True),
    sa.Column('contract_basis', sa.String(length=20), nullable=False),
    sa.Column('full_time', sa.Boolean(), nullable=False),
    sa.Column('hours_per_week', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('place_id', sa.Integer(), nullable=True),
    sa.Column('vacancy_date', sa.Date(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('salary', sa.String(length=200), nullable=False),
    sa.Column('salary_min', sa.Integer(), nullable=True),
    sa.Column('salary_max', sa.Integer(), nullable=True),
    sa.Column('how_to_apply', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('outcome', sa.Enum('filled', 'closed', name='job_outcome', native_enum=False, length=30), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('republished_from_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_job_offer_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_job_offer_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['organisation.id'], name=op.f('fk_job_offer_place_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['republished_from_id'], ['job_offer.id'], name=op.f('fk_job_offer_republished_from_id_job_offer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_offer'))
    )
    with op.batch_alter_table('job_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_offer_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_offer_place_id'), ['place_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_offer_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_offer_status'), ['status'], unique=False)
        batch_op.create_index('ix_job_offer_status_closes', ['status', 'closes_on'], unique=False)

    op.create_table('job_application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('unconfirmed', 'received', 'shortlisted', 'interviewed', 'rejected', 'hired', name='job_application_status', native_enum=False, length=30), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('cv_id', sa.Integer(), nullable=True),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cv_id'], ['stored_file.id'], name=op.f('fk_job_application_cv_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['letter_id'], ['stored_file.id'], name=op.f('fk_job_application_letter_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['job_offer.id'], name=op.f('fk_job_application_offer_id_job_offer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_application_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_application'))
    )
    with op.batch_alter_table('job_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_application_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_application_user_id'), ['user_id'], unique=False)

    op.create_table('job_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_job_document_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['job_offer.id'], name=op.f('fk_job_document_offer_id_job_offer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_document'))
    )
    with op.batch_alter_table('job_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_document_offer_id'), ['offer_id'], unique=False)

    op.create_table('job_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['job_offer.id'], name=op.f('fk_job_follow_offer_id_job_offer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_job_follow_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_follow')),
    sa.UniqueConstraint('user_id', 'offer_id', name='uq_job_follow')
    )
    with op.batch_alter_table('job_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_follow_offer_id'), ['offer_id'], unique=False)




def downgrade():

    with op.batch_alter_table('job_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_follow_offer_id'))

    op.drop_table('job_follow')
    with op.batch_alter_table('job_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_document_offer_id'))

    op.drop_table('job_document')
    with op.batch_alter_table('job_application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_application_user_id'))
        batch_op.drop_index(batch_op.f('ix_job_application_offer_id'))

    op.drop_table('job_application')
    with op.batch_alter_table('job_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_job_offer_status_closes')
        batch_op.drop_index(batch_op.f('ix_job_offer_status'))
        batch_op.drop_index(batch_op.f('ix_job_offer_published_at'))
        batch_op.drop_index(batch_op.f('ix_job_offer_place_id'))
        batch_op.drop_index(batch_op.f('ix_job_offer_organisation_id'))

    op.drop_table('job_offer')
    with op.batch_alter_table('job_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_alert_user_id'))

    op.drop_table('job_alert')

