"""generations of what pages keep: organisations, acts, aids, job offers, ads, the directory,
the subsidies' instructors, press releases, org charts

A generation without a row reads as « nothing may be reused » until its first change writes the
row: each gets its row now, so that an existing database keeps the lists' choices at once.

Revision ID: a7c9e1f3b5d7
Revises: d4f6a8c0e2b1
Create Date: 2026-12-06 16:10:00
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "a7c9e1f3b5d7"
down_revision = "d4f6a8c0e2b1"
branch_labels = None
depends_on = None

NAMES = ("organisations", "deliberations", "aids", "job_offers", "ads", "directory",
         "instructors", "press", "orgcharts")
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
