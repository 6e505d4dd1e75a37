"""Where each alias lives (an IANA time zone name): promises found in replies ("demain", "by 5
pm") are reckoned in it. Aliases made before it live in UTC until a lead says otherwise.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "alias", sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC")
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): rebuilding the alias table would trip the foreign keys
    # that point at it.
    op.drop_column("alias", "time_zone")
