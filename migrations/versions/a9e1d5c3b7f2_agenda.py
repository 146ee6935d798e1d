"""agendas: events, their changed occurrences, invitations and answers, rooms and equipment,
bookings, reminders and subscription feeds

Revision ID: a9e1d5c3b7f2
Revises: 3f6a2b8c1d95
Create Date: 2026-12-05 10:18:09.792378

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9e1d5c3b7f2'
down_revision = '3f6a2b8c1d95'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('agenda_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=43), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('with_deadlines', sa.Boolean(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agenda_feed_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_feed')),
    sa.UniqueConstraint('token', name=op.f('uq_agenda_feed_token'))
    )
    with op.batch_alter_table('agenda_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_feed_user_id'), ['user_id'], unique=False)

    op.create_table('agenda_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('room', 'vehicle', 'equipment', name='agenda_resource_kind', native_enum=False, length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_agenda_resource_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_resource'))
    )
    with op.batch_alter_table('agenda_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_resource_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('agenda_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminder', sa.Enum('none', 'hour', 'day', name='agenda_reminder', native_enum=False, length=30), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agenda_settings_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agenda_settings'))
    )
    op.create_table('agenda_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('description_source', sa.Text(), nullable=False),
    sa.Column('description_format', sa.String(length=10), nullable=False),
    sa.Column('description_text', sa.Text(), nullable=False),
    sa.Column('all_day', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.DateTime(), nullable=False),
    sa.Column('ends_on', sa.DateTime(), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=True),
    sa.Column('first_utc', sa.DateTime(), nullable=False),
    sa.Column('last_utc', sa.DateTime(), nullable=True),
    sa.Column('visibility', sa.Enum('public', 'network', 'members', name='visibility', native_enum=False, length=30), nullable=True),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_agenda_event_event_ends_after_start')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_agenda_event_owner_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_agenda_event_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_event')),
    sa.UniqueConstraint('uid', name=op.f('uq_agenda_event_uid'))
    )
    with op.batch_alter_table('agenda_event', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_event_owner_range', ['owner_id', 'first_utc'], unique=False)
        batch_op.create_index('ix_agenda_event_space_range', ['space_id', 'first_utc', 'last_utc'], unique=False)

    op.create_table('agenda_attendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('needs_action', 'accepted', 'tentative', 'declined', name='agenda_answer', native_enum=False, length=30), nullable=False),
    sa.Column('invited_as', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_event.id'], name=op.f('fk_agenda_attendee_event_id_agenda_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agenda_attendee_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_attendee')),
    sa.UniqueConstraint('event_id', 'user_id', name='uq_agenda_attendee')
    )
    with op.batch_alter_table('agenda_attendee', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_attendee_user', ['user_id'], unique=False)

    op.create_table('agenda_booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.DateTime(), nullable=False),
    sa.Column('starts_utc', sa.DateTime(), nullable=False),
    sa.Column('ends_utc', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_event.id'], name=op.f('fk_agenda_booking_event_id_agenda_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['agenda_resource.id'], name=op.f('fk_agenda_booking_resource_id_agenda_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_booking')),
    sa.UniqueConstraint('resource_id', 'event_id', 'occurrence', name='uq_agenda_booking')
    )
    with op.batch_alter_table('agenda_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_booking_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_agenda_booking_resource_range', ['resource_id', 'starts_utc'], unique=False)

    op.create_table('agenda_event_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_event.id'], name=op.f('fk_agenda_event_attachment_event_id_agenda_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_agenda_event_attachment_file_id_stored_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_event_attachment'))
    )
    with op.batch_alter_table('agenda_event_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_event_attachment_event_id'), ['event_id'], unique=False)

    op.create_table('agenda_event_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.DateTime(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.DateTime(), nullable=True),
    sa.Column('ends_on', sa.DateTime(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_event.id'], name=op.f('fk_agenda_event_change_event_id_agenda_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_event_change')),
    sa.UniqueConstraint('event_id', 'occurrence', name='uq_agenda_event_change')
    )
    op.create_table('agenda_occurrence_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Enum('needs_action', 'accepted', 'tentative', 'declined', name='agenda_answer', native_enum=False, length=30), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_event.id'], name=op.f('fk_agenda_occurrence_answer_event_id_agenda_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agenda_occurrence_answer_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_occurrence_answer')),
    sa.UniqueConstraint('event_id', 'user_id', 'occurrence', name='uq_agenda_occurrence_answer')
    )
    op.create_table('agenda_reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['agenda_event.id'], name=op.f('fk_agenda_reminder_sent_event_id_agenda_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_agenda_reminder_sent_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_reminder_sent')),
    sa.UniqueConstraint('event_id', 'user_id', 'occurrence', name='uq_agenda_reminder_sent')
    )



def downgrade():
    
    op.drop_table('agenda_reminder_sent')
    op.drop_table('agenda_occurrence_answer')
    op.drop_table('agenda_event_change')
    with op.batch_alter_table('agenda_event_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_event_attachment_event_id'))

    op.drop_table('agenda_event_attachment')
    with op.batch_alter_table('agenda_booking', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_booking_resource_range')
        batch_op.drop_index(batch_op.f('ix_agenda_booking_event_id'))

    op.drop_table('agenda_booking')
    with op.batch_alter_table('agenda_attendee', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_attendee_user')

    op.drop_table('agenda_attendee')
    with op.batch_alter_table('agenda_event', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_event_space_range')
        batch_op.drop_index('ix_agenda_event_owner_range')

    op.drop_table('agenda_event')
    op.drop_table('agenda_settings')
    with op.batch_alter_table('agenda_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_resource_organisation_id'))

    op.drop_table('agenda_resource')
    with op.batch_alter_table('agenda_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_feed_user_id'))

    op.drop_table('agenda_feed')

