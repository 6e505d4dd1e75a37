"""desk_fanout (PostgreSQL): fifty consoles wait on the desks of the workspace's busiest aliases
(by messages) while colleagues claim and reply; how long a claim takes to show on the others'
desks (p95), and what the fifty cost the database while nobody does anything (transactions per
second, from pg_stat_database).

It runs in a database of its own, created and dropped here, so that the server's counters are
ours alone and the shared workspace stays as generated: those aliases are copied into it with
every row that is theirs (the desk of each reads what it reads in the workspace)."""

import contextlib
import statistics
import threading
import time
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, Table, event
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from benchmarks.results import Result
from benchmarks.workspace import Workspace, conninfo
from cmconsole.domain.errors import CmconsoleError
from cmconsole.services.desk import Desk
from cmconsole.services.desk_model import DeskFilters
from cmconsole.services.guard import SignedIn
from cmconsole.storage import contact_tables, tables  # noqa: F401  (their tables, copied)
from cmconsole.storage.workspace import SqlWorkspace, open_workspace
from cmconsole.wiring import open_services

CONSOLES = 50
ALIASES = 5
CONTACTS = 40  # per alias at most: its newest unanswered threads, each claimed and answered once
CLAIMERS = 2
TARGET_P95_MS = 1000.0
IDLE_SECONDS = 5.0
# Between one claim-and-reply and the next, per colleague: ten writes a second between them,
# each waking the ten consoles on its alias (all fifty share this process's two cores).
PACE_SECONDS = 0.2


def run(workspace: Workspace) -> list[Result]:
    url, drop = _fresh_database(workspace.url)
    try:
        aliases = copy_busiest(workspace.url, url, ALIASES)
        return _measure(url, aliases)
    finally:
        drop()


def copy_busiest(source: str, target: str, count: int) -> list[int]:
    """Copy the `count` aliases with the most messages from `source` into the empty `target`
    (made at the same schema revision), with every row of theirs: rows naming one of them, rows
    hanging from those, and the tables that belong to no alias (operators, aliases)."""
    open_services(target).close()  # the migrations make the schema
    with (
        psycopg.connect(conninfo(source)) as src,
        psycopg.connect(conninfo(target), autocommit=True) as dst,
    ):
        busiest = [
            alias_id
            for (alias_id,) in src.execute(
                "SELECT alias_id FROM inbound_message GROUP BY alias_id "
                "ORDER BY count(*) DESC, alias_id LIMIT %s",
                (count,),
            )
        ]
        ids = ", ".join(str(int(alias_id)) for alias_id in busiest)
        tables = SQLModel.metadata.sorted_tables  # parents first
        names = ", ".join(f'"{table.name}"' for table in tables)
        # Rows as they are, unchecked, and no trigger (the audit's refuses the TRUNCATE).
        dst.execute("SET session_replication_role = replica")
        dst.execute(f"TRUNCATE {names} CASCADE")
        conditions: dict[str, str | None] = {}
        for table in tables:
            condition = _theirs(table, ids, conditions)
            conditions[table.name] = condition
            where = f" WHERE {condition}" if condition else ""
            with (
                src.cursor().copy(
                    f'COPY (SELECT * FROM "{table.name}"{where}) TO STDOUT (FORMAT BINARY)'
                ) as out,
                dst.cursor().copy(f'COPY "{table.name}" FROM STDIN (FORMAT BINARY)') as into,
            ):
                for block in out:
                    into.write(block)
            if "id" in table.c and table.c["id"].autoincrement is not False:
                dst.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"), false) '
                    f"WHERE pg_get_serial_sequence('\"{table.name}\"', 'id') IS NOT NULL"
                )
        dst.execute("SET session_replication_role = DEFAULT")
        dst.execute("ANALYZE")
    return busiest


def _theirs(table: Table, ids: str, conditions: dict[str, str | None]) -> str | None:
    """Which rows of `table` are the aliases' (None: all of them)."""
    if table.name == "alias":
        return None
    if "alias_id" in table.c:
        return f"alias_id IN ({ids})"
    for key in table.foreign_keys:
        parent = key.column.table.name
        condition = conditions.get(parent)
        if condition is not None:
            return (
                f'"{key.parent.name}" IN (SELECT "{key.column.name}" FROM "{parent}" '
                f"WHERE {condition})"
            )
    return None


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


