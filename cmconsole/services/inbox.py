"""The inbox: what the public sent the alias, pulled from its channel, and the replies to each."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cmconsole.domain.contacts import Facet
from cmconsole.domain.model import Alias, Claim, ContactThread, InboundMessage, Post, PublicPost
from cmconsole.domain.triage import WAITING_STATES, ThreadState
from cmconsole.services.guard import SignedIn, active_operator, existing_alias, role_on
from cmconsole.services.ports import (
    AuditDraft,
    Channel,
    ChannelError,
    Clock,
    Transaction,
    Workspace,
    channel_for,
)

INBOX_PAGE = 200
CONVERSATION_LENGTH = 50


class InboxFilter(StrEnum):
    """Which threads the inbox lists."""

    ALL = "all"  # every thread but spam
    UNANSWERED = "unanswered"  # the fan waits: new, open, or a reply awaiting approval
    MINE = "mine"  # claimed by me, or handed to me while the fan waits
    CLAIMED = "claimed"  # someone holds a live claim
    APPROVAL = "approval"  # a reply waits for a lead's approval
    CLOSED = "closed"  # settled without a reply (spam aside)
    SPAM = "spam"


_STATES: dict[InboxFilter, tuple[ThreadState, ...]] = {
    InboxFilter.UNANSWERED: WAITING_STATES,
    InboxFilter.APPROVAL: (ThreadState.AWAITING_APPROVAL,),
    InboxFilter.CLOSED: (ThreadState.CLOSED,),
    InboxFilter.SPAM: (ThreadState.SPAM,),
}


def page_threads(
    tx: Transaction,
    alias_id: int,
    operator_id: int,
    which: InboxFilter,
    limit: int,
    now: datetime,
    sort: Facet | None = None,
    tag: str | None = None,
    channel: str | None = None,
) -> list[ContactThread]:
    """One page of the alias's threads as the filter asks: those of contacts with a promise
    due first, then (`sort`) those of contacts rated on the facet, highest first, then newest
    activity first; `tag`: only those of contacts bearing it; `channel`: only those whose
    newest message came from it."""
    states: tuple[ThreadState, ...] | None = _STATES.get(which)
    return tx.threads.page(
        alias_id,
        limit,
        states=states,
        # Left out rather than listed: the page then walks the activity index in order.
        leave_out=(ThreadState.SPAM,) if which is InboxFilter.ALL else (),
        mine=operator_id if which is InboxFilter.MINE else None,
        claimed_only=which is InboxFilter.CLAIMED,
        now=now,
        due_first=True,
        facet=sort.value if sort else None,
        tag=tag,
        channel=channel,
    )


@dataclass(frozen=True)
class InboxThread:
    """A contact's thread as the inbox lists it, with whoever is answering it now."""

    thread: ContactThread
    claim: Claim | None


@dataclass(frozen=True)
class Conversation:
    """A contact's recent messages to the alias, oldest first, and the replies to each."""

    alias_id: int
    contact: str
    messages: list[InboundMessage]
    replies: dict[int, list[Post]]
    thread: ContactThread | None = None  # its state, closing and handing

    @property
    def latest(self) -> InboundMessage | None:
        return self.messages[-1] if self.messages else None

    @property
    def answer_to(self) -> int | None:
        """The message a reply answers unless the operator picks another: the newest nobody
        answered yet, else the newest of all."""
        return answer_to(self.messages)


def answer_to(messages: list[InboundMessage]) -> int | None:
    """Of a contact's messages, oldest first: the newest unanswered one's id, else the newest's."""
    waiting = [m for m in messages if not m.answered]
    chosen = waiting[-1] if waiting else (messages[-1] if messages else None)
    return chosen.id if chosen else None


@dataclass(frozen=True)
class Thread:
    """One message from the public and the alias's replies to it."""

    message: InboundMessage
    replies: list[Post]


def _closed_threads(tx: Transaction, alias_id: int, contacts: set[str]) -> list[ContactThread]:
    """Of these contacts' threads, those closed without a reply (a new message reopens them)."""
    found = (tx.threads.by_contact(alias_id, contact) for contact in sorted(contacts))
    return [t for t in found if t is not None and t.state is ThreadState.CLOSED]


