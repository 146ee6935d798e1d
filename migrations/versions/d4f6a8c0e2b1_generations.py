"""generations: a token per cache that changes with the rows the cache was computed from

Revision ID: d4f6a8c0e2b1
Revises: c1e3a5b7d9f0
Create Date: 2026-12-05 22:10:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "d4f6a8c0e2b1"
down_revision = "c1e3a5b7d9f0"
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table(
        "generation",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_generation")),
    )
    op.bulk_insert(generation, [{"name": "access", "token": secrets.token_hex(16)}])


def downgrade():
    op.drop_table("generation")
