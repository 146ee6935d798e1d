"""documents, publications, search

Revision ID: f987ba089807
Revises: de036ac3250f
Create Date: 2026-11-25 03:52:24.970841

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'f987ba089807'
down_revision = 'de036ac3250f'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # French full-text search with accents folded, for SEARCH_BACKEND=postgres. Two
        # upgrades at once on a database without the extension would both create it: the
        # lock (search/backends/postgres.py, CONFIGURATION_LOCK) makes the second wait.
        op.execute(sa.text("SELECT pg_advisory_xact_lock(:key)").bindparams(
            key=int.from_bytes(b"fr_unacc", "big") >> 1))
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
        dictionary_schema = bind.scalar(sa.text(
            "SELECT n.nspname FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace "
            "WHERE d.dictname = 'unaccent'"))
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent")
        op.execute("CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = pg_catalog.french)")
        op.execute("ALTER TEXT SEARCH CONFIGURATION fr_unaccent ALTER MAPPING FOR hword, "
                   f'hword_part, word WITH "{dictionary_schema}".unaccent, french_stem')
    op.create_table('nomenclature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('code_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomenclature')),
    sa.UniqueConstraint('name', name=op.f('uq_nomenclature_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_nomenclature_slug'))
    )
    op.create_table('search_entry',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('narrow', sa.String(length=10), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('has_readers', sa.Boolean(), nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_entry'))
    )
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entry_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entry_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_entry_space_id'), ['space_id'], unique=False)
        batch_op.create_index('ix_search_entry_tsv', ['tsv'], unique=False, postgresql_using='gin')
        batch_op.create_index(batch_op.f('ix_search_entry_type'), ['type'], unique=False)

    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue'))
    )
    with op.batch_alter_table('search_queue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_queue_key'), ['key'], unique=False)

    op.create_table('aid',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('search_title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=180), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=False),
    sa.Column('eligible_expenses', sa.Text(), nullable=False),
    sa.Column('rate_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('ceiling_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('fixed_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('permanent', sa.Boolean(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('programme', sa.String(length=200), nullable=False),
    sa.Column('service', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_aid_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_aid_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid')),
    sa.UniqueConstraint('public_id', name=op.f('uq_aid_public_id'))
    )
    with op.batch_alter_table('aid', schema=None) as batch_op:
        batch_op.create_index('ix_aid_dates', ['permanent', 'opens_on', 'closes_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_aid_status'), ['status'], unique=False)

    op.create_table('deliberation_settings',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('publication_mode', sa.Enum('electronique', 'affichage', 'papier', name='act_publication_mode', native_enum=False, length=30), nullable=False),
    sa.Column('mode_chosen_on', sa.Date(), nullable=True),
    sa.Column('mode_deliberation_number', sa.String(length=15), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_deliberation_settings_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_deliberation_settings_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_deliberation_settings'))
    )
    op.create_table('deliberation_sitting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('assembly', sa.Enum('conseil_municipal', 'conseil_communautaire', 'conseil_departemental', 'commission_permanente', 'bureau', 'autre', name='deliberation_assembly', native_enum=False, length=30), nullable=False),
    sa.Column('sitting_date', sa.Date(), nullable=False),
    sa.Column('list_published_at', sa.DateTime(), nullable=True),
    sa.Column('list_published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['list_published_by_id'], ['user_account.id'], name=op.f('fk_deliberation_sitting_list_published_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_deliberation_sitting_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_sitting')),
    sa.UniqueConstraint('organisation_id', 'assembly', 'sitting_date', name='uq_deliberation_sitting')
    )
    with op.batch_alter_table('deliberation_sitting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_sitting_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_sitting_sitting_date'), ['sitting_date'], unique=False)

    op.create_table('nomenclature_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nomenclature_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('child_count', sa.Integer(), nullable=False),
    sa.Column('search_text', sa.String(length=540), nullable=False),
    sa.ForeignKeyConstraint(['nomenclature_id'], ['nomenclature.id'], name=op.f('fk_nomenclature_code_nomenclature_id_nomenclature'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['nomenclature_code.id'], name=op.f('fk_nomenclature_code_parent_id_nomenclature_code'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nomenclature_code')),
    sa.UniqueConstraint('nomenclature_id', 'code', name=op.f('uq_nomenclature_code_nomenclature_id'))
    )
    with op.batch_alter_table('nomenclature_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomenclature_code_code'), ['code'], unique=False)
        batch_op.create_index('ix_nomenclature_code_parent', ['nomenclature_id', 'parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomenclature_code_parent_id'), ['parent_id'], unique=False)

    op.create_table('org_chart_setting',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_org_chart_setting_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_org_chart_setting'))
    )
    op.create_table('org_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('direction', 'service', 'bureau', 'autre', name='org_unit_kind', native_enum=False, length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_org_unit_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id'], name=op.f('fk_org_unit_parent_id_org_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit'))
    )
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_org_unit_tree', ['organisation_id', 'parent_id', 'sort_order'], unique=False)

    op.create_table('press_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=False),
    sa.Column('body_format', sa.String(length=10), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_press_release_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_press_release_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_release'))
    )
    with op.batch_alter_table('press_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_release_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_release_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_release_release_date'), ['release_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_release_status'), ['status'], unique=False)

    op.create_table('procurement_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('procedure', sa.Enum('adaptee', 'appel_offres_ouvert', 'appel_offres_restreint', 'negociee', 'dialogue_competitif', 'autre', name='procurement_procedure', native_enum=False, length=30), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_procurement_notice_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_procurement_notice_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_notice'))
    )
    with op.batch_alter_table('procurement_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_notice_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_procurement_notice_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_procurement_notice_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_procurement_notice_status'), ['status'], unique=False)

    op.create_table('search_entry_reader',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['key'], ['search_entry.key'], name=op.f('fk_search_entry_reader_key_search_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', 'user_id', name=op.f('pk_search_entry_reader'))
    )
    with op.batch_alter_table('search_entry_reader', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entry_reader_user_id'), ['user_id'], unique=False)

    op.create_table('aid_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aid_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['aid_id'], ['aid.id'], name=op.f('fk_aid_document_aid_id_aid'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_aid_document_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_document'))
    )
    with op.batch_alter_table('aid_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_document_aid_id'), ['aid_id'], unique=False)

    op.create_table('aid_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('aid_id', sa.Integer(), nullable=False),
    sa.Column('facet', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['aid_id'], ['aid.id'], name=op.f('fk_aid_tag_aid_id_aid'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_aid_tag')),
    sa.UniqueConstraint('aid_id', 'facet', 'value', name=op.f('uq_aid_tag_aid_id'))
    )
    with op.batch_alter_table('aid_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aid_tag_aid_id'), ['aid_id'], unique=False)
        batch_op.create_index('ix_aid_tag_facet_value', ['facet', 'value'], unique=False)

    op.create_table('deliberation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nature', sa.Enum('deliberation', 'acte_reglementaire', 'acte_individuel', 'contrat_convention', 'budget', 'autre', name='act_nature', native_enum=False, length=30), nullable=False),
    sa.Column('number', sa.String(length=15), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('sitting_date', sa.Date(), nullable=False),
    sa.Column('assembly', sa.Enum('conseil_municipal', 'conseil_communautaire', 'conseil_departemental', 'commission_permanente', 'bureau', 'autre', name='deliberation_assembly', native_enum=False, length=30), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('matiere_code', sa.String(length=5), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('members_in_office', sa.Integer(), nullable=True),
    sa.Column('members_present', sa.Integer(), nullable=True),
    sa.Column('votes_for', sa.Integer(), nullable=True),
    sa.Column('votes_against', sa.Integer(), nullable=True),
    sa.Column('abstentions', sa.Integer(), nullable=True),
    sa.Column('budget_year', sa.String(length=9), nullable=True),
    sa.Column('budget_name', sa.String(length=200), nullable=True),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_function', sa.String(length=200), nullable=False),
    sa.Column('act_file_id', sa.Integer(), nullable=True),
    sa.Column('transmitted_on', sa.Date(), nullable=True),
    sa.Column('acknowledgement_id', sa.String(length=60), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='publication_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['act_file_id'], ['stored_file.id'], name=op.f('fk_deliberation_act_file_id_stored_file'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_deliberation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_deliberation_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sitting_id'], ['deliberation_sitting.id'], name=op.f('fk_deliberation_sitting_id_deliberation_sitting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation')),
    sa.UniqueConstraint('organisation_id', 'number', name='uq_deliberation_number')
    )
    with op.batch_alter_table('deliberation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_matiere_code'), ['matiere_code'], unique=False)
        batch_op.create_index('ix_deliberation_org_sitting_date', ['organisation_id', 'sitting_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_sitting_id'), ['sitting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliberation_status'), ['status'], unique=False)
        batch_op.create_index('ix_deliberation_status_sitting_date', ['status', 'sitting_date'], unique=False)

    op.create_table('folder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_folder_deleted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['folder.id'], name=op.f('fk_folder_parent_id_folder'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_folder_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_folder'))
    )
    with op.batch_alter_table('folder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_folder_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_folder_space_id'), ['space_id'], unique=False)

    op.create_table('org_position',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('vacant', sa.Boolean(), nullable=False),
    sa.Column('is_head', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_org_position_unit_id_org_unit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_org_position_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_position'))
    )
    with op.batch_alter_table('org_position', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_position_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_position_user_id'), ['user_id'], unique=False)

    op.create_table('page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('draft', 'pending', 'published', name='page_status', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('review_comment', sa.Text(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_page_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_page_space_id_space'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_page_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page'))
    )
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.create_index('ix_page_space_status', ['space_id', 'status'], unique=False)

    op.create_table('press_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_press_attachment_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['release_id'], ['press_release.id'], name=op.f('fk_press_attachment_release_id_press_release'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_press_attachment'))
    )
    with op.batch_alter_table('press_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_attachment_release_id'), ['release_id'], unique=False)

    op.create_table('procurement_notice_code',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['nomenclature_code.id'], name=op.f('fk_procurement_notice_code_code_id_nomenclature_code'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['procurement_notice.id'], name=op.f('fk_procurement_notice_code_notice_id_procurement_notice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notice_id', 'code_id', name=op.f('pk_procurement_notice_code'))
    )
    with op.batch_alter_table('procurement_notice_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_notice_code_code_id'), ['code_id'], unique=False)

    op.create_table('procurement_notice_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_procurement_notice_document_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['procurement_notice.id'], name=op.f('fk_procurement_notice_document_notice_id_procurement_notice'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurement_notice_document'))
    )
    with op.batch_alter_table('procurement_notice_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procurement_notice_document_notice_id'), ['notice_id'], unique=False)

    op.create_table('deliberation_annex',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deliberation_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deliberation_id'], ['deliberation.id'], name=op.f('fk_deliberation_annex_deliberation_id_deliberation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_deliberation_annex_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation_annex'))
    )
    with op.batch_alter_table('deliberation_annex', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliberation_annex_deliberation_id'), ['deliberation_id'], unique=False)

    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('folder_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_document_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_document_deleted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['folder_id'], ['folder.id'], name=op.f('fk_document_folder_id_folder'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_document_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index('ix_document_space_folder', ['space_id', 'folder_id'], unique=False)

    op.create_table('page_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_page_attachment_file_id_stored_file')),
    sa.ForeignKeyConstraint(['page_id'], ['page.id'], name=op.f('fk_page_attachment_page_id_page'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_attachment'))
    )
    with op.batch_alter_table('page_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_attachment_page_id'), ['page_id'], unique=False)

    op.create_table('page_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=10), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_page_revision_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['page_id'], ['page.id'], name=op.f('fk_page_revision_page_id_page'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_revision')),
    sa.UniqueConstraint('page_id', 'number', name=op.f('uq_page_revision_page_id'))
    )
    with op.batch_alter_table('page_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_revision_page_id'), ['page_id'], unique=False)

    op.create_table('document_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_document_version_document_id_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_document_version_file_id_stored_file')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_document_version_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_version')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_version_document_id'))
    )
    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_version_document_id'), ['document_id'], unique=False)

    # document.current_version_id ↔ document_version.document_id: added once both tables exist.
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_document_current_version_id_document_version'),
                                    'document_version', ['current_version_id'], ['id'],
                                    ondelete='SET NULL')

    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pages_need_approval', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_document_current_version_id_document_version'),
                                 type_='foreignkey')
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.drop_column('pages_need_approval')

    with op.batch_alter_table('document_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_version_document_id'))

    op.drop_table('document_version')
    with op.batch_alter_table('page_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_revision_page_id'))

    op.drop_table('page_revision')
    with op.batch_alter_table('page_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_attachment_page_id'))

    op.drop_table('page_attachment')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_space_folder')

    op.drop_table('document')
    with op.batch_alter_table('deliberation_annex', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliberation_annex_deliberation_id'))

    op.drop_table('deliberation_annex')
    with op.batch_alter_table('procurement_notice_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_notice_document_notice_id'))

    op.drop_table('procurement_notice_document')
    with op.batch_alter_table('procurement_notice_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_notice_code_code_id'))

    op.drop_table('procurement_notice_code')
    with op.batch_alter_table('press_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_attachment_release_id'))

    op.drop_table('press_attachment')
    with op.batch_alter_table('page', schema=None) as batch_op:
        batch_op.drop_index('ix_page_space_status')

    op.drop_table('page')
    with op.batch_alter_table('org_position', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_position_user_id'))
        batch_op.drop_index(batch_op.f('ix_org_position_unit_id'))

    op.drop_table('org_position')
    with op.batch_alter_table('folder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_folder_space_id'))
        batch_op.drop_index(batch_op.f('ix_folder_parent_id'))

    op.drop_table('folder')
    with op.batch_alter_table('deliberation', schema=None) as batch_op:
        batch_op.drop_index('ix_deliberation_status_sitting_date')
        batch_op.drop_index(batch_op.f('ix_deliberation_status'))
        batch_op.drop_index(batch_op.f('ix_deliberation_sitting_id'))
        batch_op.drop_index(batch_op.f('ix_deliberation_published_at'))
        batch_op.drop_index(batch_op.f('ix_deliberation_organisation_id'))
        batch_op.drop_index('ix_deliberation_org_sitting_date')
        batch_op.drop_index(batch_op.f('ix_deliberation_matiere_code'))

    op.drop_table('deliberation')
    with op.batch_alter_table('aid_tag', schema=None) as batch_op:
        batch_op.drop_index('ix_aid_tag_facet_value')
        batch_op.drop_index(batch_op.f('ix_aid_tag_aid_id'))

    op.drop_table('aid_tag')
    with op.batch_alter_table('aid_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_document_aid_id'))

    op.drop_table('aid_document')
    with op.batch_alter_table('search_entry_reader', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entry_reader_user_id'))

    op.drop_table('search_entry_reader')
    with op.batch_alter_table('procurement_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procurement_notice_status'))
        batch_op.drop_index(batch_op.f('ix_procurement_notice_published_at'))
        batch_op.drop_index(batch_op.f('ix_procurement_notice_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_procurement_notice_deadline'))

    op.drop_table('procurement_notice')
    with op.batch_alter_table('press_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_release_status'))
        batch_op.drop_index(batch_op.f('ix_press_release_release_date'))
        batch_op.drop_index(batch_op.f('ix_press_release_published_at'))
        batch_op.drop_index(batch_op.f('ix_press_release_organisation_id'))

    op.drop_table('press_release')
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index('ix_org_unit_tree')
        batch_op.drop_index(batch_op.f('ix_org_unit_parent_id'))

    op.drop_table('org_unit')
    op.drop_table('org_chart_setting')
    with op.batch_alter_table('nomenclature_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomenclature_code_parent_id'))
        batch_op.drop_index('ix_nomenclature_code_parent')
        batch_op.drop_index(batch_op.f('ix_nomenclature_code_code'))

    op.drop_table('nomenclature_code')
    with op.batch_alter_table('deliberation_sitting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliberation_sitting_sitting_date'))
        batch_op.drop_index(batch_op.f('ix_deliberation_sitting_organisation_id'))

    op.drop_table('deliberation_sitting')
    op.drop_table('deliberation_settings')
    with op.batch_alter_table('aid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aid_status'))
        batch_op.drop_index(batch_op.f('ix_aid_published_at'))
        batch_op.drop_index(batch_op.f('ix_aid_organisation_id'))
        batch_op.drop_index('ix_aid_dates')

    op.drop_table('aid')
    with op.batch_alter_table('search_queue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_queue_key'))

    op.drop_table('search_queue')
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entry_type'))
        batch_op.drop_index('ix_search_entry_tsv', postgresql_using='gin')
        batch_op.drop_index(batch_op.f('ix_search_entry_space_id'))
        batch_op.drop_index(batch_op.f('ix_search_entry_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_search_entry_date'))

    op.drop_table('search_entry')
    op.drop_table('nomenclature')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent")
