"""the generation of the search vocabulary: « Vouliez-vous dire »'s candidates of a word, kept
by each process until the index is written again

A generation without a row reads as « nothing may be reused » until its first change writes the
row: « search_words » gets its own now, so that an existing database keeps candidates at once.

Revision ID: c4e6a8b0d2f4
Revises: b3d5f7a9c1e2
Create Date: 2026-12-06 22:40:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "c4e6a8b0d2f4"
down_revision = "b3d5f7a9c1e2"
branch_labels = None
depends_on = None

NAME = "search_words"
generation = sa.table("generation", sa.column("name", sa.String), sa.column("token", sa.String))


def upgrade():
    connection = op.get_bind()
    if connection.scalar(sa.select(generation.c.name).where(generation.c.name == NAME)) is None:
        op.bulk_insert(generation, [{"name": NAME, "token": secrets.token_hex(16)}])


def downgrade():
    op.execute(generation.delete().where(generation.c.name == NAME))
