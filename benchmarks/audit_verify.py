"""audit_verify: walking the workspace's audit chain, against the bare driver and hashlib on the
same rows. `build` makes a workspace holding only a chain, for tests that need a long one."""

import hashlib
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.results import Result
from benchmarks.workspace import Plain
from cmconsole.domain.audit_chain import GENESIS_HASH, SEPARATOR, canonical_details, record, stamp
from cmconsole.services.bundle import Services
from cmconsole.wiring import open_services

TARGET_PER_SECOND = 300_000
KINDS = ("post.queued", "post.published", "shift.started", "shift.ended", "handover.written")


def build(path: Path, events: int) -> None:
    """A workspace whose audit holds `events` valid, chained events, inserted in bulk."""
    open_services(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    start, prev, batch = datetime(2025, 1, 1, tzinfo=UTC), GENESIS_HASH, []
    for seq in range(1, events + 1):
        stamped = stamp(start + timedelta(seconds=seq * 7))
        kind = KINDS[seq % len(KINDS)]
        details = canonical_details(
            {"text": f"Merci pour votre message n°{seq}", "shift": seq % 97}
        )
        actor, alias, subject = seq % 50 + 1, seq % 20 + 1, f"post {seq}"
        digest = hashlib.sha256(
            record(seq, stamped, kind, actor, alias, subject, details, prev).encode()
        ).hexdigest()
        batch.append((seq, stamped, kind, actor, alias, subject, details, prev, digest))
        prev = digest
        if len(batch) == 50_000:
            connection.executemany("INSERT INTO audit_event VALUES (?,?,?,?,?,?,?,?,?)", batch)
            batch.clear()
    connection.executemany("INSERT INTO audit_event VALUES (?,?,?,?,?,?,?,?,?)", batch)
    connection.commit()
    connection.close()


def bare_loop(plain: Plain) -> int:
    """The baseline: the bare driver and hashlib over the same rows, checking the same things."""
    prev, count = GENESIS_HASH, 0
    rows = plain.stream(
        "SELECT seq, occurred_at, kind, actor_id, alias_id, subject, details, prev_hash, hash "
        "FROM audit_event ORDER BY seq"
    )
    for seq, at, kind, actor, alias, subject, details, link, digest in rows:
        text = SEPARATOR.join(
            (
                str(seq),
                at,
                kind,
                "" if actor is None else str(actor),
                "" if alias is None else str(alias),
                subject,
                details,
                link,
            )
        )
        if link != prev or hashlib.sha256(text.encode()).hexdigest() != digest:
            raise AssertionError(f"baseline found a broken chain at {seq}")
        prev, count = digest, count + 1
    return count


def run(services: Services, plain: Plain, repeats: int) -> Result:
    ours, baseline, events = [], [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        report = services.audit.verify()
        ours.append(time.perf_counter() - started)
        assert report.intact, report.problem
        started = time.perf_counter()
        events = bare_loop(plain)
        baseline.append(time.perf_counter() - started)
        assert events == report.events
    rate, bare_rate = events / statistics.median(ours), events / statistics.median(baseline)
    # Reported as a rate, so the ratio is baseline rate over ours: 1.0 is as fast as the bare loop.
    return Result(
        "audit_verify", rate, "ev/s", TARGET_PER_SECOND, higher_is_better=True, baseline=bare_rate
    )
