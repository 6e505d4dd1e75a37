"""The workspace tables. Rows never leave storage: converters.py maps them to domain records."""

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class OperatorRow(SQLModel, table=True):
    __tablename__ = "operator"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=32, unique=True)
    display_name: str = Field(max_length=100)
    initials: str = Field(max_length=4)
    passphrase_hash: str = Field(max_length=200)
    active: bool = True
    created_at: datetime
    deactivated_at: datetime | None = None


class AliasRow(SQLModel, table=True):
    __tablename__ = "alias"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=16, unique=True)
    display_name: str = Field(max_length=100)
    language: str = Field(max_length=8)
    channel: str = Field(max_length=16)
    signature_kind: str = Field(max_length=16)
    signature_text: str = Field(default="", max_length=50)
    time_zone: str = Field(default="UTC", max_length=64)
    late_hold_minutes: int = Field(default=60)
    colour: str = Field(default="", max_length=16)
    created_at: datetime


class AliasChannelRow(SQLModel, table=True):
    """A channel an alias speaks on (its own, `alias.channel`, is one), and where that channel's
    mention feed stands."""

    __tablename__ = "alias_channel"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    mention_cursor: str | None = Field(default=None, max_length=64)
    connected_at: datetime


class MembershipRow(SQLModel, table=True):
    __tablename__ = "membership"

    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    alias_id: int = Field(foreign_key="alias.id", primary_key=True, index=True)
    role: str = Field(max_length=16)


