"""Map table rows to the domain's plain records, so nothing above storage sees a table class."""

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from cmconsole.domain.model import (
    Alias,
    AuditEvent,
    Claim,
    ContactThread,
    FollowUp,
    GuideVersion,
    Handover,
    HandoverContent,
    InboundMessage,
    Operator,
    Post,
    PostAttempt,
    PostStatus,
    PublicPost,
    SavedReply,
    Shift,
    SignatureKind,
    WatchedContact,
)
from cmconsole.domain.triage import CloseReason, Closing, Handing, ThreadState
from cmconsole.storage.tables import (
    AliasRow,
    AuditEventRow,
    ClaimRow,
    FollowUpRow,
    GuideVersionRow,
    HandoverRow,
    InboundMessageRow,
    OperatorRow,
    PostAttemptRow,
    PostRow,
    SandboxPostRow,
    SavedReplyRow,
    ShiftRow,
)


def operator(row: OperatorRow) -> Operator:
    assert row.id is not None
    return Operator(row.id, row.name, row.display_name, row.initials, row.active)


def alias(row: AliasRow) -> Alias:
    assert row.id is not None
    return Alias(
        row.id,
        row.handle,
        row.display_name,
        row.language,
        row.channel,
        SignatureKind(row.signature_kind),
        row.signature_text,
        row.time_zone,
        row.late_hold_minutes,
        row.colour,
    )


def shift(row: ShiftRow) -> Shift:
    assert row.id is not None
    return Shift(
        row.id,
        row.operator_id,
        row.alias_id,
        row.started_at,
        row.ended_at,
        row.heartbeat_at,
        row.start_mark,
        row.end_mark,
    )


def inbound(row: InboundMessageRow, answered: bool) -> InboundMessage:
    assert row.id is not None
    return InboundMessage(
        row.id,
        row.alias_id,
        row.channel_message_id,
        row.author_handle,
        row.text,
        row.received_at,
        answered,
        row.private,
        row.channel,
    )


# The post table's columns in the order of Post's fields, for reading posts from bare rows.
POST_COLUMNS = (
    "id",
    "alias_id",
    "author_id",
    "approver_id",
    "text",
    "in_reply_to_id",
    "status",
    "created_at",
    "published_at",
    "channel_post_id",
    "failure_reason",
    "guide_version",
    "overrides",
    "review_comment",
    "attempts",
    "retry_at",
    "idempotency_key",
    "scheduled_for",
    "channel",
)
_NO_OVERRIDES = "{}"


def post_of(values: Sequence[Any]) -> Post:
    """A post from the values of POST_COLUMNS, in order: positions, not names, as this runs for
    every row of a page (a row's attribute lookups cost more than the rest of it)."""
    (
        post_id, alias_id, author_id, approver_id, text, in_reply_to_id, status, created_at,
        published_at, channel_post_id, failure_reason, guide_version, overrides, review_comment,
        attempts, retry_at, idempotency_key, scheduled_for, channel,
    ) = values  # fmt: skip
    return Post(
        post_id,
        alias_id,
        author_id,
        approver_id,
        text,
        in_reply_to_id,
        PostStatus(status),
        created_at,
        published_at,
        channel_post_id,
        failure_reason,
        guide_version,
        {} if overrides == _NO_OVERRIDES else json.loads(overrides),
        review_comment,
        attempts,
        retry_at,
        idempotency_key,
        scheduled_for,
        channel,
    )


def post(row: PostRow) -> Post:
    assert row.id is not None
    return post_of([getattr(row, name) for name in POST_COLUMNS])


def post_attempt(row: PostAttemptRow) -> PostAttempt:
    return PostAttempt(
        row.post_id,
        row.number,
        row.dispatcher,
        row.started_at,
        row.finished_at,
        row.outcome,
        row.detail,
    )


def thread(row: Any) -> ContactThread:
    """A thread from a listed row: the table's columns, `last_text`, and the names of the
    handing's people (`handed_to_name`, `handed_by_name`)."""
    closing = None
    if row.closed_reason is not None:
        closing = Closing(
            CloseReason(row.closed_reason),
            row.closed_note or "",
            row.closed_by,
            row.closed_at,
            row.closed_upto,
        )
    handing = None
    if row.handed_to is not None:
        handing = Handing(
            row.handed_to,
            row.handed_to_name or "?",
            row.handed_by,
            row.handed_by_name or "?",
            row.handed_at,
            row.handed_note or "",
        )
    return ContactThread(
        row.id,
        row.alias_id,
        row.contact_handle,
        row.last_inbound_id,
        row.last_activity_at,
        row.waiting_since,
        row.message_count,
        row.last_text,
        ThreadState(row.state),
        closing,
        handing,
        row.last_private,
        row.last_channel,
    )


def claim(row: ClaimRow, operator_name: str) -> Claim:
    return Claim(
        row.alias_id,
        row.contact_handle,
        row.operator_id,
        operator_name,
        row.claimed_at,
        row.expires_at,
    )


def saved_reply(row: SavedReplyRow) -> SavedReply:
    assert row.id is not None
    return SavedReply(row.id, row.alias_id, row.name, row.text)


def audit_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        row.seq,
        datetime.fromisoformat(row.occurred_at),
        row.kind,
        row.actor_id,
        row.alias_id,
        row.subject,
        json.loads(row.details),
        row.prev_hash,
        row.hash,
    )


def public_post(row: SandboxPostRow) -> PublicPost:
    return PublicPost(
        str(row.id),
        row.author_handle,
        row.author_name,
        row.text,
        row.created_at,
        row.in_reply_to,
        row.private,
    )


def handover_content_json(content: HandoverContent) -> str:
    return json.dumps(asdict(content), ensure_ascii=False, sort_keys=True)


def handover(row: HandoverRow, author_name: str) -> Handover:
    assert row.id is not None
    raw = json.loads(row.content)
    content = HandoverContent(
        open_threads=tuple(raw["open_threads"]),
        awaiting_approval=tuple(raw["awaiting_approval"]),
        failed_posts=tuple(raw["failed_posts"]),
        follow_ups_due=tuple(raw["follow_ups_due"]),
        guide_changes=tuple(raw["guide_changes"]),
        people_to_watch=raw["people_to_watch"],
        promises=raw["promises"],
        mood=raw["mood"],
        # Handovers written before contacts could be picked have none.
        watched=tuple(
            WatchedContact(**{**w, "tags": tuple(w["tags"])}) for w in raw.get("watched", ())
        ),
    )
    return Handover(
        row.id,
        row.alias_id,
        row.author_id,
        author_name,
        row.written_at,
        row.summary,
        content,
        row.corrects_id,
        row.automatic,
    )


def follow_up(row: FollowUpRow) -> FollowUp:
    assert row.id is not None
    return FollowUp(
        row.id,
        row.alias_id,
        row.inbound_id,
        row.contact_handle,
        row.promise,
        row.due_at,
        row.created_by,
        row.created_at,
        row.done_at,
    )


def guide_version(row: GuideVersionRow, author_name: str | None) -> GuideVersion:
    return GuideVersion(
        row.alias_id, row.version, row.source, row.change_note, author_name, row.created_at
    )
