"""The workspace every storage benchmark reads: generated once per scale and schema, then reused.

SQLite by default (a file in the work directory); PostgreSQL when given a URL, in the schema its
search_path names. A build is reused only if its marker names the same scale, generator version
and schema revision; a partial or outdated build is dropped and made again. A PostgreSQL schema
that holds tables but no benchmark marker is refused, never dropped.
"""

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

import cmconsole.storage
from benchmarks import generate
from benchmarks.generate import Facts
from benchmarks.sinks import MARKER_TABLE, PostgresSink, SqliteSink
from cmconsole.wiring import open_services

_MIGRATIONS = Path(cmconsole.storage.__file__).parent / "migrations"


@dataclass(frozen=True)
class Workspace:
    url: str
    database: str  # "sqlite" or "postgresql"
    facts: Facts
    built_in: float | None  # seconds, if it was built by this run


def schema_revision() -> str:
    head = ScriptDirectory(str(_MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def prepare(scale: str, db: str | None, workdir: Path, say: Callable[[str], None]) -> Workspace:
    url = db or f"sqlite:///{workdir / f'workspace-{scale}.db'}"
    database = make_url(url).get_backend_name()
    marker = f"{scale} generator {generate.GENERATOR_VERSION} schema {schema_revision()}"
    found = _marker(url)
    if found is not None and found[0] == marker:
        return Workspace(url, database, Facts.from_json(found[1]), None)
    say(f"generating the {scale} workspace in {make_url(url).render_as_string()} …")
    started = time.perf_counter()
    _clear(url, found is not None)
    open_services(url).close()  # the migrations make the schema
    sink: SqliteSink | PostgresSink
    if database == "sqlite":
        sink = SqliteSink(Path(make_url(url).database or ""))
    else:
        sink = PostgresSink(conninfo(url))
    facts = generate.build(sink, scale)
    sink.finish(marker, facts)
    took = time.perf_counter() - started
    say(f"generated in {took:.0f} s: {facts.counts}")
    return Workspace(url, database, facts, took)


def conninfo(url: str) -> str:
    """A libpq URI for a SQLAlchemy PostgreSQL URL (its search_path option included)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _marker(url: str) -> tuple[str, str] | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not Path(parsed.database or "").exists():
            return None
        with _closing(sqlite3.connect(parsed.database or "")) as db:
            return _read_marker(db.execute(_TABLES_SQLITE).fetchall(), db.execute)
    with psycopg.connect(conninfo(url)) as pg:
        return _read_marker(pg.execute(_TABLES_PG).fetchall(), pg.execute)


_TABLES_SQLITE = "SELECT name FROM sqlite_master WHERE type = 'table'"
_TABLES_PG = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


def _read_marker(tables: list[Any], execute: Callable[..., Any]) -> tuple[str, str] | None:
    if (MARKER_TABLE,) not in [tuple(t) for t in tables]:
        return ("", "") if tables else None
    values = dict(execute(f"SELECT name, value FROM {MARKER_TABLE}").fetchall())
    return values.get("build", ""), values.get("facts", "")


def _clear(url: str, ours: bool) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return
    with psycopg.connect(conninfo(url), autocommit=True) as pg:
        schema = pg.execute("SELECT current_schema()").fetchone()
        if schema is None or schema[0] is None:
            raise SystemExit(f"{parsed.render_as_string()}: its search_path names no schema")
        tables = pg.execute(_TABLES_PG).fetchall()
        if tables and not ours:
            raise SystemExit(
                f"schema {schema[0]} holds tables that no benchmark made: "
                "point --db at an empty schema or database"
            )
        if tables:
            pg.execute(f'DROP SCHEMA "{schema[0]}" CASCADE')
            pg.execute(f'CREATE SCHEMA "{schema[0]}"')


class _closing:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *_: object) -> None:
        self.db.close()


class Plain:
    """The bare driver on the same database: the baselines' side of each comparison."""

    def __init__(self, workspace: Workspace) -> None:
        self.database = workspace.database
        self._sqlite: sqlite3.Connection | None = None
        self._pg: psycopg.Connection[Any] | None = None
        if self.database == "sqlite":
            self._sqlite = sqlite3.connect(make_url(workspace.url).database or "")
        else:
            self._pg = psycopg.connect(conninfo(workspace.url), autocommit=True)

    def time(self, moment: datetime) -> object:
        """A timestamp parameter, as this database compares them."""
        if self._sqlite is not None:
            return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return moment

    def fetch(self, sql: str, parameters: tuple[object, ...] = ()) -> list[Any]:
        """Run `sql` (written with ? placeholders) and return every row."""
        if self._sqlite is not None:
            return self._sqlite.execute(sql, parameters).fetchall()
        assert self._pg is not None
        return self._pg.execute(sql.replace("?", "%s"), parameters).fetchall()

    def fetch_in_transaction(
        self, setup: str, sql: str, parameters: tuple[object, ...]
    ) -> list[Any]:
        """Run `setup` then `sql` in one transaction, as a service's unit of work does."""
        if self._sqlite is not None:
            return self.fetch(sql, parameters)
        assert self._pg is not None
        with self._pg.transaction():
            self._pg.execute(setup)
            return self._pg.execute(sql.replace("?", "%s"), parameters).fetchall()

    def stream(self, sql: str) -> Iterator[Any]:
        """The rows of `sql`, fetched in batches (a server-side cursor on PostgreSQL, inside a
        transaction as the service's own walk is)."""
        if self._sqlite is not None:
            yield from self._sqlite.execute(sql)
            return
        assert self._pg is not None
        with self._pg.transaction(), self._pg.cursor(name="plain_stream") as cursor:
            cursor.itersize = 5000
            cursor.execute(sql)
            yield from cursor

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            self._pg.close()
