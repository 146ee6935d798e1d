"""forums: subscription levels (watch all, first posts only, muted), likes, drafts kept on the
server, and the topic a merged topic redirects to

Revision ID: d0a2c4e6f8b9
Revises: c9f1b3d5e7a8
Create Date: 2026-12-05 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd0a2c4e6f8b9'
down_revision = "c9f1b3d5e7a8"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('forum_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=10), nullable=False,
                                      server_default='all'))
    with op.batch_alter_table('forum_topic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_forum_topic_merged_into_id_forum_topic', 'forum_topic',
                                    ['merged_into_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'forum_like',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['forum_post.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('post_id', 'user_id'),
    )
    with op.batch_alter_table('forum_like', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_like_user_id'), ['user_id'], unique=False)
    op.create_table(
        'forum_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=True),
        sa.Column('forum_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_format', sa.String(length=10), nullable=False),
        sa.Column('saved_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['forum_id'], ['forum.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['topic_id'], ['forum_topic.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'forum_id', name='uq_forum_draft_forum'),
        sa.UniqueConstraint('user_id', 'topic_id', name='uq_forum_draft_topic'),
    )
    with op.batch_alter_table('forum_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forum_draft_forum_id'), ['forum_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forum_draft_topic_id'), ['topic_id'], unique=False)


def downgrade():
    with op.batch_alter_table('forum_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_draft_topic_id'))
        batch_op.drop_index(batch_op.f('ix_forum_draft_forum_id'))
    op.drop_table('forum_draft')
    with op.batch_alter_table('forum_like', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forum_like_user_id'))
    op.drop_table('forum_like')
    with op.batch_alter_table('forum_topic', schema=None) as batch_op:
        batch_op.drop_constraint('fk_forum_topic_merged_into_id_forum_topic', type_='foreignkey')
        batch_op.drop_column('merged_into_id')
    with op.batch_alter_table('forum_subscription', schema=None) as batch_op:
        batch_op.drop_column('level')
