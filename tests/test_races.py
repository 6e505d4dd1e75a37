"""Races and crashes between real processes, on SQLite and on PostgreSQL.

Operators in separate processes race for the same threads, and dispatchers race for the same
outbox or die with SIGKILL in the middle of a send; what they leave behind is then read back
through the services: one reply per thread, every post published once or failed with a reason.
The workers are in tests/workers.py; each opens the workspace itself.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cmconsole.domain.model import InboundMessage, Post, PostStatus, Role
from cmconsole.services.bundle import Services
from cmconsole.services.inbox import InboxFilter
from cmconsole.wiring import open_services
from tests.conftest import PASSPHRASE, Team, make_team
from tests.workers import KILL_POINTS

ROOT = Path(__file__).resolve().parent.parent
# Far longer than any worker should take, so that a hung one fails the test instead of CI.
WORKER_TIMEOUT = 180.0
KILLED = -signal.SIGKILL


@dataclass(frozen=True)
class Finished:
    """How a worker ended: its exit code (negative for a signal), what it printed."""

    args: Sequence[str]
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def summary(self) -> dict[str, Any]:
        """The JSON line a worker prints last (only a worker that was not killed prints it)."""
        return dict(json.loads(self.stdout.strip().splitlines()[-1]))

    def explain(self) -> str:
        return f"worker {self.args[0]} exited {self.returncode}:\n{self.stdout}{self.stderr}"


@dataclass(frozen=True)
class Running:
    pid: int
    args: Sequence[str]
    output: Path


class Workers:
    """Runs tests/workers.py entry points as separate processes, forked by its fork server (a
    `python -m tests.workers serve` that never opens a workspace): each worker is a process of
    its own that opens its own engine, without Python's start-up cost every time."""

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch
        self._started = 0
        self._server = subprocess.Popen(
            [sys.executable, "-m", "tests.workers", "serve"],
            cwd=ROOT,
            env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, **request: object) -> dict[str, Any]:
        assert self._server.stdin is not None and self._server.stdout is not None
        self._server.stdin.write(json.dumps(request) + "\n")
        self._server.stdin.flush()
        line = self._server.stdout.readline()
        assert line, f"the fork server died (exit {self._server.poll()})"
        return dict(json.loads(line))

    def start(self, *args: str) -> Running:
        self._started += 1
        output = self._scratch / f"worker-{self._started}.out"
        return Running(self._ask(op="start", argv=args, output=str(output))["pid"], args, output)

    def wait(self, running: Running) -> Finished:
        returncode = self._ask(op="wait", pid=running.pid, timeout=WORKER_TIMEOUT)["returncode"]
        stdout = running.output.read_text()
        stderr = Path(f"{running.output}.err").read_text()
        finished = Finished(running.args, returncode, stdout, stderr)
        assert returncode is not None, (
            f"hung, killed after {WORKER_TIMEOUT} s: {finished.explain()}"
        )
        return finished

    def run(self, *args: str) -> Finished:
        return self.wait(self.start(*args))

    def run_together(self, commands: list[tuple[str, ...]]) -> list[Finished]:
        """Start every worker, wait until each is ready, then let them all go at the same moment."""
        barrier = self._scratch / f"barrier-{self._started}"
        barrier.mkdir()
        running = [self.start(*args, "--barrier", str(barrier)) for args in commands]
        deadline = time.monotonic() + WORKER_TIMEOUT
        while len(list(barrier.glob("ready-*"))) < len(running):
            ended = [each for each in running if self.poll(each) is not None]
            if ended or time.monotonic() > deadline:
                (barrier / "go").touch()
                failed = [self.wait(each).explain() for each in running]
                pytest.fail("a worker never got ready:\n" + "\n".join(failed))
            time.sleep(0.01)
        (barrier / "go").touch()
        return [self.wait(each) for each in running]

    def poll(self, running: Running) -> int | None:
        code: int | None = self._ask(op="poll", pid=running.pid)["returncode"]
        return code

    def close(self) -> None:
        assert self._server.stdin is not None
        self._server.stdin.close()
        self._server.wait(timeout=30)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    yield started
    started.close()


@pytest.fixture
def live(database_url: str) -> Iterator[Services]:
    """The test's own services on the workspace, on the real clock the workers use too."""
    services = open_services(database_url)
    yield services
    services.close()


