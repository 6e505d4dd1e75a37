"""Audit events hashed over their stored text: times become sortable UTC text; one re-chain.

Before this revision an event's hash covered a JSON re-serialisation of its fields, which made
verifying a long chain slow. From here on it covers the stored text of the fields joined by a
separator (see cmconsole.domain.audit_chain). The existing events are re-hashed once, in order,
inside this migration's transaction; their content does not change.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 21:15:00
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSAL = "audit events are append-only"
# Frozen copies of the encoding at this revision: a later change to the domain must not change
# what this migration wrote.
_SEPARATOR = "\x1f"


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    _drop_triggers(sqlite)
    if sqlite:
        with op.batch_alter_table("audit_event") as batch_op:
            batch_op.alter_column(
                "occurred_at", type_=sa.String(length=32), existing_nullable=False
            )
    else:
        op.execute(
            "ALTER TABLE audit_event ALTER COLUMN occurred_at TYPE VARCHAR(32) USING "
            "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        )
    rows = bind.execute(
        sa.text(
            "SELECT seq, occurred_at, kind, actor_id, alias_id, subject, details "
            "FROM audit_event ORDER BY seq"
        )
    ).fetchall()
    prev = "0" * 64
    for seq, occurred, kind, actor, alias, subject, details in rows:
        stamped = occurred if occurred.endswith("Z") else _stamp(datetime.fromisoformat(occurred))
        canonical = json.dumps(
            json.loads(details), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        text = _SEPARATOR.join(
            (
                str(seq),
                stamped,
                kind,
                "" if actor is None else str(actor),
                "" if alias is None else str(alias),
                subject,
                canonical,
                prev,
            )
        )
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        bind.execute(
            sa.text(
                "UPDATE audit_event SET occurred_at = :at, details = :details, "
                "prev_hash = :prev, hash = :hash WHERE seq = :seq"
            ),
            {"at": stamped, "details": canonical, "prev": prev, "hash": digest, "seq": seq},
        )
        prev = digest
    _create_triggers(sqlite)


def downgrade() -> None:
    raise RuntimeError("the audit cannot go back to hashes of its old encoding")


def _drop_triggers(sqlite: bool) -> None:
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")


def _create_triggers(sqlite: bool) -> None:
    if sqlite:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{action.lower()} BEFORE {action} ON audit_event "
                f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
            )
        return
    op.execute(
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_change()"
    )
