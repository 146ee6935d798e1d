"""the generation of people and their memberships: the signed-in person, kept by each process
across requests by the user loader while nobody and no membership has changed

A generation without a row reads as « nothing may be reused » until its first change writes the
row: « people » gets its own now, so that an existing database keeps people at once.

Revision ID: d5f7b9c1e3a5
Revises: c4e6a8b0d2f4
Create Date: 2026-12-07 05:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "d5f7b9c1e3a5"
down_revision = "c4e6a8b0d2f4"
branch_labels = None
depends_on = None

NAME = "people"
generation = sa.table("generation", sa.column("name", sa.String), sa.column("token", sa.String))


def upgrade():
    connection = op.get_bind()
    if connection.scalar(sa.select(generation.c.name).where(generation.c.name == NAME)) is None:
        op.bulk_insert(generation, [{"name": NAME, "token": secrets.token_hex(16)}])


def downgrade():
    op.execute(generation.delete().where(generation.c.name == NAME))
