"""organisations, people, spaces, audit log, outbox

Revision ID: 552e8764705a
Revises: 
Create Date: 2026-11-25 03:17:49.912557

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '552e8764705a'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('departement', 'region', 'prefecture', 'association_maires', 'centre_gestion', 'commune', 'epci', 'autre', name='org_kind', native_enum=False, length=30), nullable=False),
    sa.Column('insee_code', sa.String(length=5), nullable=True),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('epci_id', sa.Integer(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['epci_id'], ['organisation.id'], name=op.f('fk_organisation_epci_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('insee_code', name=op.f('uq_organisation_insee_code')),
    sa.UniqueConstraint('siren', name=op.f('uq_organisation_siren')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisation_slug'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_epci_id'), ['epci_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisation_kind'), ['kind'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='outbox_status', native_enum=False, length=30), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('function', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('photo_path', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_platform_admin', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('token_generation', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_event_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_action_created', ['action', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_ip'), ['ip'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'editor', 'moderator', 'admin', name='role', native_enum=False, length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_membership_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_membership_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership')),
    sa.UniqueConstraint('user_id', 'organisation_id', name=op.f('uq_membership_user_id'))
    )
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_user_id'), ['user_id'], unique=False)

    op.create_table('space',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('organisation', 'open', 'group', name='space_kind', native_enum=False, length=30), nullable=False),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=False),
    sa.Column('join_policy', sa.Enum('open', 'request', 'closed', name='join_policy', native_enum=False, length=30), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_space_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space')),
    sa.UniqueConstraint('slug', name=op.f('uq_space_slug'))
    )
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_space_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('verb', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_activity_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_activity_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_activity_space_created', ['space_id', 'created_at'], unique=False)

    op.create_table('space_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'editor', 'moderator', 'admin', name='role', native_enum=False, length=30), nullable=False),
    sa.Column('status', sa.Enum('active', 'pending', name='member_status', native_enum=False, length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_space_member_space_id_space'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_space_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_member')),
    sa.UniqueConstraint('space_id', 'user_id', name=op.f('uq_space_member_space_id'))
    )
    with op.batch_alter_table('space_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_member_space_id'), ['space_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_space_member_user_id'), ['user_id'], unique=False)

    op.create_table('space_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('org_kind', sa.Enum('departement', 'region', 'prefecture', 'association_maires', 'centre_gestion', 'commune', 'epci', 'autre', name='org_kind', native_enum=False, length=30), nullable=True),
    sa.Column('epci_id', sa.Integer(), nullable=True),
    sa.Column('min_role', sa.Enum('member', 'editor', 'moderator', 'admin', name='role', native_enum=False, length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['epci_id'], ['organisation.id'], name=op.f('fk_space_rule_epci_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_space_rule_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_space_rule_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_rule'))
    )
    with op.batch_alter_table('space_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_rule_space_id'), ['space_id'], unique=False)



def downgrade():
    with op.batch_alter_table('space_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_space_rule_space_id'))

    op.drop_table('space_rule')
    with op.batch_alter_table('space_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_space_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_space_member_space_id'))

    op.drop_table('space_member')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_space_created')
        batch_op.drop_index(batch_op.f('ix_activity_created_at'))

    op.drop_table('activity')
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_space_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_space_kind'))

    op.drop_table('space')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_user_id'))
        batch_op.drop_index(batch_op.f('ix_membership_organisation_id'))

    op.drop_table('membership')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_ip'))
        batch_op.drop_index(batch_op.f('ix_audit_event_created_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index('ix_audit_action_created')

    op.drop_table('audit_event')
    op.drop_table('user_account')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_kind'))
        batch_op.drop_index(batch_op.f('ix_organisation_epci_id'))

    op.drop_table('organisation')
