"""list messages written in the editor keep their HTML

Revision ID: 3f6a2b8c1d95
Revises: 7b3e9c1d2a40
Create Date: 2026-12-05 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6a2b8c1d95'
down_revision = '7b3e9c1d2a40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('list_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('list_message', schema=None) as batch_op:
        batch_op.drop_column('body_html')
