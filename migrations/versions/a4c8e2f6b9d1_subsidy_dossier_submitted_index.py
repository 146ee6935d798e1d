"""subsidy dossiers: an index for the instructors' list, last submitted first

Revision ID: a4c8e2f6b9d1
Revises: f1c7a3e9b5d2
Create Date: 2026-12-05 13:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4c8e2f6b9d1'
down_revision = "f1c7a3e9b5d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subsidy_dossier', schema=None) as batch_op:
        batch_op.create_index('ix_subsidy_dossier_submitted', ['submitted_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('subsidy_dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_subsidy_dossier_submitted')
