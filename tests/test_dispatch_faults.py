"""Exactly once under faults, with real processes on SQLite and PostgreSQL: dispatchers killed
with SIGKILL at random moments (one at a time, or two at once), a kill in the middle of a batch
followed by many more posts, and a `cmconsole dispatch` whose connections the server terminates.

Every dispatcher here sends through a sandbox slowed to 20 ms a publish (a network's pace, where
a dead dispatcher's batch used to be sent twice) that ignores idempotency keys, as X does: a send
that went out can only be found again by settling it against the channel. Nothing waits for a
lease to run out: a dead dispatcher's posts must be taken over as soon as it is gone.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, insert

from cmconsole.domain.model import Post, PostStatus
from cmconsole.services.bundle import Services
from cmconsole.services.heartbeat import SILENT_DEAD
from cmconsole.storage.tables import InboundMessageRow, PostRow
from cmconsole.wiring import open_services
from tests.conftest import POSTGRES_URL, Team, _postgres_schema_url, make_team
from tests.test_races import (
    KILLED,
    ROOT,
    Finished,
    Running,
    Workers,
    _assert_each_published_once_or_failed,
    _in_flight,
    _queue,
    live,  # noqa: F401  (a fixture)
    workers,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.faults

SLOW = "0.02"  # seconds a publish takes
# How long the whole outbox may take to drain after the last kill: generous, since a
# dispatcher's successor must never need to wait out the 2-minute lease.
DRAIN_DEADLINE = 90.0


def _assert_audit_right(services: Services, team: Team, posts: dict[int, Post]) -> Counter[str]:
    """Each post: one `post.published`, naming its channel id; `post.reconciled found=true` only
    for a post that was public (and with the id it was found under), and one `found=false` for
    each attempt settled as not published. Returns how the attempts ended, for the report."""
    events: dict[str, list[dict[str, object]]] = {}
    kinds: dict[str, list[str]] = {}
    for entry in services.audit.recent(limit=1_000_000, by=team.lead):
        subject = entry.event.subject
        kinds.setdefault(subject, []).append(entry.event.kind)
        if entry.event.kind in ("post.published", "post.reconciled"):
            events.setdefault(subject, []).append({"kind": entry.event.kind, **entry.event.details})
    outcomes: Counter[str] = Counter()
    for post in posts.values():
        mine = events.get(f"post {post.id}", [])
        attempts = services.posting.attempts(team.lead, post.id)
        outcomes.update(attempt.outcome for attempt in attempts)
        assert all(attempt.finished_at is not None for attempt in attempts), attempts
        published = [e for e in mine if e["kind"] == "post.published"]
        found = [e for e in mine if e["kind"] == "post.reconciled" and e["found"] is True]
        not_found = [e for e in mine if e["kind"] == "post.reconciled" and e["found"] is False]
        if post.status is PostStatus.PUBLISHED:
            assert [e["channel_post_id"] for e in published] == [post.channel_post_id], mine
            assert [e["channel_post_id"] for e in found] in ([], [post.channel_post_id]), mine
            assert bool(found) is (attempts[-1].outcome == "found"), (mine, attempts)
        else:
            assert published == [] and found == [], mine
        assert len(not_found) == sum(a.outcome == "not_found" for a in attempts), (mine, attempts)
    return outcomes


def _drain(
    workers: Workers,  # noqa: F811
    database_url: str,
    services: Services,
    team: Team,
) -> list[Finished]:
    """Dispatchers, one after another, until the outbox is empty; each must end cleanly."""
    deadline = time.monotonic() + DRAIN_DEADLINE
    runs: list[Finished] = []
    while _in_flight(services, team):
        assert time.monotonic() < deadline, (
            f"{len(_in_flight(services, team))} posts still in flight after {DRAIN_DEADLINE} s"
        )
        finished = workers.run("dispatch", database_url, "--slow", SLOW)
        assert finished.returncode == 0, finished.explain()
        runs.append(finished)
    return runs


def _queue_many(url: str, team: Team, count: int) -> list[Post]:
    """`count` replies from the operator waiting in the outbox, each to its own fan's message,
    written straight into the tables: through the services, a thousand took 40 s on PostgreSQL,
    and what is tested here starts at the outbox."""
    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as connection:
        inbound = connection.execute(
            insert(InboundMessageRow).returning(InboundMessageRow.id),
            [
                {
                    "alias_id": team.alias.id,
                    "channel_message_id": f"bulk-{n}",
                    "author_handle": f"@bulkfan{n}",
                    "received_at": now,
                    "text": f"@brand question number {n}",
                }
                for n in range(count)
            ],
        ).scalars()
        connection.execute(
            insert(PostRow),
            [
                {
                    "alias_id": team.alias.id,
                    "author_id": team.operator.operator_id,
                    "in_reply_to_id": message_id,
                    "status": PostStatus.QUEUED.value,
                    "attempts": 0,
                    "created_at": now,
                    "overrides": "{}",
                    "text": f"Reply {n}: it is on its way",
                    "idempotency_key": uuid.uuid4().hex,
                }
                for n, message_id in enumerate(sorted(inbound))
            ],
        )
    engine.dispose()
    services = open_services(url)
    try:
        queued = services.posting.outbox(team.lead, team.alias.id, limit=count + 1)
    finally:
        services.close()
    assert len(queued) == count and {post.status for post in queued} == {PostStatus.QUEUED}
    return queued


def _duplicates_on_channel(services: Services, team: Team) -> dict[str, int]:
    public = services.timeline.public_posts(team.lead, team.alias.id, limit=100_000)
    return {text: n for text, n in Counter(p.text for p in public).items() if n > 1}


def test_a_kill_mid_batch_then_more_than_the_old_window_of_posts_doubles_nothing(
    live: Services,  # noqa: F811
    workers: Workers,  # noqa: F811
    database_url: str,
) -> None:
    """The issue's case: 250 replies, a dispatcher killed just after the channel accepted its
    20th post (its batch half sent, nothing of it recorded), a fresh one started at once, which
    sends the 200-odd others before or after settling the dead one's batch."""
    team = make_team(live)
    queued = _queue(live, team, 250)

    killed = workers.run(
        "dispatch", database_url, "--slow", SLOW, "--kill-at", "after-accept", "--seed", "7"
    )
    assert killed.returncode == KILLED, killed.explain()
    _drain(workers, database_url, live, team)

    assert _duplicates_on_channel(live, team) == {}
    posts = _assert_each_published_once_or_failed(live, team, queued)
    assert {post.status for post in posts.values()} == {PostStatus.PUBLISHED}
    outcomes = _assert_audit_right(live, team, posts)
    # The dead dispatcher's accepted posts were found on the channel, not sent again.
    assert outcomes["found"] >= 1, outcomes