def _receive_many(services: Services, team: Team, count: int) -> list[InboundMessage]:
    """`count` different fans write to the alias once each; return their messages, oldest first."""
    for n in range(count):
        services.public.mention(f"@fan{n:03d}", f"@brand question number {n}")
    assert services.inbox.sync(team.alias.id) == count
    messages = services.inbox.messages(team.lead, team.alias.id, limit=count + 1)
    assert len(messages) == count
    return messages[::-1]


def _queue(services: Services, team: Team, count: int) -> list[Post]:
    """`count` replies queued by an operator, each with its own text."""
    messages = _receive_many(services, team, count)
    services.shifts.start(team.operator, team.alias.id)
    posts = [
        services.posting.reply(team.operator, message.id, f"Reply {n}: it is on its way")
        for n, message in enumerate(messages)
    ]
    assert {post.status for post in posts} == {PostStatus.QUEUED}
    return posts


def _in_flight(services: Services, team: Team) -> list[Post]:
    """Posts neither published nor failed: queued, being sent, or of unknown outcome."""
    return [
        post
        for post in services.posting.outbox(team.lead, team.alias.id, limit=100_000)
        if post.status is not PostStatus.FAILED
    ]


def _assert_each_published_once_or_failed(
    services: Services, team: Team, queued: list[Post]
) -> dict[int, Post]:
    """Nothing lost, nothing doubled: every post ended published (exactly once on the channel,
    under its own channel id) or failed with a reason, and the channel shows nothing else."""
    every = services.posting.posts(team.lead, team.alias.id, limit=100_000)
    posts = {post.id: post for post in every}
    assert set(posts) == {post.id for post in queued}
    statuses = Counter(post.status for post in posts.values())
    assert set(statuses) <= {PostStatus.PUBLISHED, PostStatus.FAILED}, statuses

    public = services.timeline.public_posts(team.lead, team.alias.id, limit=100_000)
    doubled = {text: n for text, n in Counter(p.text for p in public).items() if n > 1}
    assert doubled == {}, f"published more than once: {doubled}"
    on_channel = {p.channel_post_id: p for p in public}
    published = [post for post in posts.values() if post.status is PostStatus.PUBLISHED]
    for post in published:
        assert post.channel_post_id in on_channel, f"post {post.id} is nowhere on the channel"
        assert on_channel[post.channel_post_id].text == post.text
    for post in posts.values():
        if post.status is PostStatus.FAILED:
            assert post.failure_reason, f"post {post.id} failed without a reason"
    # Every public post belongs to exactly one post: none was published and then forgotten.
    assert sorted(on_channel) == sorted(str(post.channel_post_id) for post in published)
    return posts


def test_operators_racing_for_the_same_threads_answer_each_exactly_once(
    live: Services, workers: Workers, database_url: str
) -> None:
    team = make_team(live)
    live.accounts.add_operator("omar", "Omar Operator", PASSPHRASE, by=team.lead)
    live.accounts.grant("omar", team.alias.handle, Role.OPERATOR, by=team.lead)
    messages = _receive_many(live, team, 200)
    operators = ["lena", "otto", "olga", "omar"]

    runs = workers.run_together(
        [("answer", database_url, str(team.alias.id), name, PASSPHRASE) for name in operators]
    )

    for run in runs:
        assert run.returncode == 0, run.explain()
    # An operator the others beat to every thread answered none: its summary has no count.
    answered = {str(run.summary["operator"]): int(run.summary.get("answered", 0)) for run in runs}
    assert sum(answered.values()) == 200, "\n".join(run.stdout for run in runs)
    # They really raced: more than one of them got to answer.
    assert sum(1 for n in answered.values() if n) >= 2, answered

    replies = live.posting.posts(team.lead, team.alias.id, limit=1000)
    assert len(replies) == 200
    assert all(reply.status.live for reply in replies)
    per_message = Counter(reply.in_reply_to_id for reply in replies)
    assert set(per_message) == {message.id for message in messages}
    assert set(per_message.values()) == {1}
    authors = {o.id: o.name for o in live.accounts.operators()}
    assert Counter(authors[reply.author_id] for reply in replies) == {
        name: n for name, n in answered.items() if n
    }
    for message in messages:
        conversation = live.inbox.conversation(team.lead, team.alias.id, message.author_handle)
        [only] = conversation.messages
        assert only.answered
        assert [r.status.live for r in conversation.replies[only.id]] == [True]
    assert live.inbox.threads(team.lead, team.alias.id, InboxFilter.UNANSWERED) == []


