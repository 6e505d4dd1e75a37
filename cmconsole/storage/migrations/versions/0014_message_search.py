"""Searching an alias's threads: the public's messages and the alias's replies, by words.

SQLite: FTS5 tables over inbound_message and post (porter stemming over unicode61 with accents
folded), kept in step by triggers and filled from the rows already there. Each also indexes the
alias's id, so that a search walks only that alias's matches, not every alias's. PostgreSQL: GIN
expression indexes over the text with its accents folded, for the French, English and 'simple'
configurations; the service's statements name the same configuration as a literal.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (the FTS5 table, the table it indexes): post_text (0006) stays as it is for Who spoke.
_FTS = (("inbound_search", "inbound_message"), ("reply_search", "post"))
_TOKENIZER = "porter unicode61 remove_diacritics 2"
# (index, table, configuration)
_GIN = (
    ("ix_inbound_search_french", "inbound_message", "french"),
    ("ix_inbound_search_english", "inbound_message", "english"),
    ("ix_inbound_search_simple", "inbound_message", "simple"),
    ("ix_post_search_french", "post", "french"),
    ("ix_post_search_english", "post", "english"),
    ("ix_post_search_simple", "post", "simple"),
)
# PostgreSQL's configurations keep accents ("reçu" is not "recu"): the text is folded first,
# with a function that needs no extension (storage/search.py folds the same way).
_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for index, table, config in _GIN:
            op.execute(
                f"CREATE INDEX {index} ON {table} USING gin "
                f"(to_tsvector('{config}', translate(text, '{_ACCENTED}', '{_PLAIN}')))"
            )
        return
    for fts, table in _FTS:
        op.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5(text, alias_id, content='{table}', "
            f"content_rowid='id', tokenize='{_TOKENIZER}')"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, text, alias_id) VALUES (new.id, new.text, new.alias_id); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, text, alias_id) "
            "VALUES ('delete', old.id, old.text, old.alias_id); END"
        )
        op.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF text ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, text, alias_id) "
            "VALUES ('delete', old.id, old.text, old.alias_id); "
            f"INSERT INTO {fts}(rowid, text, alias_id) VALUES (new.id, new.text, new.alias_id); END"
        )
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for index, _, _ in _GIN:
            op.execute(f"DROP INDEX IF EXISTS {index}")
        return
    for fts, _ in _FTS:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
