"""Content stamps in the audit, salted post texts, and no REPLACE or TRUNCATE on the ledger.

Audit events gain the row whose content they record and its stamp (cmconsole.domain.content);
posts gain the salt their text is hashed with. Existing posts get a salt now, so that their next
event stamps them; `content_hashing_start` keeps where stamping began, so that verification can
say how many events and rows predate it instead of calling them tampered. The ledger's triggers
now also refuse an INSERT that would replace a row (SQLite's INSERT OR REPLACE deletes without
firing delete triggers) and, on PostgreSQL, TRUNCATE of handovers (audit events had it already).

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-06 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("post", "handover", "guide_version", "operator")
# Frozen copies of the refusals the earlier revisions wrote.
_AUDIT_REFUSAL = "audit events are append-only"
_HANDOVER_REFUSAL = "handovers are immutable: write a correction instead"


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.add_column(sa.Column("content_ref", sa.String(length=48), nullable=True))
        batch_op.add_column(sa.Column("content", sa.Text(), nullable=True))
    with op.batch_alter_table("post") as batch_op:
        batch_op.add_column(sa.Column("content_salt", sa.String(length=32), nullable=True))
    random_salt = (
        "lower(hex(randomblob(16)))" if sqlite else "replace(gen_random_uuid()::text, '-', '')"
    )
    op.execute(f"UPDATE post SET content_salt = {random_salt}")
    start = op.create_table(
        "content_hashing_start",
        sa.Column("name", sa.String(length=32), primary_key=True),
        sa.Column("first_id", sa.Integer(), nullable=False),
    )
    (events,) = bind.execute(sa.text("SELECT coalesce(max(seq), 0) FROM audit_event")).one()
    marks = [{"name": "audit_event", "first_id": events + 1}]
    for table in _TABLES:
        (last,) = bind.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {table}")).one()
        marks.append({"name": table, "first_id": last + 1})
    op.bulk_insert(start, marks)
    if sqlite:
        for table, key, refusal in (
            ("audit_event", "seq", _AUDIT_REFUSAL),
            ("handover", "id", _HANDOVER_REFUSAL),
        ):
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key}) "
                f"BEGIN SELECT RAISE(ABORT, '{refusal}'); END"
            )
    else:
        op.execute(
            "CREATE TRIGGER handover_no_truncate BEFORE TRUNCATE ON handover "
            "FOR EACH STATEMENT EXECUTE FUNCTION handover_refuse_change()"
        )


def downgrade() -> None:
    # Dropping a column of the audit would rewrite the table past its own triggers.
    raise RuntimeError("the audit's content stamps cannot be removed: restore a backup instead")
