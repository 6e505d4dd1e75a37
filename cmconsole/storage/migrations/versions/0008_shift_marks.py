"""Shifts remember the newest handover they saw at start and end (the gate compares ids).

Existing shifts are given the marks their times imply.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 21:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("shift", sa.Column("start_mark", sa.Integer(), nullable=True))
    op.add_column("shift", sa.Column("end_mark", sa.Integer(), nullable=True))
    for mark, moment in (("start_mark", "started_at"), ("end_mark", "ended_at")):
        op.execute(
            f"UPDATE shift SET {mark} = (SELECT COALESCE(MAX(handover.id), 0) FROM handover "
            f"WHERE handover.alias_id = shift.alias_id AND handover.written_at <= shift.{moment}) "
            f"WHERE {moment} IS NOT NULL"
        )


def downgrade() -> None:
    op.drop_column("shift", "end_mark")
    op.drop_column("shift", "start_mark")
