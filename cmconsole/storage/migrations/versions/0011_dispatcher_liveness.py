"""Dispatcher liveness and idempotent sends: who holds each send, and a key for each post.

A `dispatcher` row per running dispatcher, beaten about every second (by the database's own
clock, so that machines' clocks never disagree about it); the post a dispatcher holds names it
(`held_by`), so that another takes the post over as soon as its holder is gone. Every post gets
an idempotency key, stable across its resends; the sandbox's public square keeps the key a post
was published with, as a channel that honours such keys does.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dispatcher",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        # Seconds since the epoch by the database's clock (SQLite: this machine's).
        sa.Column("heartbeat_at", sa.Float(), nullable=False),
        # PostgreSQL: the session advisory lock the dispatcher holds while it lives.
        sa.Column("lock_key", sa.BigInteger(), nullable=True),
    )
    # Plain ADD COLUMNs: no table rebuild, so the post table's FTS triggers stay in place.
    op.add_column("post", sa.Column("held_by", sa.String(200), nullable=True))
    op.add_column("post", sa.Column("idempotency_key", sa.String(64), nullable=True))
    op.add_column("sandbox_post", sa.Column("idempotency_key", sa.String(64), nullable=True))
    op.create_index("ix_sandbox_key", "sandbox_post", ["idempotency_key"])
    random_hex = (
        "md5(random()::text || clock_timestamp()::text || id::text)"
        if op.get_bind().dialect.name == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    op.execute(f"UPDATE post SET idempotency_key = {random_hex}")


def downgrade() -> None:
    op.drop_index("ix_sandbox_key", table_name="sandbox_post")
    op.drop_column("sandbox_post", "idempotency_key")
    op.drop_column("post", "idempotency_key")
    op.drop_column("post", "held_by")
    op.drop_table("dispatcher")
