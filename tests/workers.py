"""Entry points that tests/test_races.py runs as separate processes, racing each other.

    python -m tests.workers answer URL ALIAS_ID OPERATOR_NAME PASSPHRASE [--barrier DIR]
    python -m tests.workers dispatch URL [--kill-at POINT] [--kill-after S] [--seed N]
                                         [--slow S] [--barrier DIR]
    python -m tests.workers serve

Each worker opens the workspace itself, after its process started: no process is ever forked
with an engine open. The last line a worker prints is a JSON summary of what it did.

With --barrier DIR a worker gets ready (workspace open, signed in, on shift), says so with a file
`ready-PID` in DIR, and waits for a file `go` there: the test lets several go at the same moment.

`serve` is a fork server, so that a test can start dozens of workers without paying for Python's
and SQLAlchemy's start-up each time: it imports this module, never opens a workspace, and forks
a fresh child for each worker it is asked to run (one JSON request a line on its standard input,
one JSON answer a line on its standard output):

    {"op": "start", "argv": [...], "output": PATH}  ->  {"pid": PID}
    {"op": "wait", "pid": PID, "timeout": SECONDS}  ->  {"returncode": CODE}
    {"op": "poll", "pid": PID}                      ->  {"returncode": CODE or None}

The child runs `main(argv)` with its standard output in PATH and its standard error in
PATH.err; CODE is its exit status, negative for a signal (-9: it was SIGKILLed), as in
subprocess; None while it runs. A child still running at the timeout is SIGKILLed, and None.
"""

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cmconsole.channels.sandbox import SandboxChannel
from cmconsole.domain.errors import ConcurrentChange, WorkspaceUnavailable
from cmconsole.domain.model import Alias, PublicPost
from cmconsole.services.bundle import Services
from cmconsole.services.claims import ClaimHeld
from cmconsole.services.dispatch import Dispatcher
from cmconsole.services.guard import SignedIn
from cmconsole.services.inbox import InboxFilter
from cmconsole.services.ports import Channel, Published
from cmconsole.storage.workspace import open_workspace
from cmconsole.wiring import open_services

# How many unanswered threads an answering operator lists each time.
LIST_LENGTH = 20
KILL_POINTS = ("before-call", "after-accept", "random")
# A worker that cannot finish in this long is stuck (a claim held by a dead process, say).
DEADLINE_SECONDS = 120.0
# The random kill goes off this long at most after it is armed (at the start, or as one of the
# first sends begins): about as long as a send takes, so it may land while reconciling, taking a
# post, calling the channel or recording what it said.
RANDOM_KILL_WITHIN = 0.05
# Transient database refusals (a busy SQLite, a serialisation conflict) are tried again, and
# counted by message for the worker's summary.
TRANSIENT = (ConcurrentChange, WorkspaceUnavailable)
transient_seen: Counter[str] = Counter()


def _transient(error: Exception) -> None:
    transient_seen[str(error).split(": ")[-1][:100]] += 1


def _die() -> None:
    """Die the way a crash or `kill -9` does: no cleanup, no commit, no flush."""
    os.kill(os.getpid(), signal.SIGKILL)


