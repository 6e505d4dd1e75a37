"""Handovers: what one shift leaves the next, gathered from the data and read before speaking."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cmconsole.domain.display import marked, one_line
from cmconsole.domain.errors import InvalidInput, NotFound, PermissionDenied
from cmconsole.domain.model import (
    Acknowledgement,
    Alias,
    ContactThread,
    FollowUp,
    Handover,
    HandoverContent,
    Operator,
    Post,
    PostStatus,
    WatchedContact,
)
from cmconsole.domain.names import on_clock
from cmconsole.domain.triage import WAITING_STATES
from cmconsole.services.guard import (
    SignedIn,
    active_operator,
    existing_alias,
    role_on,
    unread_handovers,
)
from cmconsole.services.ports import AuditDraft, Clock, Transaction, Workspace

FOLLOW_UPS_HORIZON = timedelta(hours=24)
_LISTED = 20


@dataclass(frozen=True)
class HandoverRecord:
    """A handover with who acknowledged it and when."""

    handover: Handover
    acknowledgements: list[Acknowledgement]


def _handed(thread: ContactThread) -> str:
    handing = thread.handing
    if handing is None:
        return ""
    note = f": {one_line(handing.note, 60)}" if handing.note else ""
    return f" (handed to {handing.to_name} by {handing.by_name}{note})"


def _answers_private(tx: Transaction, post: Post) -> bool:
    """Whether the post answers a private message: it goes out in private too."""
    if post.in_reply_to_id is None:
        return False
    message = tx.inbound.by_id(post.in_reply_to_id)
    return message is not None and message.private


def per_contact(follow_ups: Iterable[FollowUp]) -> list[FollowUp]:
    """The follow-ups, soonest due first, each contact's together: one promise overdue puts all
    that is owed to them at the top."""
    listed = sorted(follow_ups, key=lambda f: (f.due_at, f.id))
    first: dict[str, int] = {}
    for f in listed:
        first.setdefault(f.contact_handle, len(first))
    return sorted(listed, key=lambda f: first[f.contact_handle])


def watch(tx: Transaction, alias: Alias, picked: Sequence[tuple[str, str]]) -> list[WatchedContact]:
    """The contacts picked from the alias's directory, each with the writer's note."""
    watched = []
    for handle, note in picked:
        contact = tx.contacts.by_handle(alias.id, handle.strip())
        if contact is None:
            raise NotFound(f"{handle.strip()} is not in {alias.handle}'s contacts")
        watched.append(
            WatchedContact(
                contact.id,
                handle.strip(),
                contact.display_name,
                tuple(tx.contacts.tags(contact.id)),
                note.strip(),
            )
        )
    return watched


def gather(
    tx: Transaction,
    alias: Alias,
    now: datetime,
    author_id: int | None = None,
    guide_since: datetime | None = None,
) -> HandoverContent:
    """What the data says the next person must know; `author_id` narrows it to one person.

    Guide versions saved since `guide_since` (the writer's shift start) are listed too.
    """
    names = {operator.id: operator.name for operator, _ in tx.memberships.for_alias(alias.id)}
    # One line per fan waiting (their newest message), not one per message: a fan who wrote
    # four times is one thread to answer.
    # A thread closed without a reply is settled: it is not listed.
    # The fans owed a promise now due come first, whichever of their handles wrote.
    owed = set(tx.threads.due_contacts(alias.id, now))
    waiting = [
        f"{t.contact_handle}: {marked(one_line(t.last_text, 80), t.last_private)}{_handed(t)}"
        for t in sorted(
            tx.threads.page(alias.id, _LISTED, states=WAITING_STATES, now=now, due_first=True),
            key=lambda t: (
                t.contact_handle not in owed,
                t.waiting_since or t.last_activity_at,
                t.id,
            ),
        )
    ]
    awaiting = [
        f"post {p.id} by {names.get(p.author_id, '?')}: "
        + marked(one_line(p.text, 80), _answers_private(tx, p))
        for p in tx.posts.with_status(alias.id, PostStatus.AWAITING_APPROVAL, author_id, _LISTED)
    ]
    failed = [
        f"post {p.id} by {names.get(p.author_id, '?')}: {p.failure_reason}"
        for p in tx.posts.with_status(alias.id, PostStatus.FAILED, author_id, _LISTED)
    ]
    due = [
        f"{f.contact_handle}, due {on_clock(f.due_at, alias.time_zone)}: {one_line(f.promise, 80)}"
        for f in per_contact(
            f
            for f in tx.follow_ups.open_due_before(alias.id, now + FOLLOW_UPS_HORIZON)
            if author_id is None or f.created_by == author_id
        )
    ]
    guide_changes = [
        f"v{v.version} by {v.author_name or 'the administrator'}: {v.change_note}"
        for v in reversed(tx.guides.versions(alias.id))
        if guide_since is not None and v.created_at >= guide_since
    ]
    return HandoverContent(
        open_threads=tuple(waiting),
        awaiting_approval=tuple(awaiting),
        failed_posts=tuple(failed),
        follow_ups_due=tuple(due),
        guide_changes=tuple(guide_changes),
    )


def write_handover(
    tx: Transaction,
    alias: Alias,
    author_id: int,
    summary: str,
    content: HandoverContent,
    now: datetime,
    *,
    corrects_id: int | None = None,
    automatic: bool = False,
) -> Handover:
    handover = tx.handovers.add(alias.id, author_id, summary, content, corrects_id, automatic, now)
    tx.audit.append(
        AuditDraft(
            "handover.written",
            author_id,
            alias.id,
            f"handover {handover.id}",
            {"summary": summary, "corrects": corrects_id, "automatic": automatic},
            content=f"handover {handover.id}",
        ),
        now,
    )
    return handover


class HandoverService:
    """Drafts, writes, lists and acknowledges handovers."""

    def __init__(self, workspace: Workspace, clock: Clock) -> None:
        self._workspace = workspace
        self._clock = clock

    def draft(self, who: SignedIn, alias_id: int) -> HandoverContent:
        """The pre-filled part of a new handover, for the writer to see before adding theirs."""
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            operator = active_operator(tx, who)
            role_on(tx, operator, alias)
            return gather(tx, alias, self._clock(), guide_since=_shift_start(tx, operator, alias))

    def write(
        self,
        who: SignedIn,
        alias_id: int,
        summary: str,
        *,
        people_to_watch: str = "",
        promises: str = "",
        mood: str = "",
        watched: Sequence[tuple[str, str]] = (),
        corrects_id: int | None = None,
        previewed: HandoverContent | None = None,
    ) -> Handover:
        """Write a handover. Its data part is the `previewed` draft the writer saw and sent
        (see `draft`), so what is saved is what they read; without one, it is gathered now, in
        the same transaction. `watched`: (handle, note) of contacts to watch, from the
        alias's directory."""
        if not summary.strip():
            raise InvalidInput("a handover needs a summary: what should the next person know?")
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            if corrects_id is not None:
                corrected = tx.handovers.by_id(corrects_id)
                if corrected is None or corrected.alias_id != alias.id:
                    raise NotFound(f"there is no handover {corrects_id} on {alias.handle}")
            data = previewed or gather(
                tx, alias, now, guide_since=_shift_start(tx, operator, alias)
            )
            content = replace(
                data,
                people_to_watch=people_to_watch.strip(),
                promises=promises.strip(),
                mood=mood.strip(),
                watched=tuple(watch(tx, alias, watched)),
            )
            return write_handover(
                tx, alias, operator.id, summary.strip(), content, now, corrects_id=corrects_id
            )

    def pending(self, who: SignedIn, alias_id: int) -> list[Handover]:
        """What the operator must acknowledge before speaking on the alias, oldest first."""
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            alias = existing_alias(tx, alias_id)
            role_on(tx, operator, alias)
            return unread_handovers(tx, operator, alias, tx.shifts.open_for(operator.id, alias.id))

    def acknowledge(self, who: SignedIn, handover_id: int) -> None:
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            handover = tx.handovers.by_id(handover_id)
            if handover is None:
                raise NotFound(f"there is no handover {handover_id}")
            alias = existing_alias(tx, handover.alias_id)
            role_on(tx, operator, alias)
            if handover.author_id == operator.id:
                raise PermissionDenied("you wrote this handover: it is for the others to read")
            if tx.handovers.acknowledge(handover.id, operator.id, self._clock()):
                tx.audit.append(
                    AuditDraft(
                        "handover.acknowledged", operator.id, alias.id, f"handover {handover.id}"
                    ),
                    self._clock(),
                )

    def history(
        self,
        who: SignedIn,
        alias_id: int,
        *,
        author: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[HandoverRecord]:
        """The alias's handovers, newest first, with their acknowledgements."""
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            role_on(tx, active_operator(tx, who), alias)
            author_id = None
            if author:
                found = tx.operators.by_name(author.strip().lower())
                if found is None:
                    raise NotFound(f"there is no operator {author.strip()!r}")
                author_id = found.id
            listed = tx.handovers.history(alias.id, author_id, since, until, limit)
            acknowledged = tx.handovers.acknowledgements([h.id for h in listed])
            return [HandoverRecord(h, acknowledged[h.id]) for h in listed]


def _shift_start(tx: Transaction, operator: Operator, alias: Alias) -> datetime | None:
    shift = tx.shifts.open_for(operator.id, alias.id)
    return shift.started_at if shift else None
