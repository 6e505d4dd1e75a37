"""The sandbox channel's public square, kept beside the workspace; each call commits alone."""

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, Integer, bindparam, exists, func, insert, or_
from sqlalchemy import select as sql_select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.domain.model import PublicPost
from cmconsole.storage import converters
from cmconsole.storage.tables import SandboxPostRow


class SqlSandboxTimeline:
    """Plays an outside service: it shares the database, not the workspace's transactions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._kept: Connection | None = None
        self._kept_lock = threading.Lock()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with Session(self._engine) as session, session.begin():
                yield session
        except DBAPIError as error:
            first = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise WorkspaceUnavailable(f"the sandbox's database failed: {first}") from None

    def add(
        self,
        author_handle: str,
        author_name: str,
        text: str,
        in_reply_to: str | None,
        now: datetime,
        idempotency_key: str | None = None,
        key_kept_since: datetime | None = None,
        private: bool = False,
    ) -> PublicPost:
        values = {
            "author_handle": author_handle,
            "author_name": author_name,
            "text": text,
            "in_reply_to": in_reply_to,
            "created_at": now,
            "idempotency_key": idempotency_key,
            "kept_since": key_kept_since,
            "private": private,
            # The post answered, by its id (the sandbox's ids are numbers): a reply to a private
            # post is private too, decided in the insert itself (no round trip more).
            "parent_id": int(in_reply_to) if in_reply_to and in_reply_to.isdigit() else None,
        }
        keyed = idempotency_key is not None and key_kept_since is not None
        with self._connection() as connection:
            row = connection.execute(_KEYED_INSERT if keyed else _INSERT, values).first()
            if row is None:
                row = connection.execute(_BY_KEY, values).first()
        assert row is not None
        post_id, handle, name, said, replied, created, was_private = row
        return PublicPost(str(post_id), handle, name, said, created, replied, was_private)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection whose statements commit one by one. On PostgreSQL, one kept open in
        autocommit for the sandbox's publishes: no checkout, BEGIN or COMMIT round trips around
        each (as a channel keeps its HTTP connection alive); a new one after a failure."""
        try:
            if self._engine.dialect.name != "postgresql":
                with self._engine.begin() as connection:
                    yield connection
                return
            with self._kept_lock:
                if self._kept is None:
                    kept = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                    # The sandbox plays a remote service, whose durability is not the
                    # workspace's: its commits need not wait for the disk (the workspace's own
                    # still do). Only a crash of the server itself could lose a sandbox post.
                    kept.exec_driver_sql("SET synchronous_commit = off")
                    self._kept = kept
                try:
                    yield self._kept
                except DBAPIError:
                    with contextlib.suppress(DBAPIError):
                        self._kept.invalidate()
                    self._kept = None
                    raise
        except DBAPIError as error:
            first = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise WorkspaceUnavailable(f"the sandbox's database failed: {first}") from None

    def close(self) -> None:
        with self._kept_lock:
            if self._kept is not None:
                with contextlib.suppress(DBAPIError):
                    self._kept.close()
                self._kept = None

    def mentions_of(self, handle: str, after: str | None, limit: int) -> list[PublicPost]:
        with self._session() as session:
            rows = session.exec(
                select(SandboxPostRow)
                .where(
                    func.lower(SandboxPostRow.text).contains(handle.lower()),
                    func.lower(SandboxPostRow.author_handle) != handle.lower(),
                    col(SandboxPostRow.id) > int(after or 0),
                )
                .order_by(col(SandboxPostRow.id))
                .limit(limit)
            )
            return [converters.public_post(row) for row in rows]

    def by_author(self, handle: str, limit: int) -> list[PublicPost]:
        with self._session() as session:
            rows = session.exec(
                select(SandboxPostRow)
                .where(func.lower(SandboxPostRow.author_handle) == handle.lower())
                .order_by(col(SandboxPostRow.id).desc())
                .limit(limit)
            )
            return [converters.public_post(row) for row in rows]

    def by_author_since(
        self, handle: str, since: datetime, before: str | None, limit: int
    ) -> list[PublicPost]:
        query = select(SandboxPostRow).where(
            func.lower(SandboxPostRow.author_handle) == handle.lower(),
            col(SandboxPostRow.created_at) >= since,
        )
        if before is not None:
            query = query.where(col(SandboxPostRow.id) < int(before))
        with self._session() as session:
            rows = session.exec(query.order_by(col(SandboxPostRow.id).desc()).limit(limit))
            return [converters.public_post(row) for row in rows]


_SANDBOX = SandboxPostRow.__table__  # type: ignore[attr-defined]
_PUBLIC = [
    _SANDBOX.c[name]
    for name in (
        "id",
        "author_handle",
        "author_name",
        "text",
        "in_reply_to",
        "created_at",
        "private",
    )
]
_COLUMNS = [
    "author_handle",
    "author_name",
    "text",
    "in_reply_to",
    "created_at",
    "idempotency_key",
    "private",
]
# The sandbox's publishes, built once (building a statement costs more than running it): a plain
# insert, and one that inserts nothing when the author used the key since `kept_since`.
_SAME_KEY = [
    _SANDBOX.c.idempotency_key == bindparam("idempotency_key"),
    _SANDBOX.c.author_handle == bindparam("author_handle"),
    _SANDBOX.c.created_at >= bindparam("kept_since"),
]
_PARENT = _SANDBOX.alias("parent")
# Private if asked, or if it answers a private post (as Mastodon answers a `direct` message).
_PRIVATE = or_(
    bindparam("private", type_=Boolean()),
    exists().where(_PARENT.c.id == bindparam("parent_id", type_=Integer()), _PARENT.c.private),
)


def _value(name: str) -> Any:
    return _PRIVATE if name == "private" else bindparam(name, type_=_SANDBOX.c[name].type)


_INSERT = insert(_SANDBOX).values({name: _value(name) for name in _COLUMNS}).returning(*_PUBLIC)
_KEYED_INSERT = (
    insert(_SANDBOX)
    .from_select(
        _COLUMNS,
        sql_select(*(_value(name) for name in _COLUMNS)).where(~exists().where(*_SAME_KEY)),
    )
    .returning(*_PUBLIC)
)
_BY_KEY = sql_select(*_PUBLIC).where(*_SAME_KEY).order_by(_SANDBOX.c.id).limit(1)
