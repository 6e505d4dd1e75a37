"""Telling consoles that a desk changed: LISTEN/NOTIFY on PostgreSQL, a cheap poll on SQLite."""

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.storage.desk import WORKSPACE, version_of
from cmconsole.storage.engine import READ_ONLY

log = logging.getLogger(__name__)

# SQLite has no notifications: a waiting console reads the counter this often (one indexed
# read of two rows, a few microseconds).
POLL_SECONDS = 0.1
# How long the PostgreSQL listener blocks before it looks whether it should stop.
_LISTEN_SLICE = 0.25
_RECONNECT_SECONDS = 1.0
_VERSION = "SELECT coalesce(sum(version), 0) FROM desk_change WHERE alias_id = ANY(%s)"

# The aliases a console waits on together (one for a desk; all a person works for the home).
Aliases = tuple[int, ...]


class PolledSignals:
    """The change counter, read when asked and polled while waiting."""

    def __init__(self, engine: Engine, poll: float = POLL_SECONDS) -> None:
        self._engine = engine.execution_options(**{READ_ONLY: True})
        self._poll = poll

    def version(self, alias_id: int) -> int:
        return self.version_of_any((alias_id,))

    def version_of_any(self, alias_ids: Aliases) -> int:
        """The counters of these aliases and of the workspace, summed."""
        return self._pooled_version(alias_ids)

    def _pooled_version(self, alias_ids: Aliases) -> int:
        # Waiters read through the engine's pool, released at once: fifty consoles waiting in
        # one process hold fifty listening connections, not a hundred.
        try:
            with self._engine.connect() as connection:
                return version_of(connection, alias_ids)
        except DBAPIError as error:
            raise WorkspaceUnavailable(f"the workspace database failed: {error.orig}") from None

    def wait(self, alias_id: int, since: int, timeout: float) -> int:
        return self.wait_any((alias_id,), since, timeout)

    def wait_any(self, alias_ids: Aliases, since: int, timeout: float) -> int:
        """Return the summed counter of these aliases once it differs from `since`, or `since`
        after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            current = self._pooled_version(alias_ids)
            left = deadline - time.monotonic()
            if current != since or left <= 0:
                return current
            time.sleep(min(self._poll, left))

    def close(self) -> None:
        """Nothing to release: polling holds no connection of its own."""


class ListenedSignals(PolledSignals):
    """PostgreSQL: one LISTEN connection per console, on a thread of its own; a waiting console
    reads the counter only when a notification for its alias (or the workspace) came."""

    def __init__(self, engine: Engine, channel: Callable[[], str]) -> None:
        super().__init__(engine, poll=_RECONNECT_SECONDS)
        self._raw_engine = engine
        self._channel = channel
        self._changes = threading.Condition()
        self._heard: dict[int, int] = {}  # notifications heard, by alias
        # The counter last read per alias, and what had been heard when it was read.
        self._known: dict[Aliases, tuple[int, tuple[int, int, int]]] = {}
        self._generation = 0  # moves at each (re)connection: what came meanwhile was missed
        self._listening = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        # The counter is read on a connection of its own in autocommit: one round trip, where a
        # pooled transaction costs four (ping, BEGIN, SELECT, ROLLBACK).
        self._probe: psycopg.Connection[Any] | None = None
        self._probe_lock = threading.Lock()

    def version_of_any(self, alias_ids: Aliases) -> int:
        with self._probe_lock:
            try:
                if self._probe is None or self._probe.closed:
                    self._probe = self._connect()
                found = self._probe.execute(_VERSION, ([WORKSPACE, *alias_ids],)).fetchone()
            except psycopg.Error as error:
                if self._probe is not None:
                    self._probe.close()
                self._probe = None
                raise WorkspaceUnavailable(f"the workspace database failed: {error}") from None
        return int(found[0]) if found else 0

    def wait_any(self, alias_ids: Aliases, since: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        self._start()
        with self._changes:
            ready = self._changes.wait_for(lambda: self._listening, timeout)
            heard = self._heard_for(alias_ids)
        if not ready:
            return super().wait_any(alias_ids, since, max(0.0, deadline - time.monotonic()))
        current = self._current(alias_ids, since, heard)
        while current == since:
            left = deadline - time.monotonic()
            if left <= 0:
                return current
            with self._changes:
                moved = self._changes.wait_for(partial(self._moved, alias_ids, heard), left)
                heard = self._heard_for(alias_ids)
                listening = self._listening
            if not moved:
                return since  # nothing heard: nothing changed, and no query spent to know it
            if not listening:
                return super().wait_any(alias_ids, since, max(0.0, deadline - time.monotonic()))
            current = self._current(alias_ids, since, heard)
        return current

    def _current(self, alias_ids: Aliases, since: int, heard: tuple[int, int, int]) -> int:
        """The counter, read only if something was heard since it was last read (or the
        caller has seen a newer one, whose notice is on its way): an idle console waiting
        again and again costs the database nothing."""
        known = self._known.get(alias_ids)
        if known is not None and known[1] == heard and known[0] >= since:
            return known[0]
        # LISTEN was on before this read (and `heard` taken before it): whatever commits after
        # it is heard, and makes the next wait read again.
        current = self._pooled_version(alias_ids)
        with self._changes:
            self._known[alias_ids] = (current, heard)
        return current

    def _moved(self, alias_ids: Aliases, heard: tuple[int, int, int]) -> bool:
        return self._heard_for(alias_ids) != heard or not self._listening

    def _heard_for(self, alias_ids: Aliases) -> tuple[int, int, int]:
        mine = sum(self._heard.get(alias_id, 0) for alias_id in alias_ids)
        return (mine, self._heard.get(WORKSPACE, 0), self._generation)

    def _start(self) -> None:
        with self._changes:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._listen, name="cmconsole-desk-listener", daemon=True
            )
        self._thread.start()

    def _listen(self) -> None:
        while not self._stopping:
            try:
                with self._connect() as connection:
                    connection.execute(f'LISTEN "{self._channel()}"')
                    with self._changes:
                        self._listening = True
                        self._generation += 1
                        self._changes.notify_all()
                    while not self._stopping:
                        for notice in connection.notifies(timeout=_LISTEN_SLICE):
                            self._heard_notice(notice.payload)
            except (psycopg.Error, OSError) as error:
                log.warning("desk listener lost its connection (%s): retrying", error)
                with self._changes:
                    self._listening = False
                    self._changes.notify_all()
                time.sleep(_RECONNECT_SECONDS)
        with self._changes:
            self._listening = False
            self._changes.notify_all()

    def _connect(self) -> psycopg.Connection[Any]:
        # The engine's own connection arguments (host, search_path, timeouts), outside its pool:
        # this connection lives as long as the console and only listens.
        args, params = self._raw_engine.dialect.create_connect_args(self._raw_engine.url)
        return psycopg.connect(*args, **{**params, "autocommit": True})

    def _heard_notice(self, payload: str) -> None:
        alias, _, _version = payload.partition(" ")
        if not alias.isdigit():
            return
        with self._changes:
            self._heard[int(alias)] = self._heard.get(int(alias), 0) + 1
            self._changes.notify_all()

    def close(self) -> None:
        self._stopping = True
        if self._thread is not None:
            self._thread.join(timeout=2 * _LISTEN_SLICE + 1)
        with self._probe_lock:
            if self._probe is not None:
                self._probe.close()
                self._probe = None
