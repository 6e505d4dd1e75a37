"""One alias, several channels: the channels each alias speaks on (with where each one's mention
feed stands, which moves out of the alias row), and the channel of every message from the public
and of every post. Existing rows take their alias's channel.

Message ids stay unique per alias, not per (alias, channel): X's ids (19-digit snowflakes),
Mastodon's (18 digits until the 25th century) and Bluesky's (at:// URIs) cannot meet, and widening
the constraint would rebuild inbound_message on SQLite, with its search triggers.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "alias_channel",
        sa.Column("alias_id", sa.Integer(), nullable=False),
        sa.Column("channel", _NAME(length=16), nullable=False),
        sa.Column("mention_cursor", _NAME(length=64), nullable=True),
        sa.Column("connected_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alias_id"], ["alias.id"]),
        sa.PrimaryKeyConstraint("alias_id", "channel"),
    )
    op.execute(
        "INSERT INTO alias_channel (alias_id, channel, mention_cursor, connected_at) "
        "SELECT id, channel, mention_cursor, created_at FROM alias"
    )
    # Plain DROP COLUMN (SQLite 3.35+): rebuilding the alias table would trip every foreign key
    # that points at it.
    op.drop_column("alias", "mention_cursor")
    for table in ("inbound_message", "post"):
        op.add_column(
            table, sa.Column("channel", _NAME(length=16), nullable=False, server_default="")
        )
        op.execute(
            f"UPDATE {table} SET channel = "
            f"(SELECT alias.channel FROM alias WHERE alias.id = {table}.alias_id)"
        )


def downgrade() -> None:
    op.drop_column("post", "channel")
    op.drop_column("inbound_message", "channel")
    op.add_column("alias", sa.Column("mention_cursor", _NAME(length=64), nullable=True))
    op.execute(
        "UPDATE alias SET mention_cursor = (SELECT c.mention_cursor FROM alias_channel AS c "
        "WHERE c.alias_id = alias.id AND c.channel = alias.channel)"
    )
    op.drop_table("alias_channel")
