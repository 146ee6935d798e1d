"""accessibility audits

Revision ID: 57b2834b1f48
Revises: 7c1e0a9b3f42
Create Date: 2026-12-05 04:37:31.068822

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '57b2834b1f48'
down_revision = '7c1e0a9b3f42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accessibility_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audited_on', sa.Date(), nullable=False),
    sa.Column('auditor', sa.String(length=200), nullable=False),
    sa.Column('compliance_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('non_compliances', sa.Text(), nullable=False),
    sa.Column('derogations', sa.Text(), nullable=False),
    sa.Column('exemptions', sa.Text(), nullable=False),
    sa.Column('pages_checked', sa.Text(), nullable=False),
    sa.Column('test_environment', sa.Text(), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_accessibility_audit_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accessibility_audit'))
    )


def downgrade():
    op.drop_table('accessibility_audit')
