"""The interfaces the services need from storage and channels; those layers implement them."""

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from cmconsole.domain.desk_panes import DeskPane
from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import (
    Acknowledgement,
    Alias,
    AuditEntry,
    AuditEvent,
    Claim,
    ContactThread,
    FollowUp,
    GuideVersion,
    Handover,
    HandoverContent,
    InboundMessage,
    Membership,
    Operator,
    Post,
    PostAttempt,
    PostStatus,
    PublicPost,
    Role,
    SavedReply,
    Shift,
    SignatureKind,
)
from cmconsole.domain.search import SearchHit
from cmconsole.domain.triage import CloseReason, ThreadState
from cmconsole.services.contact_ports import ContactRepository
from cmconsole.services.report_model import ReportRepository

Clock = Callable[[], datetime]


def channel_for(
    channels: Mapping[str, "Channel"], alias: Alias, name: str = ""
) -> tuple["Channel", Alias]:
    """The channel `name` (the alias's own by default), with the alias as it acts there (its
    credentials are kept per channel); a ChannelError if this console does not have it."""
    name = name or alias.channel
    try:
        return channels[name], replace(alias, channel=name)
    except KeyError:
        raise ChannelError(f"the {name!r} channel is not available here") from None


# An audit event exactly as stored: seq, occurred_at (stamp), kind, actor_id, alias_id, subject,
# details (canonical JSON), content_ref, content (its stamp), prev_hash, hash.
StoredEvent = tuple[
    int, str, str, int | None, int | None, str, str, str | None, str | None, str, str
]


@dataclass(frozen=True)
class AuditDraft:
    """An audit event before storage numbers it and links it into the chain."""

    kind: str
    actor_id: int | None
    alias_id: int | None
    subject: str
    details: dict[str, object] = field(default_factory=dict)
    # The row whose content this event records (`post 12`): storage stamps it as it is now.
    content: str | None = None


class OperatorRepository(Protocol):
    def add(
        self, name: str, display_name: str, initials: str, passphrase_hash: str, now: datetime
    ) -> Operator: ...
    def by_name(self, name: str) -> Operator | None: ...
    def by_id(self, operator_id: int) -> Operator | None: ...
    def passphrase_hash(self, operator_id: int) -> str: ...
    def all(self) -> list[Operator]: ...
    def count(self) -> int: ...
    def deactivate(self, operator_id: int, now: datetime) -> bool: ...


class AliasRepository(Protocol):
    def set_time_zone(self, alias_id: int, time_zone: str) -> None: ...
    def set_colour(self, alias_id: int, colour: str) -> None: ...

    def set_late_hold(self, alias_id: int, minutes: int) -> None: ...

    def set_signature(self, alias_id: int, kind: SignatureKind, text: str) -> None: ...

    def add(
        self,
        handle: str,
        display_name: str,
        language: str,
        channel: str,
        signature_kind: SignatureKind,
        signature_text: str,
        now: datetime,
        time_zone: str = "UTC",
    ) -> Alias: ...
    def by_handle(self, handle: str) -> Alias | None: ...
    def by_id(self, alias_id: int) -> Alias | None: ...
    def all(self) -> list[Alias]: ...
    def channels(self, alias_id: int) -> list[str]: ...
    def add_channel(self, alias_id: int, channel: str, now: datetime) -> bool: ...
    def mention_cursor(self, alias_id: int, channel: str) -> str | None: ...
    def set_mention_cursor(self, alias_id: int, channel: str, cursor: str) -> None: ...


class MembershipRepository(Protocol):
    def grant(self, operator_id: int, alias_id: int, role: Role) -> Role | None:
        """Set the role and return the previous one, if any."""
        ...

    def role(self, operator_id: int, alias_id: int) -> Role | None: ...
    def for_operator(self, operator_id: int) -> list[Membership]: ...
    def for_alias(self, alias_id: int) -> list[tuple[Operator, Role]]: ...
    def any_lead(self) -> bool:
        """True once any operator has been a lead of any alias: the workspace is set up."""
        ...


