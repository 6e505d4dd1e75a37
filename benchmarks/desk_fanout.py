"""desk_fanout (PostgreSQL): fifty consoles wait on their aliases' desks while colleagues claim
and reply; how long a claim takes to show on the others' desks (p95), and what the fifty cost
the database while nobody does anything (transactions per second, from pg_stat_database).

It runs in a database of its own, created and dropped here, so that the server's counters are
ours alone."""

import statistics
import threading
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from benchmarks.results import Result
from benchmarks.workspace import Workspace, conninfo
from cmconsole.domain.model import Role
from cmconsole.services.desk import Desk
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.guard import SignedIn
from cmconsole.storage.workspace import SqlWorkspace, open_workspace
from cmconsole.wiring import open_services

CONSOLES = 50
ALIASES = 5
CONTACTS = 40  # per alias, each claimed and answered once
CLAIMERS = 2
TARGET_P95_MS = 1000.0
IDLE_SECONDS = 5.0
# Between one claim-and-reply and the next, per colleague: ten writes a second between them,
# each waking the ten consoles on its alias (all fifty share this process's two cores).
PACE_SECONDS = 0.2
PASSPHRASE = "fan-out benchmark passphrase"


def run(workspace: Workspace) -> list[Result]:
    url, drop = _fresh_database(workspace.url)
    try:
        return _measure(url)
    finally:
        drop()


def _fresh_database(url: str) -> tuple[str, Any]:
    parsed = make_url(url)
    name = f"{parsed.database}_desk_fanout"
    admin = psycopg.connect(conninfo(url), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    fresh = parsed.set(database=name).update_query_dict({}, append=False)
    fresh = fresh.difference_update_query(["options"])

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return fresh.render_as_string(hide_password=False), drop


def _measure(url: str) -> list[Result]:
    team = open_services(url)
    try:
        people, aliases = _set_up(team)
    finally:
        team.close()
    shared = open_workspace(url)
    statements = [0]
    # Every statement any engine of this process sends (the consoles' reads among them).
    event.listen(
        Engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1)
    )
    started: dict[tuple[int, str], float] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    stop = threading.Event()
    consoles = [
        _Console(shared, people[i % len(people)], aliases[i % ALIASES], started, latencies, lock)
        for i in range(CONSOLES)
    ]
    threads = [threading.Thread(target=c.watch, args=(stop,), daemon=True) for c in consoles]
    for thread in threads:
        thread.start()
    for console in consoles:
        console.ready.wait(60)
    claimers = [open_services(url) for _ in range(CLAIMERS)]
    try:
        work = [
            threading.Thread(target=_claim_and_reply, args=(s, n, people, aliases, started, lock))
            for n, s in enumerate(claimers)
        ]
        for thread in work:
            thread.start()
        for thread in work:
            thread.join()
        _settle(latencies, lock, CONTACTS * ALIASES * (CONSOLES // ALIASES))
        before, counted = _commits(url), statements[0]
        time.sleep(IDLE_SECONDS)
        after, idle_statements = _commits(url), statements[0] - counted
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
        for console in consoles:
            console.desk.close()
        for services in claimers:
            services.close()
        shared.close()
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 1 else 0.0
    # One transaction per _commits call of our own is in the difference.
    per_second = max(0, after - before - 1) / IDLE_SECONDS
    return [
        Result("desk_fanout", p95, "ms", TARGET_P95_MS),
        Result("desk_fanout_idle", per_second, "xact/s", None),
        Result("desk_fanout_idle_sent", idle_statements / IDLE_SECONDS, "stmt/s", None),
    ]


class _Console:
    """One console's refresh loop: wait for the desk to move, read it, note the new claims."""

    def __init__(
        self,
        shared: SqlWorkspace,
        who: SignedIn,
        alias_id: int,
        started: dict[tuple[int, str], float],
        latencies: list[float],
        lock: threading.Lock,
    ) -> None:
        self.desk = Desk(shared, {}, lambda: datetime.now(UTC), shared.desk_signals())
        self.who, self.alias_id = who, alias_id
        self.started, self.latencies, self.lock = started, latencies, lock
        self.ready = threading.Event()
        self.seen: set[str] = set()

    def watch(self, stop: threading.Event) -> None:
        filters = DeskFilters(timeline=False)
        model = self.desk.read(self.who, self.alias_id, filters)
        self.desk.wait_for_change(self.alias_id, model.version, 0.01)  # listening from now on
        self.ready.set()
        while not stop.is_set():
            version = self.desk.wait_for_change(self.alias_id, model.version, 0.5)
            if version == model.version:
                continue
            model = self.desk.read(self.who, self.alias_id, filters)
            now = time.perf_counter()
            for thread in model.threads:
                if thread.claim is None or thread.key in self.seen:
                    continue
                self.seen.add(thread.key)
                with self.lock:
                    began = self.started.get((self.alias_id, thread.key))
                    if began is not None:
                        self.latencies.append(now - began)


def _set_up(services: Any) -> tuple[list[SignedIn], list[int]]:
    services.accounts.add_operator("lead", "Lead", PASSPHRASE)
    aliases = [services.accounts.add_alias(f"@fan{n}", f"Fan {n}").id for n in range(ALIASES)]
    handles = [f"@fan{n}" for n in range(ALIASES)]
    services.accounts.grant("lead", handles[0], Role.LEAD)
    lead = services.accounts.sign_in("lead", PASSPHRASE)
    for handle in handles[1:]:
        services.accounts.grant("lead", handle, Role.LEAD, by=lead)
    people = [lead]
    for n in range(CLAIMERS + 3):
        name = f"op{n}"
        services.accounts.add_operator(name, name, PASSPHRASE, by=lead)
        for handle in handles:
            services.accounts.grant(name, handle, Role.OPERATOR, by=lead)
        people.append(services.accounts.sign_in(name, PASSPHRASE))
    for n in range(ALIASES):
        for c in range(CONTACTS):
            services.public.mention(f"@c{c}", f"{handles[n]} question {c}")
    for alias_id in aliases:
        services.inbox.sync(alias_id)
    return people, aliases


def _claim_and_reply(
    services: Any,
    number: int,
    people: list[SignedIn],
    aliases: list[int],
    started: dict[tuple[int, str], float],
    lock: threading.Lock,
) -> None:
    who = people[-1 - number]
    for alias_id in aliases:
        services.shifts.start(who, alias_id)
    for c in range(number, CONTACTS, CLAIMERS):
        for alias_id in aliases:
            contact = f"@c{c}"
            with lock:
                started[(alias_id, contact)] = time.perf_counter()
            services.claims.claim(who, alias_id, contact)
            message = services.inbox.conversation(who, alias_id, contact).answer_to
            services.posting.reply(who, message, f"Answer to {contact}")
            time.sleep(PACE_SECONDS)  # a colleague's pace, not a loop's


def _settle(latencies: list[float], lock: threading.Lock, expected: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            if len(latencies) >= expected:
                return
        time.sleep(0.1)


def _commits(url: str) -> int:
    with psycopg.connect(conninfo(url), autocommit=True) as pg:
        found = pg.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    return int(found[0]) if found else 0
