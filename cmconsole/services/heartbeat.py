"""A dispatcher's liveness signal: it registers, beats from a thread of its own, and judges
whether the others' signals are gone, so that a dead dispatcher's posts are taken over at once."""

import itertools
import logging
import os
import socket
import threading
import time

from cmconsole.domain.errors import CmconsoleError
from cmconsole.services.ports import Clock, DispatcherSeen, Liveness

log = logging.getLogger(__name__)

# A dispatcher beats this often (seconds), from a thread of its own, so that a slow channel call
# never silences it.
HEARTBEAT_EVERY = 1.0
# A dispatcher silent this long is dead, whatever else says it lives; and one that has not seen
# its own beat land for half of it stops calling channels (the others may take it for dead).
SILENT_DEAD = 10.0
# PostgreSQL: a dispatcher whose session lock the server released, silent this long, is dead
# (the lock alone is free for a moment while a live one reconnects after losing its session).
LOCK_GRACE = 3.0

_STARTS = itertools.count(1)


def this_host() -> str:
    """This machine, as dispatchers' process ids are meaningful on it: its name and (on Linux)
    its process namespace, so that two containers with one name never judge each other's pids."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()} {namespace}".strip()


def _process_gone(pid: int) -> bool:
    """Whether no process `pid` runs on this machine (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def is_gone(seen: DispatcherSeen, host: str) -> bool:
    """Whether another dispatcher's liveness signal is gone: silent too long; on PostgreSQL, its
    session lock released; on this machine, its process no longer there."""
    if seen.silent_for > SILENT_DEAD:
        return True
    if seen.lock_held is False and seen.silent_for > LOCK_GRACE:
        return True
    return seen.host == host and _process_gone(seen.pid)


class Heartbeat:
    """One dispatcher's signal. Without a Liveness (a dispatcher built for a test), it never
    registers: the others then take what it holds for orphaned, as they would a dead one's."""

    def __init__(self, liveness: Liveness | None, base_name: str, clock: Clock) -> None:
        self._liveness = liveness
        self._base_name = base_name
        self._clock = clock
        self._host = this_host()
        self.name = base_name
        self._started = False
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._last_beat = 0.0
        self._declared_dead = False
        self._lock = threading.Lock()
        # Its names before it started afresh (after a database fault): what they held is
        # settled like a dead dispatcher's.
        self._former: set[str] = set()

    def start(self) -> None:
        """Register and start beating, once (again after `stop`, under a new name)."""
        if self._liveness is None or self._started:
            return
        with self._lock:
            if self._started:
                return
            # Numbered across the process: each start of each dispatcher has a name of its own.
            self.name = f"{self._base_name}#{next(_STARTS)}"
            self._liveness.register(self.name, self._host, os.getpid(), self._clock())
            self._last_beat = time.monotonic()
            self._declared_dead = False
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._beat,
                args=(self._liveness, self.name, self._stopping),
                name=f"heartbeat {self.name}",
                daemon=True,
            )
            self._thread.start()
            self._started = True

    def _beat(self, liveness: Liveness, name: str, stopping: threading.Event) -> None:
        while not stopping.wait(HEARTBEAT_EVERY):
            try:
                if liveness.beat(name):
                    self._last_beat = time.monotonic()
                else:
                    log.warning("dispatcher %s was taken for dead: it stops sending", name)
                    self._declared_dead = True
                    return
            except CmconsoleError as error:
                log.warning("dispatcher %s: heartbeat failed: %s", name, error)

    def stop(self) -> None:
        """Stop beating and withdraw the signal (if the database lets it: else it fades)."""
        if self._liveness is None or not self._started:
            return
        self._started = False
        self._former.add(self.name)
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=HEARTBEAT_EVERY * 5)
        try:
            self._liveness.retire(self.name)
        except CmconsoleError as error:
            log.warning("dispatcher %s: could not withdraw its heartbeat: %s", self.name, error)

    def may_send(self) -> bool:
        """False once this dispatcher may have been taken for dead: it must not call a channel
        for a post another may be settling."""
        if self._liveness is None:
            return True
        silent = time.monotonic() - self._last_beat
        return not self._declared_dead and silent < SILENT_DEAD / 2

    def gone(self) -> list[str]:
        """The other dispatchers whose signal is gone (their rows are deleted)."""
        if self._liveness is None:
            return []
        gone = [
            seen.name
            for seen in self._liveness.others(self.name)
            if seen.name in self._former or is_gone(seen, self._host)
        ]
        if gone:
            log.warning("dispatchers gone, their posts taken over: %s", ", ".join(gone))
            self._liveness.forget(gone)
        return gone
