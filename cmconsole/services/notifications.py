"""Notifications, derived from what the workspace already records: no use case has to emit them."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cmconsole.domain.display import marked
from cmconsole.domain.model import Alias, AuditEntry, Operator, Role
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import Clock, Transaction, Workspace

# How many notifications a list shows, and how far back the sources are read for them.
RECENT = 50
READ_BACK = 500
# Without a time to start from, promises that fell due this recently are still news.
DUE_WINDOW = timedelta(hours=1)
BELL = "bell"

# Audit kinds that concern one person, and how each names them in its details.
SENT_BACK = "post.rejected"  # {"author": id, "comment": text}
TAKEN_OVER = "claim.taken_over"  # {"from": name, "held_since": ...}
HANDED = "thread.handed"  # {"contact": handle, "to_id": id, "to": name, "note": text}


class NotificationKind(StrEnum):
    SENT_BACK = "sent_back"  # a reviewer sent your reply back
    TAKEN_OVER = "taken_over"  # a colleague took over a thread you held
    HANDED = "handed"  # a colleague handed you a thread
    NEW_MESSAGE = "new_message"  # a message came into a thread you hold or were handed
    AWAITING_APPROVAL = "awaiting_approval"  # for leads: replies wait for approval
    FOLLOW_UP_DUE = "follow_up_due"  # a promise to a contact fell due


@dataclass(frozen=True)
class Notification:
    """Something that happened that the reader should know of, and where it came from."""

    kind: NotificationKind
    text: str
    when: datetime
    # Stable across reads (`audit 12`, `message 40`, `awaiting 7`, `follow-up 3`): a console
    # shows each once.
    key: str
    contact: str | None = None
    private: bool = False  # about a private message (Mastodon's `direct`): its text says so


class NotificationService:
    """What is news for one operator on one alias, read from the audit, claims, posts, promises."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def recent(
        self, who: SignedIn, alias_id: int, since: datetime | None = None, limit: int = RECENT
    ) -> list[Notification]:
        """The operator's notifications on the alias, newest first; only those after `since`
        if given (else promises that fell due in the last hour, and the rest as far back as
        they go)."""
        now = self._clock()
        with self._workspace.reading() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role = role_on(tx, operator, alias)
            found = [
                *_from_audit(tx, operator, alias, since),
                *_new_messages(tx, operator, alias, since, now),
                *_follow_ups_due(tx, alias, since, now),
            ]
            if role is Role.LEAD:
                found += _awaiting(tx, alias, since)
        found.sort(key=lambda notice: notice.when, reverse=True)
        return found[:limit]

    def while_away(self, who: SignedIn, alias_id: int) -> list[Notification]:
        """What concerned the operator personally (a reply sent back, a claim taken over, a
        thread handed to them) since their previous shift on the alias ended, newest first;
        nothing if they never ended one there."""
        now = self._clock()
        with self._workspace.reading() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            left = tx.shifts.last_ended_before(operator.id, alias.id, now)
            if left is None:
                return []
            return _from_audit(tx, operator, alias, left)[:RECENT]

    def bell(self, who: SignedIn) -> bool:
        """Whether the operator wants the terminal bell with each new notification."""
        with self._workspace.reading() as tx:
            operator = active_operator(tx, who)
            return tx.settings.get(operator.id, BELL) == "on"

    def set_bell(self, who: SignedIn, on: bool) -> bool:
        """Turn the operator's bell on or off, on every console they use; return it as now set.
        A personal preference, not the alias's state: unaudited, and no desk re-reads for it."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            tx.settings.put(operator.id, BELL, "on" if on else "off")
        return on


def _from_audit(
    tx: Transaction, operator: Operator, alias: Alias, since: datetime | None
) -> list[Notification]:
    notices = []
    kinds = frozenset({SENT_BACK, TAKEN_OVER, HANDED})
    for entry in tx.audit.of_kinds(alias.id, kinds, since, READ_BACK):
        found = _about(tx, operator, entry)
        if found is not None:
            kind, text, contact = found
            when, key = entry.event.occurred_at, f"audit {entry.event.seq}"
            notices.append(Notification(kind, text, when, key, contact))
    return notices


def _about(
    tx: Transaction, operator: Operator, entry: AuditEntry
) -> tuple[NotificationKind, str, str | None] | None:
    """What the event tells the operator, if it concerns them: kind, text, contact."""
    event, actor = entry.event, entry.actor_name or "someone"
    details = event.details
    if event.kind == SENT_BACK and details.get("author") == operator.id:
        contact = _contact_of_post(tx, entry)
        comment = str(details.get("comment", ""))
        text = f"{actor} sent back your reply to {contact or 'a message'}: {comment}"
        return NotificationKind.SENT_BACK, text, contact
    if event.kind == TAKEN_OVER and details.get("from") == operator.name:
        text = f"{actor} took over {event.subject}, which you were answering"
        return NotificationKind.TAKEN_OVER, text, event.subject
    if event.kind == HANDED and details.get("to_id") == operator.id:
        if event.actor_id == operator.id:
            return None  # handed to oneself: nothing to tell
        contact = str(details.get("contact") or event.subject)
        note = str(details.get("note") or "").strip()
        text = f"{actor} handed you {contact}" + (f": {note}" if note else "")
        return NotificationKind.HANDED, text, contact
    return None


def _contact_of_post(tx: Transaction, entry: AuditEntry) -> str | None:
    """Who the post an event is about (`post 12`) answered, if it answered anyone."""
    kind, _, number = entry.event.subject.partition(" ")
    if kind != "post" or not number.isdigit():
        return None
    post = tx.posts.by_id(int(number))
    if post is None or post.in_reply_to_id is None:
        return None
    message = tx.inbound.by_id(post.in_reply_to_id)
    return message.author_handle if message else None


def _new_messages(
    tx: Transaction, operator: Operator, alias: Alias, since: datetime | None, now: datetime
) -> list[Notification]:
    """Messages into the threads the operator holds: claimed (after the claim was made) or
    handed to them (after the handing, until it is handed on)."""
    held: dict[str, datetime] = {}
    handings = tx.audit.of_kinds(alias.id, frozenset({HANDED}), None, READ_BACK)
    seen: set[str] = set()
    for entry in handings:  # newest first: each contact's newest handing decides
        contact = str(entry.event.details.get("contact") or entry.event.subject)
        if contact in seen:
            continue
        seen.add(contact)
        if entry.event.details.get("to_id") == operator.id:
            held[contact] = entry.event.occurred_at
    for claim in tx.claims.live(alias.id, now):
        if claim.operator_id == operator.id:
            held[claim.contact_handle] = min(claim.claimed_at, held.get(claim.contact_handle, now))
    messages = tx.inbound.from_contacts_after(alias.id, held, since, READ_BACK)
    return [
        Notification(
            NotificationKind.NEW_MESSAGE,
            f"{message.author_handle} wrote: {marked(message.text, message.private)}",
            message.received_at,
            f"message {message.id}",
            message.author_handle,
            message.private,
        )
        for message in messages
    ]


def _awaiting(tx: Transaction, alias: Alias, since: datetime | None) -> list[Notification]:
    """One notice for the replies waiting for approval, new whenever another starts waiting."""
    waiting = tx.desk.awaiting(alias.id, READ_BACK)
    if not waiting:
        return []
    newest, author, _, contact, _ = waiting[-1]
    if since is not None and newest.created_at <= since:
        return []
    count = len(waiting)
    many = f"{count} replies wait" if count > 1 else "1 reply waits"
    text = f"{many} for approval (newest: {author} to {contact or 'a message'})"
    return [
        Notification(
            NotificationKind.AWAITING_APPROVAL,
            text,
            newest.created_at,
            f"awaiting {newest.id}",
            contact or None,
        )
    ]


def _follow_ups_due(
    tx: Transaction, alias: Alias, since: datetime | None, now: datetime
) -> list[Notification]:
    start = since if since is not None else now - DUE_WINDOW
    return [
        Notification(
            NotificationKind.FOLLOW_UP_DUE,
            f"Promise to {due.contact_handle} due: {due.promise}",
            due.due_at,
            f"follow-up {due.id}",
            due.contact_handle,
        )
        for due in tx.follow_ups.open_due_before(alias.id, now)
        if due.due_at > start
    ]
