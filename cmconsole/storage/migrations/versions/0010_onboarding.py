"""Onboarding: the track's steps a trainee has done, and their practice replies.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "onboarding_step",
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), primary_key=True),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("operator.id"), primary_key=True),
        sa.Column("step", sa.String(120), primary_key=True),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "practice_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        sa.Column("inbound_id", sa.Integer(), sa.ForeignKey("inbound_message.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("closeness", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_practice_operator", "practice_reply", ["alias_id", "operator_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_practice_operator", "practice_reply")
    op.drop_table("practice_reply")
    op.drop_table("onboarding_step")
