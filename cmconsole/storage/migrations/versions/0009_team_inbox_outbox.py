"""The team inbox and the outbox: contact threads, claims, send attempts, leases, saved replies.

Existing messages are gathered into threads, answered or not as their replies say.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs: no table rebuild, so the post table's FTS triggers stay in place.
    op.add_column("post", sa.Column("retry_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column(
        "post", sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    op.create_index("ix_inbound_contact", "inbound_message", ["alias_id", "author_handle", "id"])
    op.create_table(
        "post_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("dispatcher", sa.String(100), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_post_attempt_post", "post_attempt", ["post_id", "number"])
    op.create_table(
        "contact_thread",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("contact_handle", sa.String(64), nullable=False),
        sa.Column("last_inbound_id", sa.Integer(), nullable=False),
        sa.Column("last_activity_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("waiting_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("unanswered", sa.Boolean(), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("alias_id", "contact_handle", name="uq_thread_contact"),
    )
    op.create_index("ix_thread_activity", "contact_thread", ["alias_id", "last_activity_at"])
    op.create_index(
        "ix_thread_unanswered", "contact_thread", ["alias_id", "unanswered", "last_activity_at"]
    )
    op.create_table(
        "claim",
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), primary_key=True),
        sa.Column("contact_handle", sa.String(64), primary_key=True),
        sa.Column("operator_id", sa.Integer(), sa.ForeignKey("operator.id"), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "saved_reply",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alias_id", sa.Integer(), sa.ForeignKey("alias.id"), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("operator.id"), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("alias_id", "name", name="uq_saved_reply_name"),
    )
    # Every contact who ever wrote gets a thread; it waits since its oldest message that no live
    # reply answers, counting only messages newer than the last one answered.
    op.execute(
        "INSERT INTO contact_thread (alias_id, contact_handle, last_inbound_id, "
        "last_activity_at, waiting_since, unanswered, message_count) "
        "SELECT alias_id, author_handle, MAX(id), MAX(received_at), NULL, FALSE, COUNT(*) "
        "FROM inbound_message GROUP BY alias_id, author_handle"
    )
    op.execute(
        "UPDATE contact_thread SET waiting_since = ("
        "SELECT MIN(later.received_at) FROM inbound_message later "
        "WHERE later.alias_id = contact_thread.alias_id "
        "AND later.author_handle = contact_thread.contact_handle "
        "AND later.id > COALESCE((SELECT MAX(m.id) FROM inbound_message m "
        "JOIN post ON post.in_reply_to_id = m.id AND post.status NOT IN ('rejected', 'failed') "
        "WHERE m.alias_id = contact_thread.alias_id "
        "AND m.author_handle = contact_thread.contact_handle), 0))"
    )
    op.execute("UPDATE contact_thread SET unanswered = (waiting_since IS NOT NULL)")


def downgrade() -> None:
    op.drop_table("saved_reply")
    op.drop_table("claim")
    op.drop_index("ix_thread_unanswered", "contact_thread")
    op.drop_index("ix_thread_activity", "contact_thread")
    op.drop_table("contact_thread")
    op.drop_index("ix_post_attempt_post", "post_attempt")
    op.drop_table("post_attempt")
    op.drop_index("ix_inbound_contact", "inbound_message")
    op.drop_column("post", "lease_until")
    op.drop_column("post", "retry_at")
