"""Verifying the ledger in one walk: the hash chain, a checkpoint, and the stored rows' content
against the stamps the events recorded."""

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import islice

from cmconsole.domain.audit_chain import GENESIS_HASH, SEPARATOR
from cmconsole.domain.content import differences
from cmconsole.domain.errors import InvalidInput
from cmconsole.services.ports import Transaction

PROGRESS_EVERY = 10_000
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Checkpoint:
    """How long the chain was and what its head hash was, written `EVENTS:HASH`."""

    events: int
    head_hash: str

    def __str__(self) -> str:
        return f"{self.events}:{self.head_hash}"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        events, _, head = text.strip().partition(":")
        if not events.isdigit() or len(head) != 64 or not all(c in _HEX for c in head):
            raise InvalidInput(f"a checkpoint looks like 1234:<64 hex digits>, not {text!r}")
        return cls(int(events), head)


@dataclass(frozen=True)
class ContentProblem:
    """A stored row that no longer says what the ledger recorded: `ref` is `table id`."""

    ref: str
    seq: int | None  # the event whose stamp it breaks; None for a row no event stamped
    fields: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.ref.partition(" ")[0]

    @property
    def row(self) -> str:
        return self.ref.partition(" ")[2]

    def __str__(self) -> str:
        where = f"table {self.table}, row {self.row}"
        if self.seq is None:
            return f"{where}: no ledger event records it (added behind the program's back)"
        if not self.fields:
            return f"{where}: gone, but event {self.seq} records it"
        return (
            f"{where}: {', '.join(self.fields)} no longer "
            f"{'matches' if len(self.fields) == 1 else 'match'} what event {self.seq} recorded"
        )


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the ledger: the chain, then the rows it stamps."""

    events: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None
    tampered: list[ContentProblem] = field(default_factory=list)
    redacted: list[str] = field(default_factory=list)  # rows whose text was erased as designed
    events_before_hashing: int = 0
    rows_before_hashing: int = 0

    @property
    def chain_intact(self) -> bool:
        return self.first_bad_seq is None

    @property
    def intact(self) -> bool:
        return self.first_bad_seq is None and not self.tampered


def verify(
    tx: Transaction,
    checkpoint: Checkpoint | None,
    progress: Callable[[int, int], None] | None,
) -> ChainReport:
    """Recompute every hash in order and name the first event that does not match; then compare
    every content row with the newest stamp of it the chain holds. `tx` must read one snapshot
    (a workspace's `reading` transaction): a row committed meanwhile, with its event, is then in
    both the walk and the rows or in neither."""
    stamps: dict[str, tuple[str, int]] = {}
    with closing(tx.audit.walk()) as rows:
        events, head, bad_seq, problem = _walk(tx, rows, stamps, checkpoint, progress)
    start = tx.audit.hashing_start()
    tampered, redacted, rows_before = _contents(tx, stamps, start, chain_intact=bad_seq is None)
    return ChainReport(
        events,
        head,
        bad_seq,
        problem,
        tampered,
        redacted,
        events_before_hashing=min(events, start.get("audit_event", 1) - 1),
        rows_before_hashing=rows_before,
    )


def _walk(
    tx: Transaction,
    rows: object,
    stamps: dict[str, tuple[str, int]],
    checkpoint: Checkpoint | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, str, int | None, str | None]:
    check_at = checkpoint.events if checkpoint else 0
    prev, next_seq = GENESIS_HASH, 1
    join = SEPARATOR.join
    total = tx.audit.count() if progress is not None else 0
    # The walk goes in slices that end at each progress mark and at the checkpoint, so the hot
    # loop below does nothing per event but what the chain itself needs checked.
    while True:
        done = next_seq - 1
        stop = done - done % PROGRESS_EVERY + PROGRESS_EVERY
        if done < check_at < stop:
            stop = check_at
        # A million times: the record is joined inline (as audit_chain.record does) and the
        # three checks share one test; which of them failed is worked out only then.
        for (
            seq, stamped, kind, actor, alias, subject, details, ref, content, link, digest
        ) in islice(rows, stop - done):  # type: ignore[call-overload]  # fmt: skip
            if (
                seq != next_seq
                or link != prev
                or sha256(
                    join(
                        (
                            str(seq),
                            stamped,
                            kind,
                            "" if actor is None else str(actor),
                            "" if alias is None else str(alias),
                            subject,
                            details if content is None else join((details, ref, content)),
                            link,
                        )
                    ).encode()
                ).hexdigest()
                != digest
            ):
                return next_seq - 1, prev, seq, _fault(seq, next_seq, link, prev)
            if content is not None:
                stamps[ref] = (content, seq)
            prev, next_seq = digest, seq + 1
        if next_seq - 1 < stop:
            break  # the chain ended inside this slice
        if stop == check_at and checkpoint and prev != checkpoint.head_hash:
            return (
                stop - 1,
                link,
                stop,
                f"it does not match the checkpoint at event {stop}: the chain was rewritten "
                "up to there and its hashes recomputed",
            )
        if progress is not None and stop % PROGRESS_EVERY == 0:
            progress(stop, total)
    count = next_seq - 1
    if checkpoint and count < checkpoint.events:
        return (
            count,
            prev,
            count + 1,
            f"the chain ends at event {count} but the checkpoint names event "
            f"{checkpoint.events}: events were removed from its end",
        )
    return count, prev, None, None


def _contents(
    tx: Transaction,
    stamps: dict[str, tuple[str, int]],
    start: dict[str, int],
    *,
    chain_intact: bool,
) -> tuple[list[ContentProblem], list[str], int]:
    """Every content row against its newest stamp: what differs, what was redacted, and how
    many rows predate content hashing."""
    tampered: list[ContentProblem] = []
    redacted: list[str] = []
    before = 0
    first_of = start.get
    for ref, row_id, current in tx.audit.stamps():
        recorded = stamps.pop(ref, None)
        if recorded is None:
            if row_id < first_of(ref.partition(" ")[0], 1):
                before += 1
            elif chain_intact:  # past a break, stamps were not collected: say nothing
                tampered.append(ContentProblem(ref, None, ()))
            continue
        if recorded[0] == current:
            continue
        changed, erased = differences(recorded[0], current)
        if changed:
            tampered.append(ContentProblem(ref, recorded[1], tuple(changed)))
        elif erased:
            redacted.append(ref)
    # Stamped rows that are gone altogether.
    tampered.extend(ContentProblem(ref, seq, ()) for ref, (_, seq) in stamps.items())
    tampered.sort(key=lambda problem: (problem.seq or 0, problem.ref))
    return tampered, redacted, before


def _fault(seq: int, expected_seq: int, link: str, expected_link: str) -> str:
    """What is wrong with an event that failed verification."""
    if seq != expected_seq:
        return f"expected event {expected_seq}, found {seq}"
    if link != expected_link:
        return "its link to the previous event does not match"
    return "its content does not match its hash"
