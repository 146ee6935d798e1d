"""messaging, mailing lists, forums

Revision ID: 49d8c5ad763e
Revises: da54dbad821b
Create Date: 2026-11-25 05:00:33.462780

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '49d8c5ad763e'
down_revision = 'da54dbad821b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('audience', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.Column('message_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_conversation_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation'))
    )
    op.create_table('forum_visit',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('previous_visit_at', sa.DateTime(), nullable=True),
    sa.Column('marked_read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_forum_visit_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_forum_visit'))
    )
    op.create_table('conversation_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('via_email', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_conversation_message_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_conversation_message_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_message'))
    )
    with op.batch_alter_table('conversation_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_message_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('conversation_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.Column('read_count', sa.Integer(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_conversation_participant_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_conversation_participant_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_participant')),
    sa.UniqueConstraint('conversation_id', 'user_id', name=op.f('uq_conversation_participant_conversation_id'))
    )
    with op.batch_alter_table('conversation_participant', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_participant_inbox', ['user_id', 'left_at', 'archived_at'], unique=False)

    op.create_table('forum_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_forum_category_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_category'))
    )
    with op.batch_alter_table('forum_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_category_space_id'), ['space_id'], unique=False)

    op.create_table('mailing_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('subscription_policy', sa.Enum('open', 'request', 'closed', name='list_subscription_policy', native_enum=False, length=30), nullable=False),
    sa.Column('posting_policy', sa.Enum('members', 'anyone', 'moderated', 'announce', name='list_posting_policy', native_enum=False, length=30), nullable=False),
    sa.Column('reply_to', sa.Enum('list', 'sender', name='list_reply_to', native_enum=False, length=30), nullable=False),
    sa.Column('from_rewrite', sa.Enum('auto', 'always', 'never', name='list_from_rewrite', native_enum=False, length=30), nullable=False),
    sa.Column('subject_prefix', sa.String(length=40), nullable=False),
    sa.Column('bounce_threshold', sa.Integer(), nullable=False),
    sa.Column('digest_sent_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_mailing_list_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_mailing_list_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_list')),
    sa.UniqueConstraint('name', name=op.f('uq_mailing_list_name'))
    )
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_list_space_id'), ['space_id'], unique=False)

    op.create_table('conversation_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_conversation_attachment_file_id_stored_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['conversation_message.id'], name=op.f('fk_conversation_attachment_message_id_conversation_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_attachment'))
    )
    with op.batch_alter_table('conversation_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_attachment_message_id'), ['message_id'], unique=False)

    op.create_table('forum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('open_to_network', sa.Boolean(), nullable=False),
    sa.Column('topic_count', sa.Integer(), nullable=False),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('last_post_at', sa.DateTime(), nullable=True),
    sa.Column('last_topic_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['forum_category.id'], name=op.f('fk_forum_category_id_forum_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_forum_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum'))
    )
    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_space_id'), ['space_id'], unique=False)

    op.create_table('list_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('in_reply_to', sa.String(length=250), nullable=False),
    sa.Column('references', sa.Text(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('sender_email', sa.String(length=254), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('attachments_note', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('held', 'published', 'rejected', name='list_message_status', native_enum=False, length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('moderated_by_id', sa.Integer(), nullable=True),
    sa.Column('reject_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_list_message_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_list_message_list_id_mailing_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['moderated_by_id'], ['user_account.id'], name=op.f('fk_list_message_moderated_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['list_message.id'], name=op.f('fk_list_message_parent_id_list_message'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_message')),
    sa.UniqueConstraint('list_id', 'message_id', name=op.f('uq_list_message_list_id'))
    )
    with op.batch_alter_table('list_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_list_message_thread', ['list_id', 'status', 'thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_message_thread_id'), ['thread_id'], unique=False)

    op.create_table('list_quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('envelope_from', sa.String(length=254), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('head', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_list_quarantine_list_id_mailing_list'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_quarantine'))
    )
    with op.batch_alter_table('list_quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_quarantine_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_quarantine_list_id'), ['list_id'], unique=False)

    op.create_table('list_subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.Enum('pending_confirmation', 'pending_approval', 'active', 'disabled', name='list_subscriber_status', native_enum=False, length=30), nullable=False),
    sa.Column('delivery', sa.Enum('each', 'digest', 'none', name='list_delivery_mode', native_enum=False, length=30), nullable=False),
    sa.Column('secret', sa.String(length=32), nullable=False),
    sa.Column('bounce_count', sa.Integer(), nullable=False),
    sa.Column('last_bounce_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('invited', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_list_subscriber_list_id_mailing_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_list_subscriber_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_subscriber')),
    sa.UniqueConstraint('list_id', 'email', name=op.f('uq_list_subscriber_list_id'))
    )
    with op.batch_alter_table('list_subscriber', schema=None) as batch_op:
        batch_op.create_index('ix_list_subscriber_fanout', ['list_id', 'status', 'delivery', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_subscriber_user_id'), ['user_id'], unique=False)

    op.create_table('mailing_list_moderator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_mailing_list_moderator_list_id_mailing_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mailing_list_moderator_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailing_list_moderator')),
    sa.UniqueConstraint('list_id', 'user_id', name=op.f('uq_mailing_list_moderator_list_id'))
    )
    with op.batch_alter_table('mailing_list_moderator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailing_list_moderator_user_id'), ['user_id'], unique=False)

    op.create_table('forum_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forum_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.Column('first_post_id', sa.Integer(), nullable=True),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('last_position', sa.Integer(), nullable=False),
    sa.Column('last_post_at', sa.DateTime(), nullable=True),
    sa.Column('last_post_id', sa.Integer(), nullable=True),
    sa.Column('last_post_author_id', sa.Integer(), nullable=True),
    sa.Column('view_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_forum_topic_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_forum_topic_deleted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_topic_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_post_author_id'], ['user_account.id'], name=op.f('fk_forum_topic_last_post_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_forum_topic_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_topic'))
    )
    with op.batch_alter_table('forum_topic', schema=None) as batch_op:
        batch_op.create_index('ix_forum_topic_listing', ['forum_id', 'pinned', 'last_post_at'], unique=False)
        batch_op.create_index('ix_forum_topic_space_last', ['space_id', 'last_post_at'], unique=False)

    op.create_table('list_fanout_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('digest_since', sa.DateTime(), nullable=True),
    sa.Column('digest_until', sa.DateTime(), nullable=True),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['mailing_list.id'], name=op.f('fk_list_fanout_job_list_id_mailing_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['list_message.id'], name=op.f('fk_list_fanout_job_message_id_list_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_fanout_job'))
    )
    with op.batch_alter_table('list_fanout_job', schema=None) as batch_op:
        batch_op.create_index('ix_list_fanout_pending', ['done', 'id'], unique=False)

    op.create_table('forum_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=10), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('edit_count', sa.Integer(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_forum_post_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deleted_by_id'], ['user_account.id'], name=op.f('fk_forum_post_deleted_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['user_account.id'], name=op.f('fk_forum_post_edited_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['forum_topic.id'], name=op.f('fk_forum_post_topic_id_forum_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post')),
    sa.UniqueConstraint('topic_id', 'position', name='uq_forum_post_position')
    )
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.create_index('ix_forum_post_author_created', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_forum_post_held', ['held'], unique=False)

    op.create_table('forum_read',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['topic_id'], ['forum_topic.id'], name=op.f('fk_forum_read_topic_id_forum_topic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_forum_read_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'topic_id', name=op.f('pk_forum_read'))
    )
    with op.batch_alter_table('forum_read', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_read_topic_id'), ['topic_id'], unique=False)

    op.create_table('forum_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('forum_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], name=op.f('fk_forum_subscription_forum_id_forum'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['forum_topic.id'], name=op.f('fk_forum_subscription_topic_id_forum_topic'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_forum_subscription_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_subscription')),
    sa.UniqueConstraint('user_id', 'forum_id', name='uq_forum_subscription_forum'),
    sa.UniqueConstraint('user_id', 'topic_id', name='uq_forum_subscription_topic')
    )
    with op.batch_alter_table('forum_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_subscription_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_subscription_topic_id'), ['topic_id'], unique=False)

    op.create_table('forum_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_forum_attachment_file_id_stored_file')),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_attachment_post_id_forum_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_attachment'))
    )
    with op.batch_alter_table('forum_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_attachment_post_id'), ['post_id'], unique=False)

    op.create_table('forum_post_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=10), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.Column('replaced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_post_revision_post_id_forum_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by_id'], ['user_account.id'], name=op.f('fk_forum_post_revision_written_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_post_revision'))
    )
    with op.batch_alter_table('forum_post_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_post_revision_post_id'), ['post_id'], unique=False)

    op.create_table('forum_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], name=op.f('fk_forum_report_post_id_forum_post'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_forum_report_reporter_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_forum_report_resolved_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forum_report'))
    )
    with op.batch_alter_table('forum_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_report_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_report_resolved_at'), ['resolved_at'], unique=False)



def downgrade():
    with op.batch_alter_table('forum_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_report_resolved_at'))
        batch_op.drop_index(batch_op.f('ix_forum_report_post_id'))

    op.drop_table('forum_report')
    with op.batch_alter_table('forum_post_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_post_revision_post_id'))

    op.drop_table('forum_post_revision')
    with op.batch_alter_table('forum_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_attachment_post_id'))

    op.drop_table('forum_attachment')
    with op.batch_alter_table('forum_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_subscription_topic_id'))
        batch_op.drop_index(batch_op.f('ix_forum_subscription_forum_id'))

    op.drop_table('forum_subscription')
    with op.batch_alter_table('forum_read', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_read_topic_id'))

    op.drop_table('forum_read')
    with op.batch_alter_table('forum_post', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_post_held')
        batch_op.drop_index('ix_forum_post_author_created')

    op.drop_table('forum_post')
    with op.batch_alter_table('list_fanout_job', schema=None) as batch_op:
        batch_op.drop_index('ix_list_fanout_pending')

    op.drop_table('list_fanout_job')
    with op.batch_alter_table('forum_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_topic_space_last')
        batch_op.drop_index('ix_forum_topic_listing')

    op.drop_table('forum_topic')
    with op.batch_alter_table('mailing_list_moderator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_list_moderator_user_id'))

    op.drop_table('mailing_list_moderator')
    with op.batch_alter_table('list_subscriber', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_subscriber_user_id'))
        batch_op.drop_index('ix_list_subscriber_fanout')

    op.drop_table('list_subscriber')
    with op.batch_alter_table('list_quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_quarantine_list_id'))
        batch_op.drop_index(batch_op.f('ix_list_quarantine_created_at'))

    op.drop_table('list_quarantine')
    with op.batch_alter_table('list_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_message_thread_id'))
        batch_op.drop_index('ix_list_message_thread')
        batch_op.drop_index(batch_op.f('ix_list_message_created_at'))

    op.drop_table('list_message')
    with op.batch_alter_table('forum', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_space_id'))
        batch_op.drop_index(batch_op.f('ix_forum_category_id'))

    op.drop_table('forum')
    with op.batch_alter_table('conversation_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_attachment_message_id'))

    op.drop_table('conversation_attachment')
    with op.batch_alter_table('mailing_list', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailing_list_space_id'))

    op.drop_table('mailing_list')
    with op.batch_alter_table('forum_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_category_space_id'))

    op.drop_table('forum_category')
    with op.batch_alter_table('conversation_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_participant_inbox')

    op.drop_table('conversation_participant')
    with op.batch_alter_table('conversation_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_message_conversation_id'))

    op.drop_table('conversation_message')
    op.drop_table('forum_visit')
    op.drop_table('conversation')