class ShiftRepository(Protocol):
    def start(self, operator_id: int, alias_id: int, now: datetime) -> Shift: ...
    def end(self, shift_id: int, now: datetime, mark: int | None = None) -> None:
        """End the shift; `mark` is the newest handover it saw (by default, the newest now)."""
        ...

    def previous_ended(
        self, operator_id: int, alias_id: int, before_shift_id: int | None
    ) -> Shift | None: ...
    def open_for(self, operator_id: int, alias_id: int) -> Shift | None: ...
    def open_on_alias(self, alias_id: int) -> list[tuple[Shift, Operator]]: ...
    def open_of_operator(self, operator_id: int) -> list[Shift]: ...
    def last_ended_before(
        self, operator_id: int, alias_id: int, before: datetime
    ) -> datetime | None:
        """When the operator's previous shift on the alias ended; None if they never had one."""
        ...

    def heartbeat(self, shift_id: int, now: datetime) -> None: ...


class InboundRepository(Protocol):
    def add_if_new(
        self,
        alias_id: int,
        channel_message_id: str,
        author_handle: str,
        text: str,
        received_at: datetime,
        private: bool = False,
        *,
        channel: str,
    ) -> bool: ...
    def by_id(self, inbound_id: int) -> InboundMessage | None: ...
    def channel_ids(self, inbound_ids: set[int]) -> dict[int, str]:
        """The channel's own id of each of these messages, by our id."""
        ...

    def page(self, alias_id: int, limit: int) -> list[InboundMessage]: ...
    def unanswered(self, alias_id: int, limit: int) -> list[InboundMessage]: ...
    def from_contacts_after(
        self, alias_id: int, after: Mapping[str, datetime], since: datetime | None, limit: int
    ) -> list[InboundMessage]:
        """Messages from each contact in `after` received after its time (and after `since`, if
        given), newest first."""
        ...


class PostRepository(Protocol):
    def add(
        self,
        alias_id: int,
        author_id: int,
        text: str,
        in_reply_to_id: int | None,
        status: PostStatus,
        now: datetime,
        guide_version: int | None = None,
        overrides: dict[str, str] | None = None,
        scheduled_for: datetime | None = None,
        *,
        channel: str,
    ) -> Post: ...
    def by_id(self, post_id: int) -> Post | None: ...
    def scheduled(self, alias_id: int, limit: int) -> list[Post]:
        """Announcements set for later still waiting (queued or for approval), soonest first."""
        ...

    def reschedule(self, post_id: int, at: datetime | None) -> Post | None:
        """Move a waiting post's time (None: as soon as possible); None if it is not waiting."""
        ...

    def cancel(self, post_id: int) -> Post | None:
        """Call off a waiting post; None if it is not waiting any more."""
        ...

    def overdue(self, now: datetime) -> list[tuple[Post, int]]:
        """Queued posts whose time has come, each with its alias's late-hold minutes."""
        ...

    def hold(self, post_id: int, comment: str) -> Post | None:
        """Send a queued post back for a lead's approval, saying why; None if not queued."""
        ...

    def by_channel_id(self, channel_post_id: str) -> Post | None: ...
    def replies_to(self, inbound_id: int) -> list[Post]: ...
    def for_alias(self, alias_id: int, limit: int) -> list[Post]: ...
    def with_status(
        self, alias_id: int, status: PostStatus, author_id: int | None, limit: int
    ) -> list[Post]: ...
    def approve(
        self, post_id: int, approver_id: int, text: str | None = None, comment: str | None = None
    ) -> bool:
        """Move an awaiting post to queued (with the reviewer's edit, if any); False if it was
        not awaiting approval any more."""
        ...

    def reject(self, post_id: int, reviewer_id: int, comment: str) -> bool: ...

    def published(
        self,
        alias_id: int,
        author_id: int | None,
        since: datetime | None,
        until: datetime | None,
        text: str | None,
        limit: int,
        after: tuple[datetime, int] | None = None,
    ) -> list[tuple[Post, str, str | None, datetime | None]]:
        """Published posts, newest first: (post, author, approver, when the message arrived);
        `after` (published_at, id) of the last post of the page before, for the next page."""
        ...

    def speaker_stats(
        self,
        alias_id: int,
        author_id: int | None,
        since: datetime | None,
        until: datetime | None,
        text: str | None,
    ) -> list[tuple[str, int, float | None]]:
        """Per author over the same selection: posts published, mean seconds to reply."""
        ...

    def take_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        dispatcher: str,
        post_id: int | None = None,
    ) -> list[Post]:
        """Mark up to `limit` queued posts due by `now` (only post `post_id`, if given) as
        sending, oldest first, held by `dispatcher` until `lease_until`, open an attempt for
        each in its name, return them."""
        ...

    def give_back(
        self, posts: list[Post], retry_at: datetime | None = None, reason: str | None = None
    ) -> list[Post]:
        """Return taken posts that were never offered to the channel to the queue, as if they
        had not been taken (their attempt is forgotten), not to be tried before `retry_at`, with
        `reason` shown meanwhile if given; return those given back, as they now are."""
        ...

    def take_unsettled(
        self,
        now: datetime,
        lease_until: datetime,
        dispatcher: str,
        gone: Sequence[str],
        limit: int = 1,
    ) -> list[Post]:
        """Hold (for `dispatcher`, until `lease_until`) up to `limit` of the oldest posts sending
        or of unknown outcome whose holder is gone: named in `gone`, another dispatcher not
        registered, or out of lease."""
        ...

    def attempts_started(self, attempts: list[tuple[int, int]]) -> dict[int, datetime]:
        """When each (post id, attempt number) began, by post id."""
        ...

    # Each settles a post still sending (or unknown) at `attempt` and returns it as settled; None
    # if it was not in such a state any more (another dispatcher settled or took it).
    def mark_published(
        self, post_id: int, attempt: int, channel_post_id: str, published_at: datetime
    ) -> Post | None: ...
    def mark_published_all(
        self, published: list[tuple[int, int, str, datetime]]
    ) -> dict[int, Post]:
        """mark_published for each (post id, attempt, channel post id, published at), in as few
        statements as the engine allows; the posts it changed, by id."""
        ...

    def mark_failed(self, post_id: int, attempt: int, reason: str) -> Post | None: ...
    def mark_unknown(
        self, post_id: int, attempt: int, reason: str, lease_until: datetime
    ) -> Post | None:
        """Unknown, and still held until `lease_until` by the dispatcher about to settle it."""
        ...

    def requeue(
        self, post_id: int, attempt: int, retry_at: datetime | None, reason: str | None
    ) -> Post | None: ...
    def resend(
        self, post_id: int, text: str, status: PostStatus, overrides: dict[str, str]
    ) -> bool: ...
    def unsettled(self, alias_id: int, limit: int) -> list[Post]: ...
    def finish_attempt(
        self, post_id: int, number: int, outcome: str, detail: str | None, now: datetime
    ) -> None: ...
    def finish_attempts(
        self, finished: list[tuple[int, int, str, str | None]], now: datetime
    ) -> None:
        """finish_attempt for each (post id, number, outcome, detail), in one statement."""
        ...

    def attempts(self, post_id: int) -> list[PostAttempt]: ...


