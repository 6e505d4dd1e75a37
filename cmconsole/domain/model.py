"""The nouns of cmconsole as immutable records: aliases, operators, shifts, messages, posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from cmconsole.domain.triage import Closing, Handing, ThreadState


class Role(StrEnum):
    """What an operator may do on one alias."""

    LEAD = "lead"
    OPERATOR = "operator"
    TRAINEE = "trainee"

    @property
    def publishes_without_approval(self) -> bool:
        return self is not Role.TRAINEE


class SignatureKind(StrEnum):
    """How the alias signs what it publishes."""

    NONE = "none"
    INITIALS = "initials"
    FIXED = "fixed"


class PostStatus(StrEnum):
    """Where a post is on its way to the public."""

    AWAITING_APPROVAL = "awaiting_approval"
    QUEUED = "queued"
    SENDING = "sending"
    PUBLISHED = "published"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # a scheduled announcement a lead called off before it went out
    # The channel may or may not have published it: settled against its recent posts, never
    # retried blindly.
    UNKNOWN = "unknown"

    @property
    def live(self) -> bool:
        """Whether the post is, or may become, public."""
        return self not in (PostStatus.FAILED, PostStatus.REJECTED, PostStatus.CANCELLED)

    @property
    def answers(self) -> bool:
        """Whether it answers what it replies to: on its way out or out. A reply still waiting
        for approval does not (yet): the thread stays waiting, in everyone's inbox."""
        return self.live and self is not PostStatus.AWAITING_APPROVAL


@dataclass(frozen=True)
class Alias:
    id: int
    handle: str
    display_name: str
    language: str
    channel: str
    signature_kind: SignatureKind
    signature_text: str
    time_zone: str = "UTC"  # an IANA name: where "tomorrow" and business hours are reckoned
    # An announcement missed by more than this (no dispatcher ran) waits for a lead.
    late_hold_minutes: int = 60
    colour: str = ""  # "#rrggbb" the alias wears on every screen where one writes ("" for none)


@dataclass(frozen=True)
class Operator:
    id: int
    name: str
    display_name: str
    initials: str
    active: bool


@dataclass(frozen=True)
class Membership:
    """An operator's role on an alias, with the alias it concerns."""

    alias: Alias
    role: Role


@dataclass(frozen=True)
class Shift:
    id: int
    operator_id: int
    alias_id: int
    started_at: datetime
    ended_at: datetime | None
    heartbeat_at: datetime | None = None
    start_mark: int | None = None
    end_mark: int | None = None


@dataclass(frozen=True)
class InboundMessage:
    """A message from the public to the alias, as the channel delivered it."""

    id: int
    alias_id: int
    channel_message_id: str
    author_handle: str
    text: str
    received_at: datetime
    answered: bool
    # A private message (Mastodon's `direct` visibility): shown as such, answered in private.
    private: bool = False
    channel: str = ""  # where it came from, and where its reply goes


@dataclass(frozen=True)
class Post:
    """Text published or on its way under the alias, attributed internally to real people."""

    id: int
    alias_id: int
    author_id: int
    approver_id: int | None
    text: str
    in_reply_to_id: int | None
    status: PostStatus
    created_at: datetime
    published_at: datetime | None
    channel_post_id: str | None
    failure_reason: str | None
    guide_version: int | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    review_comment: str | None = None
    attempts: int = 0
    retry_at: datetime | None = None
    # Stable across every try at publishing this post: what a channel's idempotency key is made of.
    idempotency_key: str | None = None
    # An announcement set for later: no dispatcher takes it before then.
    scheduled_for: datetime | None = None
    channel: str = ""  # where it is published ("": the alias's own, for rows loaded in bulk)


@dataclass(frozen=True)
class PostAttempt:
    """One try at publishing a post, by one dispatcher, and how it ended."""

    post_id: int
    number: int
    dispatcher: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    detail: str | None


