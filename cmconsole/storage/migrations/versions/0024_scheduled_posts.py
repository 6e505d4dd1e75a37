"""Announcements set for later: a post's scheduled time, and how late an alias lets one go out
on its own before a lead decides (60 minutes unless a lead says otherwise).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 11:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("post", sa.Column("scheduled_for", sqlmodel.sql.sqltypes.UTCDateTime()))
    op.create_index("ix_post_scheduled", "post", ["alias_id", "scheduled_for"])
    op.add_column(
        "alias",
        sa.Column("late_hold_minutes", sa.Integer(), nullable=False, server_default="60"),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): rebuilding either table would trip the foreign keys
    # that point at it.
    op.drop_column("alias", "late_hold_minutes")
    op.drop_index("ix_post_scheduled", table_name="post")
    op.drop_column("post", "scheduled_for")
