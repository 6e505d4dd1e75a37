"""Searching an alias's threads: the public's messages and the alias's replies, by words.

SQLite: FTS5 tables over inbound_message and post (porter stemming over unicode61 with accents
folded), kept in step by triggers and filled from the rows already there. Each also indexes the
alias's id, so that a search walks only that alias's matches, not every alias's.
PostgreSQL: a stored tsvector on each message and post, in the alias's language (French, English, else 'simple') with
accents folded, kept by a trigger, under a GIN index; the service's statements name the same
configuration as a literal.

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
# PostgreSQL's configurations keep accents ("reçu" is not "recu"): the text is folded first,
# with a function that needs no extension (storage/search.py folds the query the same way).
_ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"
# Each message's and post's words, stored: ranking reads them instead of parsing every text
# again (a French text took 50 µs to parse and stem). Computed in the alias's language.
_VECTOR_OF = f"""
CREATE FUNCTION search_vector_of(integer, text) RETURNS tsvector
LANGUAGE sql STABLE AS $$
  SELECT to_tsvector(
    (SELECT CASE lower(left(language, 2)) WHEN 'fr' THEN 'french' WHEN 'en' THEN 'english'
            ELSE 'simple' END FROM alias WHERE id = $1)::regconfig,
    translate($2, '{_ACCENTED}', '{_PLAIN}'))
$$
"""
_FILL = """
CREATE FUNCTION search_vector_fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := search_vector_of(NEW.alias_id, NEW.text);
  RETURN NEW;
END
$$
"""
_TABLES = (("inbound_message", "ix_inbound_search"), ("post", "ix_post_search"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(_VECTOR_OF)
        op.execute(_FILL)
        for table, index in _TABLES:
            op.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector")
            op.execute(f"UPDATE {table} SET search_vector = search_vector_of(alias_id, text)")
            op.execute(
                f"CREATE TRIGGER {table}_search BEFORE INSERT OR UPDATE OF text ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION search_vector_fill()"
            )
            op.execute(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")
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
        for table, _ in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search ON {table}")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP FUNCTION IF EXISTS search_vector_fill()")
        op.execute("DROP FUNCTION IF EXISTS search_vector_of(integer, text)")
        return
    for fts, _ in _FTS:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
