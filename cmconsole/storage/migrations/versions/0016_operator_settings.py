"""Each operator's own preferences (the notification bell, first), the same on every console;
and an index by alias and kind on the audit, which notifications read a few kinds of.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "operator_setting",
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("operator.id"), primary_key=True),
        sa.Column("name", sa.String(48), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_alias_kind", "audit_event", ["alias_id", "kind", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_alias_kind", table_name="audit_event")
    op.drop_table("operator_setting")
