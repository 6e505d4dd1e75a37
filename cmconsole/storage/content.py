"""The content stamps of stored rows: computed from the rows as they are, for the audit to record
when they are written and for verification to compare with what the audit recorded."""

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import psycopg
from sqlalchemy import text
from sqlmodel import Session

from cmconsole.domain.content import (
    guide_stamp,
    handover_stamp,
    note_stamp,
    operator_stamp,
    post_stamp,
)
from cmconsole.domain.errors import WorkspaceUnavailable

# Per content table: what names a row in a stamp's `table KEY` (a guide version is named by its
# alias and number, `guide_version 3.2`: that is what the service knows), the columns a stamp
# covers and how it is made from them.
_GUIDE_KEY = "CAST(alias_id AS VARCHAR(12)) || '.' || CAST(version AS VARCHAR(12))"
_COLUMNS: dict[str, tuple[str, str, Callable[..., str]]] = {
    "post": ("id", "content_salt, text, author_id, approver_id", post_stamp),
    "handover": ("id", "author_id, summary, content, corrects_id", handover_stamp),
    "guide_version": (_GUIDE_KEY, "alias_id, version, source", guide_stamp),
    "operator": ("id", "name, display_name", operator_stamp),
    "contact_note": (
        "id",
        "content_salt, text, author_id, contact_id, pinned, by_trainee, corrects_id",
        note_stamp,
    ),
}
_BATCH = 5000


def stamps_of(session: Session, refs: Iterable[str]) -> dict[str, str]:
    """The stamp of each row named (`post 12`), as the row is now in this transaction."""
    refs = list(refs)
    if not refs:
        return {}
    wanted: dict[str, list[int | str]] = {}
    for ref in refs:
        table, _, key = ref.partition(" ")
        if table not in _COLUMNS or not key.replace(".", "").isdigit():
            raise ValueError(f"no content table row is called {ref!r}")
        wanted.setdefault(table, []).append(int(key) if _COLUMNS[table][0] == "id" else key)
    session.flush()  # the rows just written through the ORM
    stamps: dict[str, str] = {}
    for table, keys in wanted.items():
        key_sql, columns, make = _COLUMNS[table]
        params = {f"k{i}": key for i, key in enumerate(keys)}
        rows = session.execute(
            text(
                f"SELECT {key_sql}, {columns} FROM {table} "
                f"WHERE {key_sql} IN ({', '.join(':' + name for name in params)})"
            ),
            params,
        )
        for key, *values in rows:
            stamps[f"{table} {key}"] = make(*values)
    missing = [ref for ref in refs if ref not in stamps]
    if missing:
        raise ValueError(f"cannot stamp {', '.join(missing)}: no such row")
    return stamps


def every_stamp(session: Session) -> Iterator[tuple[str, int, str]]:
    """(ref, id, stamp) of every row of every content table, streamed."""
    connection = session.connection()
    driver: Any = connection.connection.driver_connection  # sqlite3's or psycopg's
    for table, (key_sql, columns, make) in _COLUMNS.items():
        if connection.dialect.name == "postgresql":
            cursor = driver.cursor(name=f"stamps_{table}")
            cursor.itersize = _BATCH
        else:
            cursor = driver.cursor()
        try:
            cursor.execute(f"SELECT id, {key_sql}, {columns} FROM {table}")
            prefix = f"{table} "
            for row_id, key, *values in cursor:
                yield prefix + str(key), row_id, make(*values)
        except (sqlite3.Error, psycopg.Error) as error:
            raise driver_failed(error, f"reading the {table} rows") from None
        finally:
            cursor.close()


def driver_failed(error: Exception, what: str) -> WorkspaceUnavailable:
    """A driver's own error, read through its cursor where SQLAlchemy does not name it for us (a
    damaged file, a dropped connection), as one line without the row's text it may quote."""
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    # "Could not decode to UTF-8 column 'source' with text '…'": the row's bytes stay out.
    reason = reason.split(" with text ", 1)[0]
    return WorkspaceUnavailable(f"{what} failed: {reason[:200]}")


def hashing_start(session: Session) -> dict[str, int]:
    """Where content stamping began: the first stamped event and first row of each table."""
    return {
        name: first
        for name, first in session.execute(text("SELECT name, first_id FROM content_hashing_start"))
    }