def test_a_live_dispatcher_in_a_call_slower_than_the_takeover_time_is_never_taken_over(
    live: Services,  # noqa: F811
    workers: Workers,  # noqa: F811
    database_url: str,
) -> None:
    """Its heartbeat beats on while its channel call runs past the time after which a silent
    dispatcher is taken for dead; meanwhile another dispatcher passes again and again."""
    team = make_team(live)
    [post] = _queue_many(database_url, team, 1)
    slow = workers.start("dispatch", database_url, "--slow", str(SILENT_DEAD + 2))
    deadline = time.monotonic() + 60
    passes = 0
    while workers.poll(slow) is None:
        assert time.monotonic() < deadline, "the slow dispatcher never finished"
        in_flight = _in_flight(live, team)
        if in_flight and in_flight[0].status is PostStatus.SENDING:
            other = workers.run("dispatch", database_url)
            assert other.returncode == 0, other.explain()
            passes += 1
        time.sleep(0.05)
    finished = workers.wait(slow)
    assert finished.returncode == 0, finished.explain()
    assert finished.summary["published"] == 1, finished.explain()
    assert passes >= 3, passes
    [attempt] = live.posting.attempts(team.lead, post.id)
    assert attempt.outcome == "published"
    assert _duplicates_on_channel(live, team) == {}


KILL_POSTS = 1000


def _kill_after(chance: random.Random) -> str:
    # Anywhere from taking the first batch to well into sending it.
    return f"{chance.uniform(0.1, 1.5):.3f}"


def test_a_dispatcher_killed_at_random_and_restarted_over_1000_posts_doubles_nothing(
    live: Services,  # noqa: F811
    workers: Workers,  # noqa: F811
    database_url: str,
) -> None:
    team = make_team(live)
    queued = _queue_many(database_url, team, KILL_POSTS)
    chance = random.Random(13)
    kills = 0
    deadline = time.monotonic() + 300
    while _in_flight(live, team):
        assert time.monotonic() < deadline, f"still in flight after {kills} kills"
        finished = workers.run(
            "dispatch", database_url, "--slow", SLOW, "--kill-after", _kill_after(chance)
        )
        assert finished.returncode in (0, KILLED), finished.explain()
        kills += finished.returncode == KILLED

    assert kills >= 20, f"only {kills} kills: the outbox drained too fast to test anything"
    assert _duplicates_on_channel(live, team) == {}
    posts = _assert_each_published_once_or_failed(live, team, queued)
    assert {post.status for post in posts.values()} == {PostStatus.PUBLISHED}
    outcomes = _assert_audit_right(live, team, posts)
    print(f"\n{database_url.split(':')[0]}: {kills} kills over {KILL_POSTS} posts: {outcomes}")


