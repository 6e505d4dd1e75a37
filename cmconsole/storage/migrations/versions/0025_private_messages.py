"""Private messages: whether a message from the public was private (Mastodon's `direct`
visibility), and whether a sandbox post was, so the demo's public can write in private too.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "inbound_message",
        sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "sandbox_post",
        sa.Column("private", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): rebuilding either table would trip the foreign keys
    # that point at it.
    op.drop_column("sandbox_post", "private")
    op.drop_column("inbound_message", "private")
