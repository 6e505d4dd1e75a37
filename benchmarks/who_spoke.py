"""audit_first_page and audit_search: who spoke when, over a million published posts."""

import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.results import Result
from cmconsole.services.guard import SignedIn
from cmconsole.wiring import open_services

POSTS = {"small": 100_000, "agency": 1_000_000}
ALIASES, OPERATORS = 20, 50
NOW = datetime(2026, 11, 1, tzinfo=UTC)
# The alias and author the pages are read for: author 7 writes on aliases 7 and 17 (see build).
ALIAS, AUTHOR = 7, 7
SEARCHED = "remboursement"

_OPENINGS = (
    "Merci pour votre message",
    "Bonjour",
    "Thanks for reaching out",
    "Hi there",
    "Désolés",
    "Sorry about that",
    "Bonne nouvelle",
    "Good news",
)
_MIDDLES = (
    "nous regardons votre commande",
    "we are looking into your order",
    "la boutique ouvre à 9 h",
    "the fix is rolling out",
    "votre colis part demain",
    "your refund is on its way",
    "notre tarte revient vendredi",
    "we have passed it to billing",
    "le remboursement est lancé",
    "the status page is up to date",
)
_CLOSINGS = ("à bientôt", "speak soon", "bonne journée", "have a good day", "", "")


def _stored(moment: datetime) -> str:
    # How SQLAlchemy stores a datetime in SQLite: the benchmark writes rows the way it would.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, posts: int) -> None:
    """A workspace with 20 aliases, 50 operators and `posts` published posts over two years."""
    open_services(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    created = _stored(NOW - timedelta(days=800))
    connection.executemany(
        "INSERT INTO alias (id, handle, display_name, language, channel, signature_kind, "
        "signature_text, created_at) VALUES (?, ?, ?, 'fr', 'sandbox', 'none', '', ?)",
        [(a, f"@alias{a:02d}", f"Alias {a}", created) for a in range(1, ALIASES + 1)],
    )
    connection.executemany(
        "INSERT INTO operator (id, name, display_name, initials, passphrase_hash, active, "
        "created_at) VALUES (?, ?, ?, 'OP', 'scrypt$disabled', 1, ?)",
        [(o, f"op{o:02d}", f"Operator {o}", created) for o in range(1, OPERATORS + 1)],
    )
    connection.executemany(
        "INSERT INTO membership (operator_id, alias_id, role) VALUES (1, ?, 'lead')",
        [(a,) for a in range(1, ALIASES + 1)],
    )
    randomness = random.Random(8)
    span = timedelta(days=730).total_seconds()
    batch = []
    for number in range(1, posts + 1):
        at = _stored(NOW - timedelta(seconds=span * (posts - number) / posts))
        text = " ".join(
            part
            for part in (
                randomness.choice(_OPENINGS),
                randomness.choice(_MIDDLES),
                randomness.choice(_CLOSINGS),
                f"#{number}",
            )
            if part
        )
        batch.append((number % ALIASES + 1, number % OPERATORS + 1, text, at, at))
        if len(batch) == 50_000:
            _insert_posts(connection, batch)
            batch.clear()
    _insert_posts(connection, batch)
    connection.commit()
    connection.close()


def _insert_posts(connection: sqlite3.Connection, rows: Sequence[tuple[object, ...]]) -> None:
    connection.executemany(
        "INSERT INTO post (alias_id, author_id, text, status, attempts, created_at, "
        "published_at, overrides) VALUES (?, ?, ?, 'published', 1, ?, ?, '{}')",
        rows,
    )


def _median_ms(call: Callable[[], object], repeats: int) -> float:
    call()  # warm the caches once
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def run(scale: str, workdir: Path, repeats: int = 30) -> list[Result]:
    path = workdir / f"posts-{scale}.db"
    if not path.exists():
        build(path, POSTS[scale])
    services = open_services(f"sqlite:///{path}")
    lead = SignedIn(1, "op01")
    since = NOW - timedelta(days=30)
    plain = sqlite3.connect(path)
    try:
        first_page = _median_ms(
            lambda: services.audit.spoken(
                lead, ALIAS, operator=f"op{AUTHOR:02d}", since=since, until=NOW, limit=50
            ),
            repeats,
        )
        first_page_plain = _median_ms(
            lambda: plain.execute(
                "SELECT post.*, operator.name FROM post JOIN operator ON operator.id = "
                "post.author_id WHERE post.alias_id = ? AND post.status = 'published' AND "
                "post.author_id = ? AND post.published_at >= ? AND post.published_at < ? "
                "ORDER BY post.published_at DESC, post.id DESC LIMIT 50",
                (ALIAS, AUTHOR, _stored(since), _stored(NOW)),
            ).fetchall(),
            repeats,
        )
        search = _median_ms(
            lambda: services.audit.spoken(lead, ALIAS, text=SEARCHED, limit=50), repeats
        )
    finally:
        plain.close()
        services.close()
    return [
        Result("audit_first_page", first_page, "ms", 5.0, baseline=first_page_plain),
        Result("audit_search", search, "ms", 100.0),
    ]
