"""Full-text search over posts: FTS5 on SQLite (kept in step by triggers), GIN on PostgreSQL.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 21:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(
            "CREATE INDEX ix_post_text_search ON post USING gin (to_tsvector('simple', text))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE post_text USING fts5(text, content='post', content_rowid='id')"
    )
    op.execute(
        "CREATE TRIGGER post_text_insert AFTER INSERT ON post BEGIN "
        "INSERT INTO post_text(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER post_text_delete AFTER DELETE ON post BEGIN "
        "INSERT INTO post_text(post_text, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER post_text_update AFTER UPDATE OF text ON post BEGIN "
        "INSERT INTO post_text(post_text, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO post_text(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute("INSERT INTO post_text(post_text) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_post_text_search")
        return
    for trigger in ("post_text_insert", "post_text_delete", "post_text_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS post_text")
