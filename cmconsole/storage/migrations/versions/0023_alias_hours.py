"""Each alias's business hours and reply-time target (SLA), which reports count reply times in.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alias_hours",
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), primary_key=True),
        sa.Column("business_hours", sa.String(200), nullable=False, server_default=""),
        sa.Column("sla_minutes", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("alias_hours")
