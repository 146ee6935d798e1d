"""the generations of spaces, folders and resources: a space found by its address, a library's
folders, the resources a person may book, kept across requests

A generation without a row reads as « nothing may be reused » until its first change writes the
row: « spaces », « folders » and « resources » get theirs now, so that an existing database keeps
them at once.

Revision ID: b3d5f7a9c1e2
Revises: a7c9e1f3b5d7
Create Date: 2026-12-06 19:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "b3d5f7a9c1e2"
down_revision = "a7c9e1f3b5d7"
branch_labels = None
depends_on = None

NAMES = ("spaces", "folders", "resources")
generation = sa.table("generation", sa.column("name", sa.String), sa.column("token", sa.String))


def upgrade():
    connection = op.get_bind()
    present = set(connection.scalars(sa.select(generation.c.name)))
    missing = [{"name": name, "token": secrets.token_hex(16)} for name in NAMES
               if name not in present]
    if missing:
        op.bulk_insert(generation, missing)


def downgrade():
    op.execute(generation.delete().where(generation.c.name.in_(NAMES)))
