"""Which desk panes a unit of work changed, known from the tables its statements wrote."""

import re
from typing import Any

from sqlalchemy import Connection, Engine, event

from cmconsole.domain.desk_panes import DeskPane

# The tables each pane reads. A table written that is not named here changes every pane: a
# pane shown stale is a bug, a pane read again only costs time.
_FEEDS: dict[str, frozenset[DeskPane]] = {
    "claim": frozenset({DeskPane.CLAIMS}),
    "audit_event": frozenset({DeskPane.AUDIT}),
    "post": frozenset({DeskPane.OUTBOX, DeskPane.TRACKS}),  # a trainee's track counts reviews
    "post_attempt": frozenset({DeskPane.OUTBOX}),
    "sandbox_post": frozenset({DeskPane.OUTBOX}),
    "contact_thread": frozenset({DeskPane.INBOX}),
    "inbound_message": frozenset({DeskPane.INBOX, DeskPane.OUTBOX}),  # what awaits answers
    "contact": frozenset({DeskPane.INBOX}),
    "contact_handle": frozenset({DeskPane.INBOX}),
    "contact_tag": frozenset({DeskPane.INBOX}),
    "contact_tag_list": frozenset({DeskPane.INBOX}),
    "contact_rating": frozenset({DeskPane.INBOX}),
    "contact_note": frozenset({DeskPane.INBOX}),
    "follow_up": frozenset({DeskPane.TEAM, DeskPane.INBOX}),  # promises due come first
    "shift": frozenset({DeskPane.TEAM}),
    "handover": frozenset({DeskPane.TEAM}),
    "handover_ack": frozenset({DeskPane.TEAM}),
    "guide_version": frozenset({DeskPane.TEAM, DeskPane.TRACKS}),  # tracks count its rules
    "guide_ack": frozenset({DeskPane.TEAM}),
    "onboarding_step": frozenset({DeskPane.TRACKS}),
    "practice_reply": frozenset({DeskPane.TRACKS}),
    # Not shown on any desk (an alias's channels and where their mention feeds stand).
    "alias_channel": frozenset(),
    "desk_change": frozenset(),
    "dispatcher": frozenset(),
    "operator_setting": frozenset(),
    "saved_reply": frozenset(),
    "content_hashing_start": frozenset(),
}
# What a table's rows changed or removed, not only added, change besides: the audit's past
# entries show the text of the post each is about (an edit, an erasure); the ledger only grows.
_REWRITES: dict[str, frozenset[DeskPane]] = {
    "post": frozenset({DeskPane.LEDGER}),
    "audit_event": frozenset({DeskPane.LEDGER}),
}
_EVERY = frozenset(DeskPane)
_WRITE = re.compile(r'\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_READ = re.compile(r"\s*(?:SELECT|PRAGMA|SET|SHOW|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
_WRITTEN = "cmconsole_written"
# Each pane's version is a row of desk_change beside the alias's own, under a key no alias
# has: -(alias * SLOTS + 1 + the pane's place). The workspace's (alias 0) hold the changes made
# for no alias in particular, which every desk reads.
SLOTS = 8
_PLACE = {pane: place for place, pane in enumerate(DeskPane)}


def pane_key(alias_id: int, pane: DeskPane) -> int:
    return -(alias_id * SLOTS + 1 + _PLACE[pane])


def watch_writes(engine: Engine) -> None:
    """Note, on each connection, the tables its statements write (read by `changed_panes`)."""
    event.listen(engine, "before_cursor_execute", _noted)


def _noted(conn: Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
    if _READ.match(statement):
        return
    found = _WRITE.match(statement)
    # A write we cannot name (a CTE, a statement of another kind) changes every pane.
    table = found.group(2).lower() if found else "?"
    # An upsert may rewrite a row: only a plain INSERT only adds.
    verb = found.group(1).upper() if found else ""
    added = (
        verb.startswith("INSERT") and "OR" not in verb and "ON CONFLICT" not in statement.upper()
    )
    conn.info.setdefault(_WRITTEN, set()).add((table, added))


def forget_writes(conn: Connection) -> None:
    conn.info.pop(_WRITTEN, None)


def changed_panes(conn: Connection) -> frozenset[DeskPane]:
    """The panes the tables written on this connection, since `forget_writes`, feed."""
    panes: set[DeskPane] = set()
    for table, added in conn.info.get(_WRITTEN, ()):
        panes |= _FEEDS.get(table, _EVERY)
        if not added:
            panes |= _REWRITES.get(table, frozenset())
    return frozenset(panes)
