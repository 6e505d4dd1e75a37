"""dispatch: queued replies published through the sandbox channel, each with its audit event,
by the dispatcher a console runs, on a fresh workspace of its own (so the shared one stays as
generated). The alias is connected to X, Mastodon and Bluesky as well: one alias on several
channels must not slow the outbox."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, col

from benchmarks.results import Result
from benchmarks.workspace import Workspace, conninfo
from cmconsole.storage.tables import (
    AliasChannelRow,
    AliasRow,
    AuditEventRow,
    InboundMessageRow,
    MembershipRow,
    OperatorRow,
    PostRow,
)
from cmconsole.wiring import open_services

TARGET_PER_SECOND = 500.0


def fresh_url(workspace: Workspace, workdir: Path, scale: str) -> str:
    """An empty database beside the workspace: a file, or a schema next to the workspace's."""
    if workspace.database == "sqlite":
        path = workdir / f"dispatch-{scale}.db"
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    with psycopg.connect(conninfo(workspace.url), autocommit=True) as pg:
        found = pg.execute("SELECT current_schema()").fetchone()
        assert found is not None
        schema = f"{found[0]}_dispatch"
        pg.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        pg.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(workspace.url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _queue(url: str, count: int) -> None:
    """One alias, its operator, and `count` messages each with a reply waiting in the outbox
    (the tables are new, so the ids come out 1 to `count` and each reply answers its message)."""
    open_services(url).close()
    now = datetime.now(UTC) - timedelta(minutes=5)
    engine = create_engine(url)
    rows: list[tuple[type[SQLModel], list[dict[str, Any]]]] = [
        (
            AliasRow,
            [
                {
                    "handle": "@bellehelene",
                    "display_name": "Belle Hélène",
                    "language": "fr",
                    "channel": "sandbox",
                    "signature_kind": "initials",
                    "signature_text": "",
                    "created_at": now,
                }
            ],
        ),
        (
            OperatorRow,
            [
                {
                    "name": "lea",
                    "display_name": "Léa Martin",
                    "initials": "LM",
                    "passphrase_hash": "scrypt$disabled",
                    "active": True,
                    "created_at": now,
                }
            ],
        ),
        (
            AliasChannelRow,
            [
                {"alias_id": 1, "channel": channel, "connected_at": now}
                for channel in ("sandbox", "x", "mastodon", "bluesky")
            ],
        ),
        (MembershipRow, [{"operator_id": 1, "alias_id": 1, "role": "operator"}]),
        (
            InboundMessageRow,
            [
                {
                    "alias_id": 1,
                    "channel_message_id": str(n),
                    "channel": "sandbox",
                    "author_handle": f"@fan{n % 500}",
                    "received_at": now,
                    "text": f"@bellehelene ma commande {n} n'est pas arrivée",
                }
                for n in range(1, count + 1)
            ],
        ),
        (
            PostRow,
            [
                {
                    "alias_id": 1,
                    "author_id": 1,
                    "in_reply_to_id": n,
                    "channel": "sandbox",
                    "status": "queued",
                    "attempts": 0,
                    "created_at": now,
                    "overrides": "{}",
                    "text": f"Bonjour, nous regardons la commande {n} tout de suite.",
                }
                for n in range(1, count + 1)
            ],
        ),
    ]
    with engine.begin() as connection:
        for table, values in rows:
            connection.execute(insert(table), values)
    engine.dispose()


def run(workspace: Workspace, workdir: Path, scale: str, count: int) -> Result:
    url = fresh_url(workspace, workdir, scale)
    _queue(url, count)
    services = open_services(url)
    published = 0
    try:
        started = time.perf_counter()
        while True:
            report = services.dispatcher.run_once(limit=100)
            published += len(report.published)
            if not report.settled and not report.reconciled:
                break
        elapsed = time.perf_counter() - started
    finally:
        services.close()
    engine = create_engine(url)
    with engine.connect() as connection:
        events = connection.execute(
            select(func.count()).where(col(AuditEventRow.kind) == "post.published")
        ).scalar_one()
    engine.dispose()
    assert published == events == count, (published, events, count)
    return Result("dispatch", count / elapsed, "posts/s", TARGET_PER_SECOND, higher_is_better=True)
