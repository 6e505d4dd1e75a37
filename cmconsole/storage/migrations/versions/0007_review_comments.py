"""The reviewer's comment on a trainee's reply (why it was rejected, or what was edited).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN: no table rebuild, so the post table's FTS triggers stay in place.
    op.add_column("post", sa.Column("review_comment", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("post", "review_comment")