def _wait_for_go(barrier: Path) -> None:
    """Say this worker is ready, then wait until the test says go."""
    (barrier / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            raise SystemExit("nobody said go")
        time.sleep(0.002)


def _report(**summary: object) -> None:
    print(json.dumps(summary), flush=True)


def answer(url: str, alias_id: int, name: str, passphrase: str, barrier: Path | None = None) -> int:
    """Answer the alias's unanswered threads as one operator, against whoever else is at it.

    Like a console: list the first few unanswered threads, pass over those the list shows someone
    else holding, claim one, read it again, reply, let it go; list again after each thread
    handled, since the others move on meanwhile. Every operator reads the same list, so they keep
    reaching for the same threads at the same moment."""
    services = open_services(url)
    try:
        who = services.accounts.sign_in(name, passphrase)
        services.shifts.start(who, alias_id)
        if barrier is not None:
            _wait_for_go(barrier)
        done: Counter[str] = Counter()
        started = time.monotonic()
        while time.monotonic() < started + DEADLINE_SECONDS:
            try:
                threads = services.inbox.threads(
                    who, alias_id, InboxFilter.UNANSWERED, limit=LIST_LENGTH
                )
            except TRANSIENT as error:
                _transient(error)
                done["retried"] += 1
                continue
            if not threads:
                seconds = round(time.monotonic() - started, 2)
                _report(operator=name, seconds=seconds, transient=transient_seen, **done)
                return 0
            for listed in threads:
                if listed.claim is not None and listed.claim.operator_id != who.operator_id:
                    # The list already says who is on it, as a console would show.
                    done["listed_held"] += 1
                    continue
                outcome = _answer_one(services, who, alias_id, listed.thread.contact_handle)
                for each in outcome.split(", "):
                    done[each] += 1
                if outcome.startswith(("answered", "already")):
                    break
            else:
                # Everything listed is held by the others: give them a moment to finish.
                time.sleep(0.01)
        _report(operator=name, stuck=True, transient=transient_seen, **done)
        return 1
    finally:
        services.close()


def _answer_one(services: Services, who: SignedIn, alias_id: int, contact: str) -> str:
    """Try to answer the contact's latest message; say what happened."""
    try:
        if not services.claims.claim(who, alias_id, contact).mine:
            return "held"
    except TRANSIENT as error:
        _transient(error)
        return "retried"
    try:
        # Someone may have answered between the listing and the claim: read it again.
        latest = services.inbox.conversation(who, alias_id, contact).latest
        if latest is None or latest.answered:
            outcome = "already"
        else:
            services.posting.reply(who, latest.id, f"Answered by {who.name}")
            outcome = "answered"
    except ClaimHeld:
        outcome = "held"
    except TRANSIENT as error:
        _transient(error)
        # Come back to it on a later pass; the re-read keeps a retry from answering twice.
        outcome = "retried"
    try:
        services.claims.release(who, alias_id, contact)
    except TRANSIENT as error:
        _transient(error)
        # The claim lapses by itself; what was answered stays answered.
        return f"{outcome}, kept claim"
    return outcome


class KillingChannel:
    """The workspace's sandbox channel, which takes its own process down at one point of the
    `kill_on_send`-th send:

    before-call: the post was taken (marked sending, leased) but the channel was never called.
    after-accept: the channel published it, and the dispatcher never heard back.
    random: a timer goes off at a random moment soon after that send began (with `kill_on_send`
    0, soon after the dispatcher started), wherever the dispatcher then is.
    """

    name = "sandbox"

    def __init__(
        self, inner: Channel, point: str | None, kill_on_send: int, delay: float = 0.0
    ) -> None:
        self._inner = inner
        self._point = point
        self._kill_on_send = kill_on_send
        self._delay = delay
        self.sends = 0
        if point == "random" and kill_on_send == 0:
            self._arm()

    def _arm(self) -> None:
        timer = threading.Timer(self._delay, _die)
        timer.daemon = True
        timer.start()

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        self.sends += 1
        dying = self.sends == self._kill_on_send
        if dying and self._point == "random":
            self._arm()
        if dying and self._point == "before-call":
            _die()
        published = self._inner.publish(alias, text, in_reply_to, idempotency_key)
        if dying and self._point == "after-accept":
            _die()
        return published

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        return self._inner.fetch_mentions(alias, since)

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        return self._inner.recent_posts(alias, limit)

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        return self._inner.published_since(alias, since)


def dispatch(
    url: str,
    kill_at: str | None = None,
    seed: int = 0,
    barrier: Path | None = None,
    kill_after: float | None = None,
    slow: float = 0.0,
) -> int:
    """Run a dispatcher until nothing is left for it to do, maybe dying on the way: at a point of
    one of its first sends (`kill_at`), or `kill_after` seconds after it started, wherever it is.

    Its sandbox takes `slow` seconds a publish, as a network does, and ignores idempotency keys,
    as X does: a send that went out is found again only by settling it against the channel."""
    chance = random.Random(seed)

    def clock() -> datetime:
        return datetime.now(UTC)

    workspace = open_workspace(url)
    try:
        if barrier is not None:
            _wait_for_go(barrier)
        if kill_after is not None:
            timer = threading.Timer(kill_after, _die)
            timer.daemon = True
            timer.start()
        # Killed on one of the first few sends: a dead dispatcher leaves most of the outbox to
        # those started after it. The random kill may also land before any send.
        first = 0 if kill_at == "random" else 1
        kill_on_send = chance.randint(first, first + 3)
        delay = chance.uniform(0.0, RANDOM_KILL_WITHIN)
        sandbox = SandboxChannel(workspace.sandbox, clock, honour_keys=False)
        sandbox.slow_down(slow)
        channel = KillingChannel(sandbox, kill_at, kill_on_send, delay)
        dispatcher = Dispatcher(
            workspace, {"sandbox": channel}, clock, liveness=workspace.liveness()
        )
        published = reconciled = retried = 0
        started = time.monotonic()
        deadline = started + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            try:
                report = dispatcher.run_once()
            except TRANSIENT as error:
                _transient(error)
                retried += 1
                time.sleep(dispatcher.recover())
                continue
            published += len(report.published)
            reconciled += len(report.reconciled)
            if not report.settled and not report.reconciled:
                _report(
                    published=published,
                    reconciled=reconciled,
                    sends=channel.sends,
                    retried=retried,
                    transient=transient_seen,
                    seconds=round(time.monotonic() - started, 2),
                )
                return 0
        _report(published=published, reconciled=reconciled, stuck=True)
        return 1
    finally:
        dispatcher.close()
        workspace.close()


def serve() -> int:
    """The fork server: run workers in fresh children of a process that has no engine open."""
    ended: dict[int, int] = {}
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "start":
            reply: dict[str, object] = {"pid": _fork(request["argv"], request["output"])}
        elif request["op"] == "poll":
            reply = {"returncode": _reap(ended, request["pid"], None)}
        else:
            reply = {"returncode": _reap(ended, request["pid"], request["timeout"])}
        print(json.dumps(reply), flush=True)
    return 0


def _fork(argv: list[str], output: str) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
            (2, f"{output}.err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        ):
            opened = os.open(path, flags, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        code = main(argv)
    except SystemExit as stop:
        if not isinstance(stop.code, int):
            print(stop.code, file=sys.stderr)
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(ended: dict[int, int], pid: int, timeout: float | None) -> int | None:
    """The child's exit code; None if it still runs (a poll), or ran past the timeout (killed)."""
    deadline = time.monotonic() + (timeout or 0)
    while pid not in ended:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            ended[pid] = os.waitstatus_to_exitcode(status)
        elif timeout is None:
            return None
        elif time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        else:
            time.sleep(0.005)
    return ended[pid]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.workers")
    commands = parser.add_subparsers(dest="command", required=True)
    answering = commands.add_parser("answer")
    answering.add_argument("url")
    answering.add_argument("alias_id", type=int)
    answering.add_argument("operator")
    answering.add_argument("passphrase")
    answering.add_argument("--barrier", type=Path)
    dispatching = commands.add_parser("dispatch")
    dispatching.add_argument("url")
    dispatching.add_argument("--kill-at", choices=KILL_POINTS)
    dispatching.add_argument("--seed", type=int, default=0)
    dispatching.add_argument("--kill-after", type=float)
    dispatching.add_argument("--slow", type=float, default=0.0)
    dispatching.add_argument("--barrier", type=Path)
    commands.add_parser("serve")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve()
    if args.command == "answer":
        return answer(args.url, args.alias_id, args.operator, args.passphrase, args.barrier)
    return dispatch(args.url, args.kill_at, args.seed, args.barrier, args.kill_after, args.slow)


if __name__ == "__main__":
    sys.exit(main())
