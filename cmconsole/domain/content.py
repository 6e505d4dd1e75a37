"""Content stamps: what an audit event says a row held, to check the stored rows against.

An event that records content (a post's text and people, a handover, a guide version, an
operator's names, a contact note) carries a stamp: the row it names (`post 12`) and, field by
field, the row's ids as they are and the SHA-256 of each text. Verification recomputes the stamp
of every row and names the fields that no longer match. A post's text is hashed with a random
salt kept on the post row: erasing the text together with its salt (GDPR art. 17) leaves a hash
nobody can check or reverse, which verification reports as a redaction; any other edit is
tampering. A contact note's text is salted the same way (erased with a contact's data).
"""

import hashlib
import json
from collections.abc import Mapping

from cmconsole.domain.audit_chain import SEPARATOR

# The tables whose rows events stamp, in the order verification reads them.
CONTENT_TABLES = ("post", "handover", "guide_version", "operator", "contact_note")
# A post's (or a note's) text field when the text and its salt were erased together: the
# designed redaction.
REDACTED = "redacted"

Stamp = dict[str, str | int | None]


def text_digest(text: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}{SEPARATOR}{text}".encode()).hexdigest()


def encode(stamp: Stamp) -> str:
    """The stored form of a stamp: the same fields always give the same text."""
    return json.dumps(stamp, sort_keys=True, separators=(",", ":"))


def post_stamp(salt: str | None, text: str, author_id: int, approver_id: int | None) -> str:
    # A post made without a salt (none are, since content hashing) is hashed with an empty one.
    hashed = REDACTED if salt is None and text == "" else text_digest(text, salt or "")
    # encode() written out: verification stamps every post, and this is a third of json.dumps.
    approver = "null" if approver_id is None else int(approver_id)
    return f'{{"approver":{approver},"author":{int(author_id)},"text":"{hashed}"}}'


def note_stamp(
    salt: str | None,
    text: str,
    author_id: int,
    contact_id: int,
    pinned: bool,
    by_trainee: bool,
    corrects_id: int | None,
) -> str:
    """A contact note: its salted text (REDACTED once erased with its salt), who wrote it about
    whom, and its flags. Notes written before 0021 have no salt and no stamp to compare with."""
    hashed = REDACTED if salt is None and text == "" else text_digest(text, salt or "")
    return encode(
        {
            "author": int(author_id),
            "contact": int(contact_id),
            "corrects": None if corrects_id is None else int(corrects_id),
            "pinned": bool(pinned),
            "text": hashed,
            "trainee": bool(by_trainee),
        }
    )


def handover_stamp(author_id: int, summary: str, content: str, corrects_id: int | None) -> str:
    """`content` is the handover's structured content as stored (JSON text)."""
    return encode(
        {
            "author": author_id,
            "corrects": corrects_id,
            "summary": text_digest(summary),
            "content": text_digest(content),
        }
    )


def guide_stamp(alias_id: int, version: int, source: str) -> str:
    return encode({"alias": alias_id, "version": version, "source": text_digest(source)})


def operator_stamp(name: str, display_name: str) -> str:
    return encode({"name": text_digest(name), "display_name": text_digest(display_name)})


def differences(recorded: str, current: str) -> tuple[list[str], bool]:
    """The fields of a row that no longer match its stamp, and whether the row's text was
    redacted the designed way (that field is then not among the differences)."""
    before: Mapping[str, object] = json.loads(recorded)
    now: Mapping[str, object] = json.loads(current)
    redacted = now.get("text") == REDACTED and before.get("text") != REDACTED
    changed = [
        name
        for name in sorted(set(before) | set(now))
        if before.get(name) != now.get(name) and not (redacted and name == "text")
    ]
    return changed, redacted
