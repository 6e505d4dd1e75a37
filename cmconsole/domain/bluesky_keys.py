"""Bluesky's plain parts, with no library: record keys (TIDs), AT URIs and app passwords."""

import hashlib
import re
from datetime import UTC, datetime

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, atproto's TID spec
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# Bluesky's app passwords are four groups of four lower-case letters and digits.
_APP_PASSWORD = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$")
POST_COLLECTION = "app.bsky.feed.post"


def is_app_password(given: str) -> bool:
    """True for what has the form of an app password (xxxx-xxxx-xxxx-xxxx), which an account's
    own password never has."""
    return bool(_APP_PASSWORD.match(given.strip().lower()))


def record_key(attempt_at: datetime, post_key: str) -> str:
    """A valid TID (https://atproto.com/specs/tid) for one attempt at one post: its 53 bits of
    time are the attempt's microseconds, its 10 bits of clock id come from the post's key. The
    same attempt retried (a session renewed, a connection that never opened) uses the same key,
    so the PDS cannot create it twice."""
    micros = int(attempt_at.timestamp() * 1_000_000) & ((1 << 53) - 1)
    clock_id = int.from_bytes(hashlib.sha256(post_key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock_id
    return "".join(_TID_ALPHABET[(value >> (5 * (12 - i))) & 31] for i in range(13))


def tid_time(key: str) -> datetime | None:
    """When a TID record key was made; None if `key` is not a TID."""
    if not _TID.match(key):
        return None
    value = 0
    for char in key:
        value = value * 32 + _TID_ALPHABET.index(char)
    return datetime.fromtimestamp((value >> 10) / 1_000_000, UTC)


def post_uri(did: str, key: str) -> str:
    return f"at://{did}/{POST_COLLECTION}/{key}"


def post_id(uri: str) -> str:
    """The id cmconsole keeps for a post: `DID/record key`, 46 characters for a did:plc where
    the AT URI has 70 (the workspace keeps channel ids in 64). Other URIs are kept whole."""
    prefix, _, key = uri.removeprefix("at://").rpartition(f"/{POST_COLLECTION}/")
    return f"{prefix}/{key}" if uri.startswith("at://") and prefix and key else uri


def uri_of(kept: str) -> str:
    """The AT URI of a post id made by `post_id`."""
    if kept.startswith("at://"):
        return kept
    did, _, key = kept.rpartition("/")
    return post_uri(did, key)


def uri_key(uri: str) -> str:
    """The record key at the end of an AT URI."""
    return uri.rstrip("/").rsplit("/", 1)[-1]
