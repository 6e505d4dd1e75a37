"""An index on the contacts merged into another: a card reads its contact's merged group (notes and
ratings of every contact merged into it) by `merged_into`, which scanned the whole contact table
(846,749 rows in the busiest benchmark alias: 130 ms a read, twice per card). Few contacts are
ever merged, so the index holds only those (partial, on both engines).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MERGED = sa.text("merged_into IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_contact_merged_into",
        "contact",
        ["merged_into"],
        sqlite_where=MERGED,
        postgresql_where=MERGED,
    )


def downgrade() -> None:
    op.drop_index("ix_contact_merged_into", table_name="contact")
