"""Classified ads (ad, ad_photo, ad_report) and what a conversation is about

Revision ID: b7e4a2c9d1f0
Revises: d3f8a1b6c2e7
Create Date: 2026-12-05 10:56:17.707971

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4a2c9d1f0'
down_revision = "d3f8a1b6c2e7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ad',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('personal', sa.Boolean(), nullable=False),
    sa.Column('kind', sa.Enum('sell', 'give', 'lend', 'seek', name='ad_kind', native_enum=False, length=30), nullable=False),
    sa.Column('category', sa.Enum('vehicles', 'furniture', 'it', 'events', 'services', 'housing', 'other', name='ad_category', native_enum=False, length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('price', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('expiry_noted_at', sa.DateTime(), nullable=True),
    sa.Column('renewal_count', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['organisation.id'], name=op.f('fk_ad_commune_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_ad_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'], name=op.f('fk_ad_hidden_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_ad_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad'))
    )
    with op.batch_alter_table('ad', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_status'), ['status'], unique=False)

    op.create_table('ad_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ad_id', sa.Integer(), nullable=False),
    sa.Column('thumbnail_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_ad_photo_ad_id_ad'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_ad_photo_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thumbnail_id'], ['stored_file.id'], name=op.f('fk_ad_photo_thumbnail_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_photo'))
    )
    with op.batch_alter_table('ad_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_photo_ad_id'), ['ad_id'], unique=False)

    op.create_table('ad_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ad_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ad_id'], ['ad.id'], name=op.f('fk_ad_report_ad_id_ad'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_ad_report_reporter_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_report'))
    )
    with op.batch_alter_table('ad_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_report_ad_id'), ['ad_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ad_report_resolved_at'), ['resolved_at'], unique=False)

    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_url', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('about_label', sa.String(length=200), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('about_label')
        batch_op.drop_column('about_url')

    with op.batch_alter_table('ad_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_report_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_ad_report_ad_id'))

    op.drop_table('ad_report')
    with op.batch_alter_table('ad_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_photo_ad_id'))

    op.drop_table('ad_photo')
    with op.batch_alter_table('ad', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_status'))
        batch_op.drop_index(batch_op.f('ix_ad_published_at'))
        batch_op.drop_index(batch_op.f('ix_ad_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_ad_kind'))
        batch_op.drop_index(batch_op.f('ix_ad_expires_at'))
        batch_op.drop_index(batch_op.f('ix_ad_commune_id'))
        batch_op.drop_index(batch_op.f('ix_ad_category'))

    op.drop_table('ad')