class InboxService:
    """Fetches new mentions from each alias's channel and lists them for operators."""

    def __init__(self, workspace: Workspace, channels: dict[str, Channel], clock: Clock) -> None:
        self._workspace = workspace
        self._channels = channels
        self._clock = clock

    def sync(self, alias_id: int) -> int:
        """Pull mentions newer than each channel's cursor, on every channel the alias speaks on;
        return how many were new. A channel that fails does not hold back the others: its error
        is raised once they are stored (naming the channel when the alias has several)."""
        with self._workspace.transaction() as tx:
            alias = existing_alias(tx, alias_id)
            names = tx.aliases.channels(alias.id)
            cursors = {name: tx.aliases.mention_cursor(alias.id, name) for name in names}
        added = 0
        failures: list[tuple[str, ChannelError]] = []
        for name, cursor in cursors.items():
            try:
                channel, speaking = channel_for(self._channels, alias, name)
                # Called outside any transaction: a slow network must not hold the database.
                mentions = channel.fetch_mentions(speaking, cursor)
            except ChannelError as error:
                failures.append((name, error))
                continue
            added += self._store(speaking, mentions)
        if len(failures) == 1 and len(cursors) == 1:
            raise failures[0][1]
        if failures:
            raise ChannelError("; ".join(f"{name}: {error}" for name, error in failures))
        return added

    def _store(self, alias: Alias, mentions: list[PublicPost]) -> int:
        """Keep the mentions one channel (`alias.channel`) delivered and move its cursor."""
        if not mentions:
            return 0
        with self._workspace.transaction() as tx:
            closed = _closed_threads(tx, alias.id, {m.author_handle for m in mentions})
            added = sum(
                tx.inbound.add_if_new(
                    alias.id,
                    m.channel_post_id,
                    m.author_handle,
                    m.text,
                    m.published_at,
                    m.private,
                    channel=alias.channel,
                )
                for m in mentions
            )
            for thread in closed:
                now_open = tx.threads.by_contact(alias.id, thread.contact_handle)
                if now_open is not None and now_open.state is not ThreadState.CLOSED:
                    tx.audit.append(
                        AuditDraft(
                            "thread.reopened",
                            None,  # the fan did, by writing again
                            alias.id,
                            thread.contact_handle,
                            {"contact": thread.contact_handle, "by": "a new message"},
                        ),
                        self._clock(),
                    )
            cursor = mentions[-1].cursor or mentions[-1].channel_post_id
            tx.aliases.set_mention_cursor(alias.id, alias.channel, cursor)
            if added:
                tx.audit.append(
                    AuditDraft(
                        "inbox.synced",
                        None,
                        alias.id,
                        alias.handle,
                        {"new": added, "cursor": cursor, "channel": alias.channel},
                    ),
                    self._clock(),
                )
            return added

    def messages(
        self, who: SignedIn, alias_id: int, limit: int = INBOX_PAGE
    ) -> list[InboundMessage]:
        """The alias's inbox, newest first."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            return tx.inbound.page(alias_id, limit)

    def threads(
        self,
        who: SignedIn,
        alias_id: int,
        which: InboxFilter = InboxFilter.ALL,
        limit: int = INBOX_PAGE,
        sort: Facet | None = None,
        tag: str | None = None,
        channel: str | None = None,
    ) -> list[InboxThread]:
        """The alias's threads, one page read through the thread index: those of contacts with
        a promise due first, then by the `sort` facet (unrated last), then newest activity."""
        now = self._clock()
        with self._workspace.transaction() as tx:
            operator = active_operator(tx, who)
            role_on(tx, operator, existing_alias(tx, alias_id))
            threads = page_threads(tx, alias_id, operator.id, which, limit, now, sort, tag, channel)
            claims = {claim.contact_handle: claim for claim in tx.claims.live(alias_id, now)}
        return [InboxThread(thread, claims.get(thread.contact_handle)) for thread in threads]

    def conversation(
        self, who: SignedIn, alias_id: int, contact: str, at: int | None = None
    ) -> Conversation:
        """The contact's recent messages and the alias's replies to them; or, `at` one of
        their messages (a search found it), the messages up to and around it."""
        with self._workspace.transaction() as tx:
            role_on(tx, active_operator(tx, who), existing_alias(tx, alias_id))
            messages = tx.threads.messages(alias_id, contact, CONVERSATION_LENGTH, at)
            replies = {message.id: tx.posts.replies_to(message.id) for message in messages}
            thread = tx.threads.by_contact(alias_id, contact)
        return Conversation(alias_id, contact, messages, replies, thread)

    def thread(self, who: SignedIn, inbound_id: int) -> Thread | None:
        with self._workspace.transaction() as tx:
            message = tx.inbound.by_id(inbound_id)
            if message is None:
                return None
            role_on(tx, active_operator(tx, who), existing_alias(tx, message.alias_id))
            return Thread(message, tx.posts.replies_to(inbound_id))