class ThreadRepository(Protocol):
    def page(
        self,
        alias_id: int,
        limit: int,
        *,
        states: Sequence[ThreadState] | None = None,
        leave_out: Sequence[ThreadState] = (),
        mine: int | None = None,
        claimed_only: bool = False,
        now: datetime | None = None,
        due_first: bool = False,
        facet: str | None = None,
        tag: str | None = None,
        channel: str | None = None,
    ) -> list[ContactThread]: ...
    def due_contacts(self, alias_id: int, now: datetime) -> list[str]:
        """Every handle of the contacts owed a promise due at `now` and not done."""
        ...

    def count(self, alias_id: int, states: Sequence[ThreadState], upto: int) -> int: ...
    def by_contact(self, alias_id: int, contact: str) -> ContactThread | None: ...
    def messages(
        self, alias_id: int, contact: str, limit: int, around: int | None = None
    ) -> list[InboundMessage]:
        """The contact's newest `limit` messages, oldest first; or a window around one."""
        ...

    def close(
        self,
        alias_id: int,
        contacts: Sequence[str],
        reason: CloseReason,
        note: str,
        by_id: int,
        now: datetime,
    ) -> list[ContactThread]:
        """Settle the threads without a reply; those found, as they were before."""
        ...

    def reopen(self, alias_id: int, contacts: Sequence[str]) -> list[ContactThread]:
        """Undo closings; the threads that were closed, as they were."""
        ...

    def hand(
        self, alias_id: int, contact: str, to_id: int, by_id: int, note: str, now: datetime
    ) -> None: ...