def _measure(url: str, aliases: list[int]) -> list[Result]:
    team = open_services(url)
    try:
        watchers, claimers, contacts = _set_up(team, url, aliases)
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
        _Console(
            shared,
            _nth(watchers[aliases[i % len(aliases)]], i // len(aliases)),
            aliases[i % len(aliases)],
            started,
            latencies,
            lock,
        )
        for i in range(CONSOLES)
    ]
    threads = [threading.Thread(target=c.watch, args=(stop,), daemon=True) for c in consoles]
    for thread in threads:
        thread.start()
    for console in consoles:
        console.ready.wait(60)
    colleagues = [open_services(url) for _ in range(CLAIMERS)]
    try:
        work = [
            threading.Thread(
                target=_claim_and_reply, args=(s, n, claimers, contacts, started, lock)
            )
            for n, s in enumerate(colleagues)
        ]
        for thread in work:
            thread.start()
        for thread in work:
            thread.join()
        claimed = sum(len(handles) for handles in contacts.values())
        _settle(latencies, lock, claimed * (CONSOLES // len(aliases)))
        before, counted = _commits(url), statements[0]
        time.sleep(IDLE_SECONDS)
        after, idle_statements = _commits(url), statements[0] - counted
    finally:
        stop.set()
        for thread in threads:
            thread.join(5)
        for console in consoles:
            console.desk.close()
        for services in colleagues:
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
    """One console's refresh loop: wait for the desk to move, refresh it (reading again only
    the panes that moved), note the new claims."""

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
            model = self.desk.refresh(self.who, model)  # as the alias screen does
            now = time.perf_counter()
            for thread in model.threads:
                if thread.claim is None or thread.key in self.seen:
                    continue
                self.seen.add(thread.key)
                with self.lock:
                    began = self.started.get((self.alias_id, thread.key))
                    if began is not None:
                        self.latencies.append(now - began)


def _nth(people: list[SignedIn], n: int) -> SignedIn:
    return people[n % len(people)]


def _set_up(
    services: Any, url: str, aliases: list[int]
) -> tuple[dict[int, list[SignedIn]], dict[int, list[SignedIn]], dict[int, list[str]]]:
    """Per alias: its active members (the consoles watch as them), the colleagues who claim
    (members who may speak, on shift with its handovers and guide read) and the contacts they
    claim (its newest unanswered threads nobody holds)."""
    watchers: dict[int, list[SignedIn]] = {}
    claimers: dict[int, list[SignedIn]] = {}
    contacts: dict[int, list[str]] = {}
    with psycopg.connect(conninfo(url)) as pg:
        for alias_id in aliases:
            members = pg.execute(
                "SELECT o.id, o.name, m.role FROM membership m JOIN operator o "
                "ON o.id = m.operator_id WHERE m.alias_id = %s AND o.active ORDER BY o.id",
                (alias_id,),
            ).fetchall()
            watchers[alias_id] = [SignedIn(i, name) for i, name, _ in members]
            speakers = [SignedIn(i, name) for i, name, role in members if role != "trainee"]
            claimers[alias_id] = speakers[-CLAIMERS:]
            contacts[alias_id] = [
                handle
                for (handle,) in pg.execute(
                    "SELECT t.contact_handle FROM contact_thread t WHERE t.alias_id = %s "
                    "AND t.unanswered AND NOT EXISTS (SELECT 1 FROM claim c WHERE "
                    "c.alias_id = t.alias_id AND c.contact_handle = t.contact_handle) "
                    "ORDER BY t.last_activity_at DESC LIMIT %s",
                    (alias_id, CONTACTS),
                )
            ]
    for alias_id, people in claimers.items():
        for who in people:
            services.shifts.start(who, alias_id)  # or joins the one open
            for handover in services.handovers.pending(who, alias_id):
                services.handovers.acknowledge(who, handover.id)
            guide = services.guides.current(who, alias_id)
            if guide is not None:
                services.guides.acknowledge(who, alias_id, guide.version.version)
    return watchers, claimers, contacts


def _claim_and_reply(
    services: Any,
    number: int,
    claimers: dict[int, list[SignedIn]],
    contacts: dict[int, list[str]],
    started: dict[tuple[int, str], float],
    lock: threading.Lock,
) -> None:
    for c in range(number, CONTACTS, CLAIMERS):
        for alias_id, handles in contacts.items():
            if c >= len(handles):
                continue
            who, contact = _nth(claimers[alias_id], number), handles[c]
            with lock:
                started[(alias_id, contact)] = time.perf_counter()
            services.claims.claim(who, alias_id, contact)
            message = services.inbox.conversation(who, alias_id, contact).answer_to
            # The alias's guide may refuse the words: the claim is the write measured.
            with contextlib.suppress(CmconsoleError):
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
