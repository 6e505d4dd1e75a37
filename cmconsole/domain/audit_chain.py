"""The audit chain: a canonical encoding of each event and the SHA-256 that links it to the last."""

import hashlib
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64


def canonical_bytes(
    *,
    seq: int,
    occurred_at: datetime,
    kind: str,
    actor_id: int | None,
    alias_id: int | None,
    subject: str,
    details: dict[str, object],
    prev_hash: str,
) -> bytes:
    """Encode an event so that the same event always gives the same bytes, on any database."""
    record = {
        "seq": seq,
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "kind": kind,
        "actor_id": actor_id,
        "alias_id": alias_id,
        "subject": subject,
        "details": details,
        "prev_hash": prev_hash,
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(**fields: object) -> str:
    """SHA-256 of the canonical encoding of an event (which includes its predecessor's hash)."""
    return hashlib.sha256(canonical_bytes(**fields)).hexdigest()  # type: ignore[arg-type]