class ClaimRepository(Protocol):
    def acquire(
        self, alias_id: int, contact: str, operator_id: int, now: datetime, until: datetime
    ) -> Claim: ...
    def take_over(
        self, alias_id: int, contact: str, operator_id: int, now: datetime, until: datetime
    ) -> Claim | None: ...
    def renew(
        self, alias_id: int, contact: str, operator_id: int, now: datetime, until: datetime
    ) -> bool: ...
    def release(self, alias_id: int, contact: str, operator_id: int) -> bool: ...
    def release_all(self, operator_id: int, alias_id: int | None = None) -> int: ...
    def holder(self, alias_id: int, contact: str, now: datetime) -> Claim | None: ...
    def live(self, alias_id: int, now: datetime) -> list[Claim]: ...


class SavedReplyRepository(Protocol):
    def put(
        self, alias_id: int, name: str, text: str, created_by: int | None, now: datetime
    ) -> SavedReply: ...
    def for_alias(self, alias_id: int) -> list[SavedReply]: ...
    def remove(self, alias_id: int, name: str) -> bool: ...


class SearchRepository(Protocol):
    def threads(
        self, alias_id: int, language: str, words: list[str], limit: int, offset: int
    ) -> list[SearchHit]:
        """The alias's messages and published replies holding every word, best match first,
        newer first among equals."""
        ...


