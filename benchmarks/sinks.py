"""Bulk loading into a migrated workspace: sqlite3 executemany, or PostgreSQL COPY.

Both drop the secondary indexes (and SQLite's full-text triggers) before loading and recreate them
from their own stored definitions afterwards, so the schema is exactly the one the migrations made.
"""

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.generate import Facts, timestamp_formatter

MARKER_TABLE = "benchmark_build"
# The migrations say content hashing began with the (then empty) tables; the generator says
# where it began in the history it writes.
_NO_HASHING_START = "DELETE FROM content_hashing_start"
# SQLite's full-text tables over the loaded rows, filled once at the end (their triggers dropped).
_FULL_TEXT = ("post_text", "inbound_search", "reply_search")
# PostgreSQL's tables with stored search words (migration 0014).
_SEARCHED = ("inbound_message", "post")
_MARKER = f"CREATE TABLE {MARKER_TABLE} (name VARCHAR(32) PRIMARY KEY, value TEXT NOT NULL)"


class SqliteSink:
    def __init__(self, path: Path) -> None:
        self.stamp = timestamp_formatter(" ", "")  # how SQLAlchemy stores a datetime in SQLite
        self._db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144"):
            self._db.execute(f"PRAGMA {pragma}")
        self._indexes = self._db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        self._triggers = self._db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name IN ('post', 'inbound_message')"
        ).fetchall()
        for name, _ in self._indexes:
            self._db.execute(f'DROP INDEX "{name}"')
        for name, _ in self._triggers:
            self._db.execute(f'DROP TRIGGER "{name}"')
        self._db.execute("BEGIN")
        self._db.execute(_NO_HASHING_START)

    def rows(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(columns))
        self._db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def finish(self, marker: str, facts: Facts) -> None:
        for _, sql in self._indexes:
            self._db.execute(sql)
        for fts in _FULL_TEXT:
            self._db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        for _, sql in self._triggers:
            self._db.execute(sql)
        self._db.execute(_MARKER)
        self._db.executemany(
            f"INSERT INTO {MARKER_TABLE} VALUES (?, ?)",
            [("build", marker), ("facts", facts.to_json())],
        )
        self._db.execute("COMMIT")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.close()


class PostgresSink:
    def __init__(self, conninfo: str) -> None:
        self.stamp = timestamp_formatter(" ", "+00")
        self._db = psycopg.connect(conninfo)
        # The generated rows are consistent by construction: skip the per-row foreign-key checks.
        self._db.execute("SET session_replication_role = replica")
        self._db.execute("SET maintenance_work_mem = '256MB'")
        self._indexes = self._db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace)"
        ).fetchall()
        for name, _ in self._indexes:
            self._db.execute(f'DROP INDEX "{name}"')
        self._db.execute(_NO_HASHING_START)

    def rows(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        with (
            self._db.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def finish(self, marker: str, facts: Facts) -> None:
        for table in _SEARCHED:
            # Their search trigger is off while loading (replica mode): the words, in one pass.
            self._db.execute(f"UPDATE {table} SET search_vector = search_vector_of(alias_id, text)")
        for _, sql in self._indexes:
            self._db.execute(sql)
        tables = self._db.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND column_name = 'id' AND column_default LIKE 'nextval%'"
        ).fetchall()
        for (table,) in tables:
            # COPY wrote the ids itself: the sequences must carry on after them.
            self._db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )
        self._db.execute(_MARKER)
        self._db.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES ('build', %s), ('facts', %s)",
            (marker, facts.to_json()),
        )
        self._db.commit()
        self._db.autocommit = True
        names = self._db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
        for (name,) in names:
            # What autovacuum would soon do on its own (and the rows the update above replaced).
            vacuum = "VACUUM " if name in _SEARCHED else ""
            self._db.execute(f'{vacuum}ANALYZE "{name}"')
        self._db.close()
