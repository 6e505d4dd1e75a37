"""Threads as units of work: a stored state, a closing without reply, a handing to a colleague.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The states of the threads already there, as domain.triage.thread_state derives them (nothing
# was closed or handed before this revision).
_BACKFILL = """
UPDATE contact_thread SET state = CASE
  WHEN NOT unanswered THEN 'answered'
  WHEN EXISTS (
    SELECT 1 FROM inbound_message m JOIN post p ON p.in_reply_to_id = m.id
    WHERE m.alias_id = contact_thread.alias_id AND m.author_handle = contact_thread.contact_handle
      AND m.received_at >= contact_thread.waiting_since AND p.status = 'awaiting_approval'
  ) THEN 'awaiting_approval'
  WHEN EXISTS (
    SELECT 1 FROM inbound_message m JOIN post p ON p.in_reply_to_id = m.id
    WHERE m.alias_id = contact_thread.alias_id AND m.author_handle = contact_thread.contact_handle
      AND p.status NOT IN ('awaiting_approval', 'rejected', 'failed')
  ) THEN 'open'
  ELSE 'new'
END
"""


def upgrade() -> None:
    with op.batch_alter_table("contact_thread") as table:
        table.add_column(
            sa.Column("state", sa.String(length=20), nullable=False, server_default="new")
        )
        table.add_column(sa.Column("closed_reason", sa.String(length=20), nullable=True))
        table.add_column(sa.Column("closed_note", sa.String(), nullable=True))
        table.add_column(sa.Column("closed_by", sa.Integer(), nullable=True))
        table.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        table.add_column(sa.Column("closed_upto", sa.Integer(), nullable=True))
        table.add_column(sa.Column("handed_to", sa.Integer(), nullable=True))
        table.add_column(sa.Column("handed_by", sa.Integer(), nullable=True))
        table.add_column(sa.Column("handed_at", sa.DateTime(), nullable=True))
        table.add_column(sa.Column("handed_note", sa.String(), nullable=True))
        table.create_foreign_key("fk_thread_closed_by", "operator", ["closed_by"], ["id"])
        table.create_foreign_key("fk_thread_handed_to", "operator", ["handed_to"], ["id"])
        table.create_foreign_key("fk_thread_handed_by", "operator", ["handed_by"], ["id"])
    op.execute(_BACKFILL)
    op.create_index("ix_thread_state", "contact_thread", ["alias_id", "state", "last_activity_at"])
    op.create_index("ix_thread_handed", "contact_thread", ["handed_to", "alias_id"])


def downgrade() -> None:
    op.drop_index("ix_thread_handed", table_name="contact_thread")
    op.drop_index("ix_thread_state", table_name="contact_thread")
    with op.batch_alter_table("contact_thread") as table:
        table.drop_constraint("fk_thread_handed_by", type_="foreignkey")
        table.drop_constraint("fk_thread_handed_to", type_="foreignkey")
        table.drop_constraint("fk_thread_closed_by", type_="foreignkey")
        for column in (
            "handed_note",
            "handed_at",
            "handed_by",
            "handed_to",
            "closed_upto",
            "closed_at",
            "closed_by",
            "closed_note",
            "closed_reason",
            "state",
        ):
            table.drop_column(column)
