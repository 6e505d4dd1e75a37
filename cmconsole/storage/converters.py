"""Map table rows to the domain's plain records, so nothing above storage sees a table class."""

import json

from cmconsole.domain.model import (
    Alias,
    AuditEvent,
    InboundMessage,
    Operator,
    Post,
    PostStatus,
    PublicPost,
    Shift,
    SignatureKind,
)
from cmconsole.storage.tables import (
    AliasRow,
    AuditEventRow,
    InboundMessageRow,
    OperatorRow,
    PostRow,
    SandboxPostRow,
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
    )


def shift(row: ShiftRow) -> Shift:
    assert row.id is not None
    return Shift(row.id, row.operator_id, row.alias_id, row.started_at, row.ended_at)


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
    )


def post(row: PostRow) -> Post:
    assert row.id is not None
    return Post(
        row.id,
        row.alias_id,
        row.author_id,
        row.approver_id,
        row.text,
        row.in_reply_to_id,
        PostStatus(row.status),
        row.created_at,
        row.published_at,
        row.channel_post_id,
        row.failure_reason,
    )


def audit_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        row.seq,
        row.occurred_at,
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
        str(row.id), row.author_handle, row.author_name, row.text, row.created_at, row.in_reply_to
    )