@dataclass(frozen=True)
class ContactThread:
    """A contact's conversation with an alias as the inbox lists it."""

    id: int
    alias_id: int
    contact_handle: str
    last_inbound_id: int
    last_activity_at: datetime
    waiting_since: datetime | None
    message_count: int
    last_text: str = ""
    state: ThreadState = ThreadState.NEW
    closing: Closing | None = None  # the newest closing without reply, even once reopened
    handing: Handing | None = None  # the newest handing to a colleague
    last_private: bool = False  # whether the newest message is private (Mastodon's `direct`)
    last_channel: str = ""  # where the newest message came from (and its reply goes)

    @property
    def unanswered(self) -> bool:
        return self.waiting_since is not None

    @property
    def waiting(self) -> bool:
        """Whether the fan waits for the alias: not answered, nor closed without a reply."""
        return self.state.waiting


@dataclass(frozen=True)
class Claim:
    """Who is answering a contact, until when (unless they keep working on it)."""

    alias_id: int
    contact_handle: str
    operator_id: int
    operator_name: str
    claimed_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class SavedReply:
    """A reply an alias keeps ready, inserted into a draft and checked like anything typed."""

    id: int
    alias_id: int
    name: str
    text: str


@dataclass(frozen=True)
class PublicPost:
    """A post as the public sees it: signed by the alias or by a member of the public."""

    channel_post_id: str
    author_handle: str
    author_name: str
    text: str
    published_at: datetime
    in_reply_to: str | None
    # A private message (Mastodon's `direct` visibility): shown as such, never answered in public.
    private: bool = False
    # Where the channel's mention feed stands after this post, when that is not the post's id
    # (Mastodon pages mentions by notification id): the inbox keeps it as the alias's cursor.
    cursor: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One link of the append-only, hash-chained record of every state change."""

    seq: int
    occurred_at: datetime
    kind: str
    actor_id: int | None
    alias_id: int | None
    subject: str
    details: dict[str, object]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditEntry:
    """An audit event with the names a reader needs, for lists and screens."""

    event: AuditEvent
    actor_name: str | None
    alias_handle: str | None
    # The text of the post the event is about, as its row holds it now ("" once erased); None
    # when the event is not about a post. The ledger itself holds no post's text.
    post_text: str | None = None


@dataclass(frozen=True)
class FollowUp:
    """A promise made to a member of the public, with a due time; it outlives shifts."""

    id: int
    alias_id: int
    inbound_id: int | None
    contact_handle: str
    promise: str
    due_at: datetime
    created_by: int
    created_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class WatchedContact:
    """A contact a handover asks the next person to watch, as they were when it was written."""

    contact_id: int
    handle: str
    display_name: str
    tags: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class HandoverContent:
    """What a handover carries: gathered from the data, then marked up by its writer."""

    open_threads: tuple[str, ...] = ()
    awaiting_approval: tuple[str, ...] = ()
    failed_posts: tuple[str, ...] = ()
    follow_ups_due: tuple[str, ...] = ()
    guide_changes: tuple[str, ...] = ()
    people_to_watch: str = ""
    promises: str = ""
    mood: str = ""
    watched: tuple[WatchedContact, ...] = ()  # picked from the directory, each with a note


@dataclass(frozen=True)
class Handover:
    """A note to whoever comes next on the alias; immutable once written."""

    id: int
    alias_id: int
    author_id: int
    author_name: str
    written_at: datetime
    summary: str
    content: HandoverContent
    corrects_id: int | None
    automatic: bool


@dataclass(frozen=True)
class Acknowledgement:
    operator_name: str
    acknowledged_at: datetime


@dataclass(frozen=True)
class TeamMember:
    """An operator as their alias's team sees them."""

    operator: Operator
    role: Role
    on_shift: bool


@dataclass(frozen=True)
class GuideVersion:
    """One saved version of an alias's guide: its TOML source and why it changed."""

    alias_id: int
    version: int
    source: str
    change_note: str
    author_name: str | None
    created_at: datetime
