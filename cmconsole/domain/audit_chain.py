"""The audit chain: each event's record, as stored, and the SHA-256 that links it to the last.

The record is the stored text of the event's fields joined by a separator, so that verifying a
million events hashes the bytes the database holds instead of re-serialising anything.
"""

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
SEPARATOR = "\x1f"  # ASCII unit separator: never in canonical JSON, refused in kinds and subjects


def stamp(moment: datetime) -> str:
    """The stored form of an event's time: UTC, microseconds, sortable as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_details(details: dict[str, object]) -> str:
    """The stored form of an event's details: the same dict always gives the same text."""
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record(
    seq: int,
    stamped: str,
    kind: str,
    actor_id: int | None,
    alias_id: int | None,
    subject: str,
    details: str,
    prev_hash: str,
    content_ref: str | None = None,
    content: str | None = None,
) -> str:
    """The text an event's hash covers, built from its stored fields. An event that stamps a
    row's content (see domain.content) has the row and the stamp after its details; events
    without one (all of them before content hashing) keep the record they always had."""
    return SEPARATOR.join(
        (
            str(seq),
            stamped,
            kind,
            "" if actor_id is None else str(actor_id),
            "" if alias_id is None else str(alias_id),
            subject,
            with_content(details, content_ref, content),
            prev_hash,
        )
    )


def with_content(details: str, content_ref: str | None, content: str | None) -> str:
    """The details' place in the record: the details, then the stamp's row and stamp if any
    (neither canonical JSON nor a row name can hold the separator)."""
    if content is None:
        return details
    return f"{details}{SEPARATOR}{content_ref}{SEPARATOR}{content}"


def record_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    kind: str,
    actor_id: int | None,
    alias_id: int | None,
    subject: str,
    details: dict[str, object],
    prev_hash: str,
    content_ref: str | None = None,
    content: str | None = None,
) -> str:
    """The hash of an event given as values (the way it is appended)."""
    if SEPARATOR in kind or SEPARATOR in subject:
        raise ValueError("an audit kind or subject may not contain the unit separator")
    return record_hash(
        record(
            seq,
            stamp(occurred_at),
            kind,
            actor_id,
            alias_id,
            subject,
            canonical_details(details),
            prev_hash,
            content_ref,
            content,
        )
    )