class AuditRepository(Protocol):
    def append(self, draft: AuditDraft, now: datetime) -> AuditEvent: ...
    def append_all(self, drafts: list[AuditDraft], now: datetime) -> list[AuditEvent]:
        """Append several events in order, with one look at the chain's head."""
        ...

    def recent(
        self,
        alias_id: int | None,
        limit: int,
        actor_id: int | None = None,
        leave_out: frozenset[str] = frozenset(),
        after_seq: int | None = None,
    ) -> list[AuditEntry]:
        """The newest events, newest first, but for those of the kinds in `leave_out` (and
        those up to `after_seq`, if given: what was appended since)."""
        ...

    def recent_readable(
        self, reader_id: int, alias_ids: frozenset[int], team_ids: frozenset[int], limit: int
    ) -> list[AuditEntry]:
        """The newest events, newest first, that are the reader's, on one of `alias_ids`, or
        workspace-wide (no alias) and either of nobody or of one of `team_ids`."""
        ...

    def for_subject(self, subject: str) -> list[AuditEntry]: ...
    def of_kinds(
        self, alias_id: int, kinds: frozenset[str], since: datetime | None, limit: int
    ) -> list[AuditEntry]:
        """The alias's newest events of these kinds, newest first, after `since` if given."""
        ...

    def stream(
        self,
        alias_id: int | None,
        actor_id: int | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[AuditEntry]:
        """Events in chain order, streamed (constant memory whatever their number)."""
        ...

    def count(self) -> int: ...
    def stamps(self) -> Iterator[tuple[str, int, str]]:
        """(table, id, stamp) of every row of every content table, as the rows are now."""
        ...

    def stamp_check(self, subject: str, ref: str) -> tuple[str, str] | None:
        """The newest stamp of the row `ref` among the events about `subject`, and the row's
        stamp as it is now; None when no event stamped it."""
        ...

    def hashing_start(self) -> dict[str, int]:
        """Per content table (and `audit_event`): the first row stamped when it was written."""
        ...

    def walk(self) -> Generator[StoredEvent, None, None]:
        """Every event in chain order, as stored, streamed; close it to end the walk early."""
        ...


class HandoverRepository(Protocol):
    def add(
        self,
        alias_id: int,
        author_id: int,
        summary: str,
        content: HandoverContent,
        corrects_id: int | None,
        automatic: bool,
        now: datetime,
    ) -> Handover: ...
    def by_id(self, handover_id: int) -> Handover | None: ...
    def newest_id(self, alias_id: int) -> int: ...
    def unacknowledged(
        self, alias_id: int, operator_id: int, after: int | None, until: int
    ) -> list[Handover]:
        """Handovers others wrote on the alias with ids in (after, until] that the operator has
        not acknowledged, oldest first."""
        ...

    def acknowledge(self, handover_id: int, operator_id: int, now: datetime) -> bool: ...
    def acknowledgements(self, handover_ids: Sequence[int]) -> dict[int, list[Acknowledgement]]:
        """The acknowledgements of each handover given, oldest first, in one read."""
        ...

    def history(
        self,
        alias_id: int,
        author_id: int | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[Handover]: ...


class FollowUpRepository(Protocol):
    def add(
        self,
        alias_id: int,
        inbound_id: int | None,
        contact_handle: str,
        promise: str,
        due_at: datetime,
        created_by: int,
        now: datetime,
    ) -> FollowUp: ...
    def by_id(self, follow_up_id: int) -> FollowUp | None: ...
    def open_due_before(self, alias_id: int, until: datetime) -> list[FollowUp]: ...
    def for_inbound(self, inbound_id: int) -> list[FollowUp]: ...
    def complete(self, follow_up_id: int, operator_id: int, now: datetime) -> bool: ...


class GuideRepository(Protocol):
    def add(
        self, alias_id: int, source: str, change_note: str, created_by: int | None, now: datetime
    ) -> GuideVersion:
        """Store the next version of the alias's guide."""
        ...

    def current(self, alias_id: int) -> GuideVersion | None: ...
    def by_version(self, alias_id: int, version: int) -> GuideVersion | None: ...
    def versions(self, alias_id: int) -> list[GuideVersion]:
        """Every version, newest first."""
        ...

    def acknowledge(self, alias_id: int, operator_id: int, version: int, now: datetime) -> bool: ...
    def acknowledged(self, alias_id: int, operator_id: int) -> int | None:
        """The newest version the operator acknowledged, if any."""
        ...


class OnboardingRepository(Protocol):
    def mark(self, alias_id: int, operator_id: int, step: str, now: datetime) -> bool: ...
    def unmark(self, alias_id: int, operator_id: int, step: str) -> None: ...
    def done(self, alias_id: int, operator_id: int) -> dict[str, datetime]: ...
    def add_practice(
        self,
        alias_id: int,
        operator_id: int,
        inbound_id: int,
        text: str,
        closeness: int,
        errors: int,
        warnings: int,
        now: datetime,
    ) -> None: ...
    def practised(self, alias_id: int, operator_id: int) -> int: ...
    def answered_history(
        self, alias_id: int, operator_id: int, limit: int, clean_only: bool = False
    ) -> list[tuple[InboundMessage, Post]]: ...
    def reviewed(self, alias_id: int, author_id: int, limit: int) -> list[Post]: ...


class SettingRepository(Protocol):
    """Each operator's own preferences, by name."""

    def get(self, operator_id: int, name: str) -> str | None: ...
    def put(self, operator_id: int, name: str, value: str) -> None: ...


class DeskRepository(Protocol):
    """The desk's batched reads, and its change counter."""

    def awaiting(self, alias_id: int, limit: int) -> list[tuple[Post, str, str, str, bool]]:
        """Replies waiting for approval, oldest first: (post, author's name, the text it
        answers, who wrote that, whether that message is private)."""
        ...

    def answering_private(self, post_ids: list[int]) -> set[int]:
        """Those of these posts that answer a private message (they go out in private)."""
        ...

    def acknowledgements(self, handover_ids: list[int]) -> dict[int, list[Acknowledgement]]: ...
    def version(self, alias_id: int) -> int:
        """The alias's change counter as this transaction sees it."""
        ...

    def pane_versions(self, alias_id: int) -> tuple[int, dict[DeskPane, int]]:
        """The alias's change counter and each of its desk panes', as this transaction sees
        them: a pane whose version did not move shows the same rows."""
        ...

    def changed(self, alias_id: int | None) -> None:
        """Count a change of what the alias's desk shows (None: every alias's) at commit. Every
        audited write counts already; call it for the few unaudited ones (a claim)."""
        ...


# The reader on one alias, for the home: (their open shift's id, its start mark, when it
# started; their previous shift's end mark, when it ended; the guide's current version, whether
# they ever acknowledged one, when each version was saved).
Reader = tuple[
    int | None,
    int | None,
    datetime | None,
    int | None,
    datetime | None,
    int | None,
    bool,
    list[datetime],
]


class HomeRepository(Protocol):
    """What waits on each alias, for the home screen; every count stops at a cap."""

    def waits(
        self,
        alias_id: int,
        now: datetime,
        due_by: datetime,
        cap: int,
        handovers: tuple[int, int | None, int | None, int],
    ) -> tuple[int, datetime | None, int, int, int, int, int]:
        """(unanswered threads, the oldest wait among them, replies awaiting approval, failed
        posts, promises due by `due_by`, promises overdue at `now`, handovers to read);
        `handovers`: (the reader, after, until, cap) of the handovers others wrote."""
        ...

    def readers(self, operator_id: int, alias_ids: list[int]) -> dict[int, Reader]:
        """The reader's shifts and guide acknowledgements on each of these aliases."""
        ...

    def on_shift(self, alias_ids: list[int]) -> list[tuple[int, str, datetime]]:
        """Open shifts on these aliases: (alias id, who, last sign of life), longest first."""
        ...

    def version(self, operator_id: int, alias_ids: list[int]) -> int:
        """Moves whenever what the person's home shows may have moved (one cheap query)."""
        ...


class DeskSignals(Protocol):
    """How a console learns that an alias's desk changed, without re-reading it."""

    def version(self, alias_id: int) -> int:
        """The alias's change counter now: one cheap query."""
        ...

    def wait(self, alias_id: int, since: int, timeout: float) -> int:
        """Return the counter as soon as it differs from `since`, or `since` after `timeout`
        seconds; PostgreSQL waits on a notification, SQLite polls the counter."""
        ...

    def version_of_any(self, alias_ids: tuple[int, ...]) -> int:
        """The counters of several aliases (and the workspace's), summed: one cheap query."""
        ...

    def wait_any(self, alias_ids: tuple[int, ...], since: int, timeout: float) -> int:
        """As `wait`, on the summed counters of several aliases: any of them moving wakes it."""
        ...

    def close(self) -> None: ...


class Transaction(Protocol):
    """One unit of work: everything done through it is committed together, or not at all."""

    @property
    def operators(self) -> OperatorRepository: ...
    @property
    def aliases(self) -> AliasRepository: ...
    @property
    def memberships(self) -> MembershipRepository: ...
    @property
    def shifts(self) -> ShiftRepository: ...
    @property
    def inbound(self) -> InboundRepository: ...
    @property
    def posts(self) -> PostRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def handovers(self) -> HandoverRepository: ...
    @property
    def follow_ups(self) -> FollowUpRepository: ...
    @property
    def guides(self) -> GuideRepository: ...
    @property
    def threads(self) -> ThreadRepository: ...
    @property
    def claims(self) -> ClaimRepository: ...
    @property
    def saved_replies(self) -> SavedReplyRepository: ...
    @property
    def onboarding(self) -> OnboardingRepository: ...
    @property
    def desk(self) -> DeskRepository: ...
    @property
    def home(self) -> HomeRepository: ...
    @property
    def settings(self) -> SettingRepository: ...
    @property
    def search(self) -> SearchRepository: ...
    @property
    def contacts(self) -> ContactRepository: ...
    @property
    def reports(self) -> ReportRepository: ...


class Workspace(Protocol):
    """The workspace database."""

    @property
    def location(self) -> str:
        """Where the workspace lives, safe to show (no password)."""
        ...

    def transaction(self) -> AbstractContextManager[Transaction]: ...
    def reading(self) -> AbstractContextManager[Transaction]:
        """A transaction for a long pure read: one snapshot, and no writer waits for it."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Published:
    channel_post_id: str
    published_at: datetime


class ChannelError(CmconsoleError):
    """The channel refused a request, which had no effect; the message says why, with no secret
    in it. Retrying unchanged would fail again (bad credentials, duplicate text, text refused)."""


class ChannelUnreachable(ChannelError):
    """The request never left this machine (connection refused, name lookup failed): nothing was
    done, so it is safe to try again later."""


class ChannelRateLimited(ChannelError):
    """The channel asked us to wait: nothing was done, try again from `retry_at`."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class ChannelOutcomeUnknown(ChannelError):
    """The request left but no answer came back (a timeout, a dropped connection, a 5xx): it may
    have been carried out. Never retry blindly: look at what the channel published first."""


class ChannelNotAllowed(ChannelError):
    """The account's access plan lacks this endpoint (X answers 403): nothing will change until
    the plan does, so the operator is told rather than retried."""


class Channel(Protocol):
    """Where an alias speaks: fetch what the public sent, publish, read back what was published."""

    name: str

    def publish(
        self, alias: Alias, text: str, in_reply_to: str | None, idempotency_key: str | None = None
    ) -> Published:
        """Publish `text` as the alias, in reply to the channel's message id if given. A channel
        that honours idempotency keys publishes a repeat of `idempotency_key` only once.

        Raises ChannelUnreachable or ChannelRateLimited when nothing was done and a later try
        may work, ChannelOutcomeUnknown when the post may or may not exist now, ChannelNotAllowed
        when the account's plan forbids it, and ChannelError for any other refusal."""
        ...

    def fetch_mentions(self, alias: Alias, since: str | None) -> list[PublicPost]:
        """Mentions of the alias newer than the cursor `since` (a channel message id), oldest
        first, every page of them."""
        ...

    def recent_posts(self, alias: Alias, limit: int) -> list[PublicPost]:
        """The alias's own most recent posts, newest first."""
        ...

    def published_since(self, alias: Alias, since: datetime) -> Iterator[PublicPost]:
        """Every post the alias published at or after `since`, newest first, a page at a time
        as it is iterated: how an unknown outcome is settled, however many posts went out since.
        Raises ChannelError if the channel cannot be read."""
        ...

    def reach(self, alias: Alias, handles: Sequence[str]) -> dict[str, int]:
        """How many follow each of these accounts, as the channel reports it, keyed by the
        handle asked for; an account the channel does not know is left out. Read as the alias;
        raises as the reads above do."""
        ...


class SandboxTimeline(Protocol):
    """The sandbox channel's public square, kept in the workspace database."""

    def add(
        self,
        author_handle: str,
        author_name: str,
        text: str,
        in_reply_to: str | None,
        now: datetime,
        idempotency_key: str | None = None,
        key_kept_since: datetime | None = None,
        private: bool = False,
    ) -> PublicPost:
        """Publish (`private`, or answering a private post: as a private message to those it
        mentions); with a key already used by the author since `key_kept_since`, publish
        nothing and return the post published with it."""
        ...

    def mentions_of(self, handle: str, after: str | None, limit: int) -> list[PublicPost]: ...
    def by_author(self, handle: str, limit: int) -> list[PublicPost]: ...
    def by_author_since(
        self, handle: str, since: datetime, before: str | None, limit: int
    ) -> list[PublicPost]:
        """A page of the author's posts made at or after `since`, older than the post id
        `before` if given, newest first."""
        ...


@dataclass(frozen=True)
class DispatcherSeen:
    """A registered dispatcher as the others see it."""

    name: str
    host: str
    pid: int
    silent_for: float  # seconds since its last heartbeat, by the database's clock
    lock_held: bool | None  # PostgreSQL: whether its session still holds its lock; else None


class Liveness(Protocol):
    """Dispatchers' liveness signals: a heartbeat row each (and on PostgreSQL a session advisory
    lock, which the server releases when the session dies). Each call commits alone."""

    def register(self, name: str, host: str, pid: int, now: datetime) -> None: ...
    def beat(self, name: str) -> bool:
        """Beat the heartbeat (and make sure the lock is held); False if the row is gone (the
        others took this dispatcher for dead)."""
        ...

    def others(self, name: str) -> list[DispatcherSeen]: ...
    def forget(self, names: Sequence[str]) -> None:
        """Delete the rows of dispatchers found dead."""
        ...

    def retire(self, name: str) -> None:
        """Delete this dispatcher's row and release its lock."""
        ...


class SandboxFault(StrEnum):
    """A failure the sandbox channel can be told to play on its next publishes."""

    REFUSE = "refuse"  # refused outright: nothing published
    UNREACHABLE = "unreachable"  # the request never left: nothing published
    RATE_LIMIT = "rate-limit"  # asked to wait a minute: nothing published
    NOT_ALLOWED = "not-allowed"  # the plan lacks the endpoint: nothing published
    TIME_OUT = "time-out"  # no answer, and in fact nothing published
    LOSE_ANSWER = "lose-answer"  # published, but the answer never came back


class SandboxControl(Protocol):
    """Tells the sandbox channel to fail, so that tests and training can meet every fault."""

    def refuse_with(self, reason: str | None) -> None: ...
    def slow_down(self, seconds: float) -> None: ...
    def fail_next(self, fault: SandboxFault, times: int = 1) -> None:
        """Play `fault` on the next `times` publishes, after any already planned."""
        ...

    def clear_faults(self) -> None: ...
