"""Dispatchers' liveness: heartbeat rows, and on PostgreSQL a session advisory lock each."""

import contextlib
import logging
import random
import threading
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.services.ports import DispatcherSeen

log = logging.getLogger(__name__)

# Now, in seconds since the epoch, by the database's clock: every machine of a team compares its
# heartbeats against the same clock.
_NOW = {
    "postgresql": "CAST(extract(epoch FROM clock_timestamp()) AS double precision)",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}
# Whether the session advisory lock `lock_key` is still held by some session of this database.
_LOCK_HELD = """EXISTS (
    SELECT 1 FROM pg_locks AS l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid::bigint = (d.lock_key >> 32) AND l.objid::bigint = (d.lock_key & 4294967295)
)"""


class SqlLiveness:
    """Heartbeat rows in the `dispatcher` table; each call commits alone, on a connection of its
    own, so a dispatcher's beat never waits for its work. On PostgreSQL each dispatcher also
    holds a session advisory lock on a dedicated connection for its whole life: the server
    releases it the moment that session dies, however the process died."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dialect = engine.dialect.name
        self._now = _NOW[self._dialect]
        self._lock_key: int | None = None
        self._lock_connection: Connection | None = None
        self._guard = threading.Lock()

    def register(self, name: str, host: str, pid: int, now: datetime) -> None:
        postgres = self._dialect == "postgresql"
        with self._guard:
            self._lock_key = random.getrandbits(62) + 1 if postgres else None
            self._run(
                f"INSERT INTO dispatcher (name, host, pid, started_at, heartbeat_at, lock_key) "
                f"VALUES (:name, :host, :pid, :now, {self._now}, :key)",
                name=name,
                host=host,
                pid=pid,
                now=now,
                key=self._lock_key,
            )
            if postgres:
                self._hold_lock()

    def beat(self, name: str) -> bool:
        with self._guard:
            if self._dialect == "postgresql":
                self._hold_lock()
            beaten = self._run(
                f"UPDATE dispatcher SET heartbeat_at = {self._now} WHERE name = :name", name=name
            )
        return beaten > 0

    def others(self, name: str) -> list[DispatcherSeen]:
        held = _LOCK_HELD if self._dialect == "postgresql" else "NULL"
        query = text(
            f"SELECT d.name, d.host, d.pid, {self._now} - d.heartbeat_at, {held} "
            "FROM dispatcher AS d WHERE d.name <> :name"
        )
        try:
            with self._engine.begin() as connection:
                rows = connection.execute(query, {"name": name}).all()
        except DBAPIError as error:
            raise _unavailable(error) from None
        return [
            DispatcherSeen(
                row[0], row[1], row[2], float(row[3]), None if row[4] is None else bool(row[4])
            )
            for row in rows
        ]

    def forget(self, names: Sequence[str]) -> None:
        for each in names:
            self._run("DELETE FROM dispatcher WHERE name = :name", name=each)

    def retire(self, name: str) -> None:
        with self._guard:
            try:
                self._run("DELETE FROM dispatcher WHERE name = :name", name=name)
            finally:
                self._release_lock()

    def _run(self, statement: str, **values: object) -> int:
        try:
            with self._engine.begin() as connection:
                return int(connection.execute(text(statement), values).rowcount)
        except DBAPIError as error:
            raise _unavailable(error) from None

    def _hold_lock(self) -> None:
        """Make sure the dedicated session is alive and holds the lock: after the server ended
        that session (a restart, `pg_terminate_backend`), take it again on a new one."""
        if self._lock_connection is not None:
            try:
                self._lock_connection.exec_driver_sql("SELECT 1")
                return
            except DBAPIError:
                self._drop_lock_connection()
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._lock_key}
            ).scalar()
        except DBAPIError as error:
            raise _unavailable(error) from None
        if not taken:
            connection.close()
            raise WorkspaceUnavailable("the dispatcher's liveness lock is held by another session")
        self._lock_connection = connection

    def _release_lock(self) -> None:
        if self._lock_connection is None:
            return
        # If the session is gone, its lock went with it.
        with contextlib.suppress(DBAPIError):
            self._lock_connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": self._lock_key}
            )
        self._drop_lock_connection()

    def _drop_lock_connection(self) -> None:
        assert self._lock_connection is not None
        with contextlib.suppress(DBAPIError):
            self._lock_connection.invalidate()
            self._lock_connection.close()
        self._lock_connection = None


def _unavailable(error: DBAPIError) -> WorkspaceUnavailable:
    first = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    return WorkspaceUnavailable(f"the workspace database failed: {first}")