def test_two_dispatchers_at_once_killed_and_restarted_over_1000_posts_double_nothing(
    live: Services,  # noqa: F811
    workers: Workers,  # noqa: F811
    database_url: str,
) -> None:
    team = make_team(live)
    queued = _queue_many(database_url, team, KILL_POSTS)
    chance = random.Random(29)

    def start() -> Running:
        return workers.start(
            "dispatch", database_url, "--slow", SLOW, "--kill-after", _kill_after(chance)
        )

    running = [start(), start()]
    kills = clean = 0
    deadline = time.monotonic() + 300
    while running:
        assert time.monotonic() < deadline, f"still running after {kills} kills"
        for each in list(running):
            if workers.poll(each) is None:
                continue
            finished = workers.wait(each)
            assert finished.returncode in (0, KILLED), finished.explain()
            running.remove(each)
            kills += finished.returncode == KILLED
            clean += finished.returncode == 0
            if _in_flight(live, team):
                running.append(start())
        time.sleep(0.01)
    # The last ones may have stopped while the other still held posts: finish the outbox.
    _drain(workers, database_url, live, team)

    assert kills >= 20, f"only {kills} kills"
    assert _duplicates_on_channel(live, team) == {}
    posts = _assert_each_published_once_or_failed(live, team, queued)
    assert {post.status for post in posts.values()} == {PostStatus.PUBLISHED}
    outcomes = _assert_audit_right(live, team, posts)
    print(f"\n{database_url.split(':')[0]}: {kills} kills, two at once: {outcomes}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_schema_url()


def _terminate(application: str) -> int:
    """End, from the server's side, every connection the dispatcher process has open."""
    with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (application,),
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def test_cmconsole_dispatch_outlives_its_connections_terminated_by_the_server(
    postgres_url: str, tmp_path: Path
) -> None:
    services = open_services(postgres_url)
    try:
        team = make_team(services)
        queued = _queue_many(postgres_url, team, 1000)
        application = f"cm-dispatch-{uuid.uuid4().hex[:8]}"
        log = tmp_path / "dispatch.err"
        with log.open("w") as errors:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cmconsole",
                    "dispatch",
                    "--interval",
                    "0.1",
                    "--db",
                    postgres_url,
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "PGAPPNAME": application,
                    "CMCONSOLE_SANDBOX_LATENCY": SLOW,
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                },
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        try:
            terminations = 0
            deadline = time.monotonic() + 180
            while _in_flight(services, team):
                assert time.monotonic() < deadline, "the outbox never drained"
                assert process.poll() is None, f"dispatch exited {process.returncode}:\n" + (
                    log.read_text()
                )
                published = len(queued) - len(_in_flight(services, team))
                if published and terminations < 8:
                    terminations += _terminate(application) > 0
                time.sleep(0.3)
            assert process.poll() is None, log.read_text()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        assert process.returncode == 0, log.read_text()
        assert terminations >= 3, terminations
        # What the kills hit, it said in a line and went on: a workspace connection (a database
        # fault, backed off) or the sandbox's (a publish whose outcome is unknown, settled).
        said = log.read_text()
        assert "database fault" in said or "outcome unknown" in said, said
        assert "Traceback" not in log.read_text(), log.read_text()
        assert _duplicates_on_channel(services, team) == {}
        posts = _assert_each_published_once_or_failed(services, team, queued)
        assert {post.status for post in posts.values()} == {PostStatus.PUBLISHED}
        _assert_audit_right(services, team, posts)
    finally:
        services.close()


def test_cmconsole_dispatch_outlives_a_database_locked_for_longer_than_its_busy_timeout(
    tmp_path: Path,
) -> None:
    """Another program holds the SQLite file's write lock past the 5 s busy timeout: the
    dispatcher says so in a line, backs off, and finishes the outbox once the lock is gone."""
    path = tmp_path / "workspace.db"
    url = f"sqlite:///{path}"
    services = open_services(url)
    try:
        team = make_team(services)
        queued = _queue_many(url, team, 300)
        log = tmp_path / "dispatch.err"
        with log.open("w") as errors:
            process = subprocess.Popen(
                [sys.executable, "-m", "cmconsole", "dispatch", "--interval", "0.1", "--db", url],
                cwd=ROOT,
                env={
                    **os.environ,
                    "CMCONSOLE_SANDBOX_LATENCY": SLOW,
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                },
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )
        try:
            deadline = time.monotonic() + 60
            while len(_in_flight(services, team)) == len(queued):
                assert time.monotonic() < deadline, "nothing was ever published"
                time.sleep(0.05)
            locker = sqlite3.connect(path, timeout=30, isolation_level=None)
            locker.execute("BEGIN EXCLUSIVE")
            try:
                while "database fault" not in log.read_text():
                    assert time.monotonic() < deadline, log.read_text()
                    assert process.poll() is None, log.read_text()
                    time.sleep(0.1)
            finally:
                locker.execute("ROLLBACK")
                locker.close()
            while _in_flight(services, team):
                assert time.monotonic() < deadline + 60, "the outbox never drained"
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
        assert process.returncode == 0, log.read_text()
        assert "Traceback" not in log.read_text(), log.read_text()
        assert _duplicates_on_channel(services, team) == {}
        posts = _assert_each_published_once_or_failed(services, team, queued)
        assert {post.status for post in posts.values()} == {PostStatus.PUBLISHED}
        _assert_audit_right(services, team, posts)
    finally:
        services.close()