# Rounds of every kill point; each kill comes within a dispatcher's first few sends, so these
# posts last them all (even a random kill whose timer goes off late, while a dispatcher sends a
# batch in a few milliseconds a post), and the dispatchers that live afterwards still find some.
KILL_ROUNDS = 4
KILL_POSTS = 600


def test_a_dispatcher_killed_at_any_point_of_a_send_loses_and_doubles_nothing(
    live: Services, workers: Workers, database_url: str
) -> None:
    team = make_team(live)
    queued = _queue(live, team, KILL_POSTS)
    kills: Counter[str] = Counter()
    launches = 0

    def launch(*kill: str) -> Finished:
        """A dispatcher on the real clock: the dead one's posts are its at once, lease or not,
        since the dead one's liveness signal is gone."""
        nonlocal launches
        launches += 1
        return workers.run("dispatch", database_url, *kill, "--seed", str(launches))

    for _ in range(KILL_ROUNDS):
        for point in KILL_POINTS:
            finished = launch("--kill-at", point)
            assert finished.returncode in (0, KILLED), finished.explain()
            kills[point] += finished.returncode == KILLED
    assert _in_flight(live, team), "the outbox ran dry before the last kill: queue more posts"
    # A dispatcher that lives settles what the last one left and sends the rest; the next one
    # finds nothing left to do.
    for expected_work in (True, False):
        finished = launch()
        assert finished.returncode == 0, finished.explain()
        did = finished.summary["published"] + finished.summary["reconciled"]
        assert bool(did) is expected_work, finished.explain()
    assert _in_flight(live, team) == []

    # Every kill point took a dispatcher down, again and again.
    assert kills == dict.fromkeys(KILL_POINTS, KILL_ROUNDS), kills
    posts = _assert_each_published_once_or_failed(live, team, queued)
    attempts = [a for post in posts.values() for a in live.posting.attempts(team.lead, post.id)]
    # Even the attempts of the dead are closed, by whoever settled them afterwards.
    assert all(attempt.finished_at is not None for attempt in attempts)
    outcomes = Counter(attempt.outcome for attempt in attempts)
    # Killed after the channel accepted: found there, not sent again. Killed before the call:
    # not found there, so queued and sent again. (A random kill may land at either.)
    assert outcomes["found"] >= kills["after-accept"], (outcomes, kills)
    assert outcomes["not_found"] >= kills["before-call"], (outcomes, kills)


AT_ONCE_POSTS = 600


def test_dispatchers_running_at_once_publish_each_post_exactly_once(
    live: Services, workers: Workers, database_url: str
) -> None:
    team = make_team(live)
    # Enough for several batches each: one dispatcher alone sends a hundred in a blink.
    queued = _queue(live, team, AT_ONCE_POSTS)

    # Each send takes a few milliseconds, as a network's would: without it, one dispatcher could
    # empty the outbox before a loaded machine ran the others at all (seen once, at load 5).
    runs = workers.run_together([("dispatch", database_url, "--slow", "0.005")] * 3)

    for run in runs:
        assert run.returncode == 0, run.explain()
    if any(run.summary["retried"] for run in runs):
        # A database error in the middle of a send leaves the post held by its sender, which
        # starts afresh under a new name: whoever passes next settles it at once.
        settler = workers.run("dispatch", database_url)
        assert settler.returncode == 0, settler.explain()
        runs.append(settler)
    assert sum(int(str(run.summary["published"])) for run in runs) == AT_ONCE_POSTS
    posts = _assert_each_published_once_or_failed(live, team, queued)
    assert {post.status for post in posts.values()} == {PostStatus.PUBLISHED}
    attempts = [a for post in posts.values() for a in live.posting.attempts(team.lead, post.id)]
    # One attempt each: no post was ever taken by two dispatchers.
    assert Counter(a.post_id for a in attempts) == dict.fromkeys(posts, 1)
    assert len({a.dispatcher for a in attempts}) >= 2, "the dispatchers never overlapped"
