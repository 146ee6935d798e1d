"""deliberations: an index covering the public list's filters (count, years, publishers)

Revision ID: c1e3a5b7d9f0
Revises: b8e0a2c4d6f7
Create Date: 2026-12-05 20:10:00
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "c1e3a5b7d9f0"
down_revision = "b8e0a2c4d6f7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_deliberation_listing", "deliberation",
                    ["status", "visibility", "sitting_date", "organisation_id"])


def downgrade():
    op.drop_index("ix_deliberation_listing", table_name="deliberation")
