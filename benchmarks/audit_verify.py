"""audit_verify: walking the workspace's audit chain and checking the rows it stamps, against
the bare driver and hashlib doing the same on the same rows. `build` makes a workspace holding
only a chain, for tests that need a long one."""

import hashlib
import json
import sqlite3
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.results import Result
from benchmarks.workspace import Plain
from cmconsole.domain.audit_chain import GENESIS_HASH, SEPARATOR, canonical_details, record, stamp
from cmconsole.services.bundle import Services
from cmconsole.wiring import open_services

TARGET_PER_SECOND = 300_000
KINDS = ("post.queued", "post.published", "shift.started", "shift.ended", "handover.written")


_INSERT = (
    "INSERT INTO audit_event (seq, occurred_at, kind, actor_id, alias_id, subject, details, "
    "prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)"
)


def build(path: Path, events: int) -> None:
    """A workspace whose audit holds `events` valid, chained events, inserted in bulk."""
    open_services(f"sqlite:///{path}").close()
    connection = sqlite3.connect(path)
    start, prev, batch = datetime(2025, 1, 1, tzinfo=UTC), GENESIS_HASH, []
    for seq in range(1, events + 1):
        stamped = stamp(start + timedelta(seconds=seq * 7))
        kind = KINDS[seq % len(KINDS)]
        details = canonical_details(
            # No text: the ledger holds only the stamp of a post's text (so it can be erased).
            {"in_reply_to": str(1_790_000_000_000_000_000 + seq), "shift": seq % 97}
        )
        actor, alias, subject = seq % 50 + 1, seq % 20 + 1, f"post {seq}"
        digest = hashlib.sha256(
            record(seq, stamped, kind, actor, alias, subject, details, prev).encode()
        ).hexdigest()
        batch.append((seq, stamped, kind, actor, alias, subject, details, prev, digest))
        prev = digest
        if len(batch) == 50_000:
            connection.executemany(_INSERT, batch)
            batch.clear()
    connection.executemany(_INSERT, batch)
    connection.commit()
    connection.close()


def bare_loop(plain: Plain) -> int:
    """The baseline: the bare driver and hashlib over the same rows, checking the same things:
    the chain, then every content row against the newest stamp of it (written out here with
    json and hashlib, apart from cmconsole's own stamping)."""
    prev, count, stamps = GENESIS_HASH, 0, {}
    rows = plain.stream(
        "SELECT seq, occurred_at, kind, actor_id, alias_id, subject, details, content_ref, "
        "content, prev_hash, hash FROM audit_event ORDER BY seq"
    )
    for seq, at, kind, actor, alias, subject, details, ref, content, link, digest in rows:
        if content is not None:
            details = SEPARATOR.join((details, ref, content))
            stamps[ref] = content
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
    for ref, current in _bare_stamps(plain):
        recorded = stamps.get(ref)
        if recorded is not None and recorded != current:
            raise AssertionError(f"baseline found {ref} edited")
    return count


def _text(text: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}{SEPARATOR}{text}".encode()).hexdigest()


def _bare_stamps(plain: Plain) -> Iterator[tuple[str, str]]:
    dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    for id_, salt, text, author, approver in plain.stream(
        "SELECT id, content_salt, text, author_id, approver_id FROM post"
    ):
        hashed = "redacted" if salt is None and text == "" else _text(text, salt or "")
        yield f"post {id_}", dumps({"approver": approver, "author": author, "text": hashed})
    for id_, author, summary, content, corrects in plain.stream(
        "SELECT id, author_id, summary, content, corrects_id FROM handover"
    ):
        yield (
            f"handover {id_}",
            dumps(
                {
                    "author": author,
                    "content": _text(content),
                    "corrects": corrects,
                    "summary": _text(summary),
                }
            ),
        )
    for alias, version, source in plain.stream(
        "SELECT alias_id, version, source FROM guide_version"
    ):
        yield (
            f"guide_version {alias}.{version}",
            dumps({"alias": alias, "source": _text(source), "version": version}),
        )
    for id_, name, display in plain.stream("SELECT id, name, display_name FROM operator"):
        yield f"operator {id_}", dumps({"display_name": _text(display), "name": _text(name)})


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
