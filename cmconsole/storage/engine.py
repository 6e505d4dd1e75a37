"""Engine factory: SQLite (WAL, busy timeout, IMMEDIATE writes, deferred reads) or PostgreSQL."""

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from cmconsole.domain.errors import WorkspaceUnavailable

BUSY_TIMEOUT_MS = 5000
# The execution option that marks a connection's transactions as reads only (see `reading`).
READ_ONLY = "cmconsole_read_only"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def safe_url(url: str) -> str:
    """The URL with any password masked, fit for messages and the screen."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite workspace; None for PostgreSQL, memory or a SQLite URI."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def create_workspace_engine(url: str) -> Engine:
    """Build (but do not connect) an engine for a workspace URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise WorkspaceUnavailable(
            f"{url!r} is not a database URL: use sqlite:///PATH or postgresql+psycopg://HOST/DB"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            parsed,
            hide_parameters=True,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _make_sqlite_transactions_immediate(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed, hide_parameters=True, pool_pre_ping=True, connect_args={"connect_timeout": 5}
        )
    raise WorkspaceUnavailable(
        f"unsupported database {backend!r} in {safe_url(url)}: use SQLite or PostgreSQL"
    )


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    # pysqlite's own transaction handling begins lazily and DEFERRED: a transaction that read first
    # then fails at once with "database is locked" when another console wrote meanwhile. We take
    # the transaction boundaries from it and begin every transaction IMMEDIATE instead.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-only transaction begins DEFERRED: in WAL mode it reads one snapshot, taken at its
        # first read, and never takes the write lock, so a long read blocks no writer.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