class ShiftRow(SQLModel, table=True):
    __tablename__ = "shift"
    __table_args__ = (
        Index("ix_shift_open", "alias_id", "operator_id", "ended_at"),
        Index("ix_shift_live", "ended_at", "alias_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id")
    alias_id: int = Field(foreign_key="alias.id")
    started_at: datetime
    ended_at: datetime | None = None
    # Refreshed by the console while it runs; a stale one marks a shift left open by a crash.
    heartbeat_at: datetime | None = None
    # The newest handover on the alias when the shift started and ended. The handover gate
    # compares ids, not times: consoles' clocks may disagree, the database's ids do not.
    start_mark: int | None = None
    end_mark: int | None = None


class InboundMessageRow(SQLModel, table=True):
    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("alias_id", "channel_message_id", name="uq_inbound_channel_id"),
        Index("ix_inbound_alias_received", "alias_id", "received_at"),
        Index("ix_inbound_contact", "alias_id", "author_handle", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    channel_message_id: str = Field(max_length=64)
    # Where it came from: the reply goes out there.
    channel: str = Field(default="", max_length=16)
    author_handle: str = Field(max_length=64)
    text: str
    received_at: datetime
    # A private message (Mastodon's `direct` visibility): shown as such, answered in private.
    private: bool = False


class PostRow(SQLModel, table=True):
    __tablename__ = "post"
    __table_args__ = (
        Index("ix_post_status", "status", "id"),
        Index("ix_post_alias", "alias_id", "id"),
        Index("ix_post_reply", "in_reply_to_id"),
        Index("ix_post_published", "alias_id", "status", "published_at"),
        Index("ix_post_author_published", "author_id", "published_at"),
        Index("ix_post_channel_id", "channel_post_id"),
        Index("ix_post_scheduled", "alias_id", "scheduled_for"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    author_id: int = Field(foreign_key="operator.id")
    approver_id: int | None = Field(default=None, foreign_key="operator.id")
    text: str
    in_reply_to_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    # Where it is published: a reply's is its message's.
    channel: str = Field(default="", max_length=16)
    status: str = Field(max_length=24)
    attempts: int = 0
    created_at: datetime
    published_at: datetime | None = None
    channel_post_id: str | None = Field(default=None, max_length=64)
    failure_reason: str | None = None
    guide_version: int | None = None
    # {rule id: the writer's reason} for each guide warning passed on purpose.
    overrides: str = "{}"
    # Why a reviewer rejected (or how they edited) a trainee's reply: the trainee reads it.
    review_comment: str | None = None
    # Salts the text's hash in the audit; erased with the text when a post is redacted.
    content_salt: str | None = Field(default=None, max_length=32)
    # A queued post waiting out a rate limit or an unreachable channel is not tried before this.
    retry_at: datetime | None = None
    # A dispatcher holds a sending post until then; past it, the send is treated as unknown.
    lease_until: datetime | None = None
    # The dispatcher holding it (sending or settling it): once that one is gone, another takes
    # the post over at once, lease or not.
    held_by: str | None = Field(default=None, max_length=200)
    # Sent with every try at publishing this post, on channels that honour such keys.
    idempotency_key: str | None = Field(default=None, max_length=64)
    # An announcement set for later (None: as soon as a dispatcher takes it).
    scheduled_for: datetime | None = None


class PostAttemptRow(SQLModel, table=True):
    """Every try at publishing a post, and what came of it: the outbox's own record."""

    __tablename__ = "post_attempt"
    __table_args__ = (Index("ix_post_attempt_post", "post_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post.id")
    number: int
    dispatcher: str = Field(max_length=100)
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str = Field(default="sending", max_length=24)
    detail: str | None = None


class ContactThreadRow(SQLModel, table=True):
    """One contact's conversation with an alias, kept current as messages and replies arrive so
    that the inbox never has to group millions of messages to show its first page."""

    __tablename__ = "contact_thread"
    __table_args__ = (
        UniqueConstraint("alias_id", "contact_handle", name="uq_thread_contact"),
        Index("ix_thread_activity", "alias_id", "last_activity_at"),
        Index("ix_thread_unanswered", "alias_id", "unanswered", "last_activity_at"),
        Index("ix_thread_state", "alias_id", "state", "last_activity_at"),
        Index("ix_thread_handed", "handed_to", "alias_id"),
        Index("ix_thread_waiting", "alias_id", "state", "waiting_since"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    contact_handle: str = Field(max_length=64)
    last_inbound_id: int
    last_activity_at: datetime
    # The oldest message still waiting for a reply; None when the contact has been answered.
    waiting_since: datetime | None = None
    unanswered: bool = True
    message_count: int = 0
    # domain.triage.thread_state of what follows, kept current like the rest (filtered on).
    state: str = Field(default="new", max_length=20)
    # Settled without a reply: why, by whom, and up to which of the fan's messages.
    closed_reason: str | None = Field(default=None, max_length=20)
    closed_note: str | None = None
    closed_by: int | None = Field(default=None, foreign_key="operator.id")
    closed_at: datetime | None = None
    closed_upto: int | None = None
    # Passed to a named colleague, with the note they read first (the newest handing only).
    handed_to: int | None = Field(default=None, foreign_key="operator.id")
    handed_by: int | None = Field(default=None, foreign_key="operator.id")
    handed_at: datetime | None = None
    handed_note: str | None = None


class ClaimRow(SQLModel, table=True):
    """Who is answering a contact right now; changed only by conditional writes."""

    __tablename__ = "claim"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    contact_handle: str = Field(max_length=64, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id")
    claimed_at: datetime
    expires_at: datetime


class SavedReplyRow(SQLModel, table=True):
    __tablename__ = "saved_reply"
    __table_args__ = (UniqueConstraint("alias_id", "name", name="uq_saved_reply_name"),)

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    name: str = Field(max_length=50)
    text: str
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime


class ContentHashingStartRow(SQLModel, table=True):
    """Where content hashing began in a workspace made before it: the first event (`audit_event`)
    and the first row of each content table that carry a stamp. Zero in newer workspaces."""

    __tablename__ = "content_hashing_start"

    name: str = Field(primary_key=True, max_length=32)
    first_id: int


class AuditEventRow(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_alias", "alias_id", "seq"),
        # Notifications read the few events of some kinds on an alias (a reply sent back, a
        # takeover) among its millions: without it, each read walks the alias's whole history.
        Index("ix_audit_alias_kind", "alias_id", "kind", "seq"),
        Index("ix_audit_subject", "subject"),
        Index("ix_audit_time", "occurred_at"),
    )

    # The sequence number is assigned by the chain, not by the database, so gaps are visible.
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    # Stored as sortable UTC text (audit_chain.stamp): the hash covers these exact characters.
    occurred_at: str = Field(max_length=32)
    kind: str = Field(max_length=48)
    actor_id: int | None = Field(default=None, index=True)
    alias_id: int | None = None
    subject: str = Field(max_length=200)
    details: str
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # The row whose content the event records (`post 12`) and its stamp (domain.content); both
    # empty on events that record none and on every event before content hashing.
    content_ref: str | None = Field(default=None, max_length=48)
    content: str | None = None


class SandboxPostRow(SQLModel, table=True):
    """The sandbox channel's public square: what its public and the aliases have posted."""

    __tablename__ = "sandbox_post"
    __table_args__ = (
        Index("ix_sandbox_author", "author_handle", "id"),
        Index("ix_sandbox_key", "idempotency_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_handle: str = Field(max_length=64)
    author_name: str = Field(max_length=100)
    text: str
    in_reply_to: str | None = Field(default=None, max_length=64)
    created_at: datetime
    idempotency_key: str | None = Field(default=None, max_length=64)
    private: bool = False


class DispatcherRow(SQLModel, table=True):
    """A running dispatcher and its heartbeat: while it beats, nobody takes its posts over."""

    __tablename__ = "dispatcher"

    name: str = Field(primary_key=True, max_length=200)
    host: str = Field(max_length=200)
    pid: int
    started_at: datetime
    # Seconds since the epoch by the database's own clock (SQLite: this machine's).
    heartbeat_at: float
    # PostgreSQL: the session advisory lock it holds while its session lives.
    lock_key: int | None = Field(default=None, sa_type=BigInteger)


class HandoverRow(SQLModel, table=True):
    """Append-only, like the audit: the database refuses UPDATE, DELETE, REPLACE, TRUNCATE."""

    __tablename__ = "handover"
    __table_args__ = (Index("ix_handover_alias", "alias_id", "written_at"),)

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    author_id: int = Field(foreign_key="operator.id")
    written_at: datetime
    summary: str
    content: str
    corrects_id: int | None = Field(default=None, foreign_key="handover.id")
    automatic: bool = False


class HandoverAckRow(SQLModel, table=True):
    __tablename__ = "handover_ack"

    handover_id: int = Field(foreign_key="handover.id", primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", primary_key=True, index=True)
    acknowledged_at: datetime


class FollowUpRow(SQLModel, table=True):
    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_due", "alias_id", "done_at", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    contact_handle: str = Field(max_length=64)
    promise: str
    due_at: datetime
    created_by: int = Field(foreign_key="operator.id")
    created_at: datetime
    done_at: datetime | None = None
    done_by: int | None = Field(default=None, foreign_key="operator.id")


class GuideVersionRow(SQLModel, table=True):
    __tablename__ = "guide_version"
    __table_args__ = (UniqueConstraint("alias_id", "version", name="uq_guide_version"),)

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    version: int
    source: str
    change_note: str
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime


class GuideAckRow(SQLModel, table=True):
    __tablename__ = "guide_ack"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    version: int = Field(primary_key=True)
    acknowledged_at: datetime


class OnboardingStepRow(SQLModel, table=True):
    """A step of the onboarding track a trainee has done on an alias."""

    __tablename__ = "onboarding_step"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    step: str = Field(max_length=120, primary_key=True)
    done_at: datetime


class PracticeReplyRow(SQLModel, table=True):
    """A reply a trainee wrote to a past message for practice: never published."""

    __tablename__ = "practice_reply"
    __table_args__ = (Index("ix_practice_operator", "alias_id", "operator_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    alias_id: int = Field(foreign_key="alias.id")
    operator_id: int = Field(foreign_key="operator.id")
    inbound_id: int = Field(foreign_key="inbound_message.id")
    text: str
    closeness: int
    errors: int
    warnings: int
    created_at: datetime


class DeskChangeRow(SQLModel, table=True):
    """How many times what an alias's desk shows has changed (alias 0: the whole workspace):
    consoles compare it to the version they show and re-read only when it moved."""

    __tablename__ = "desk_change"

    alias_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    version: int = Field(default=0, sa_type=BigInteger)


class OperatorSettingRow(SQLModel, table=True):
    """A person's own preference (the notification bell), the same on every console they use."""

    __tablename__ = "operator_setting"

    operator_id: int = Field(foreign_key="operator.id", primary_key=True)
    name: str = Field(max_length=48, primary_key=True)
    value: str = Field(max_length=200)


# Registered on the same metadata (migrations, grants); kept apart to keep this module short.
from cmconsole.storage.contact_tables import (  # noqa: E402, F401
    ContactHandleRow,
    ContactNoteRow,
    ContactRatingRow,
    ContactRow,
    ContactTagListRow,
    ContactTagRow,
)
from cmconsole.storage.report_tables import AliasHoursRow  # noqa: E402, F401
