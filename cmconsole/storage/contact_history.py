"""A contact's whole history with the alias, across operators, read in a few index reads."""

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import or_
from sqlalchemy import select as columns  # sqlmodel's select types four columns at most
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cmconsole.domain.contacts import HistoryItem, HistoryKind
from cmconsole.storage.tables import (
    AuditEventRow,
    FollowUpRow,
    HandoverRow,
    InboundMessageRow,
    OperatorRow,
    PostRow,
)

_AUTHOR = aliased(OperatorRow, name="author")
_APPROVER = aliased(OperatorRow, name="approver")
_THREAD_EVENTS = [
    HistoryKind.CLOSED.value,
    HistoryKind.REOPENED.value,
    HistoryKind.HANDED.value,
    HistoryKind.TAKEN_OVER.value,
]


def _like(handle: str) -> str:
    escaped = handle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _names(handle: str, text: str) -> bool:
    """Whether the text names the handle itself, not a longer one that starts like it."""
    return re.search(re.escape(handle) + r"(?![\w@])", text) is not None


def history(session: Session, alias_id: int, handles: Sequence[str]) -> list[HistoryItem]:
    """Everything that passed with these handles on the alias, oldest first: their messages, the
    alias's replies with their real author and approver, follow-ups, handovers naming them, and
    the closings, handings and takeovers of their threads."""
    handles = list(handles)
    items: list[HistoryItem] = []
    of_contact = (
        col(InboundMessageRow.alias_id) == alias_id,
        col(InboundMessageRow.author_handle).in_(handles),
    )
    # Columns, not rows mapped to objects: mapping a busy contact's messages cost more than
    # reading them.
    messages = session.execute(
        columns(
            col(InboundMessageRow.id),
            col(InboundMessageRow.received_at),
            col(InboundMessageRow.text),
            col(InboundMessageRow.author_handle),
            col(InboundMessageRow.private),
        ).where(*of_contact)
    )
    for message_id, received_at, text, handle, private in messages:
        items.append(
            HistoryItem(
                HistoryKind.MESSAGE,
                received_at,
                text,
                by=handle,
                ref=message_id,
                handle=handle,
                private=private,
            )
        )
    replies = session.execute(
        columns(
            col(PostRow.id),
            col(PostRow.text),
            col(PostRow.status),
            col(PostRow.created_at),
            col(PostRow.published_at),
            col(InboundMessageRow.author_handle),
            col(_AUTHOR.name),
            col(_APPROVER.name),
            col(InboundMessageRow.private),
        )
        .join(InboundMessageRow, col(InboundMessageRow.id) == PostRow.in_reply_to_id)
        .join(_AUTHOR, col(_AUTHOR.id) == PostRow.author_id)
        .outerjoin(_APPROVER, col(_APPROVER.id) == PostRow.approver_id)
        .where(*of_contact)
    )
    # A reply to a private message went out in private.
    for post_id, text, status, created, published, handle, author, approver, private in replies:
        items.append(
            HistoryItem(
                HistoryKind.REPLY,
                published or created,
                text,
                by=author,
                approved_by=approver,
                ref=post_id,
                status=status,
                handle=handle,
                private=private,
            )
        )
    follow_ups = session.execute(
        columns(
            col(FollowUpRow.id),
            col(FollowUpRow.created_at),
            col(FollowUpRow.promise),
            col(FollowUpRow.due_at),
            col(FollowUpRow.done_at),
            col(FollowUpRow.contact_handle),
            col(OperatorRow.name),
        )
        .join(OperatorRow, col(OperatorRow.id) == FollowUpRow.created_by)
        .where(col(FollowUpRow.alias_id) == alias_id, col(FollowUpRow.contact_handle).in_(handles))
    )
    for follow_up_id, created_at, promise, due_at, done_at, handle, name in follow_ups:
        items.append(
            HistoryItem(
                HistoryKind.FOLLOW_UP,
                created_at,
                promise,
                by=name,
                ref=follow_up_id,
                status="done" if done_at else f"due {due_at.isoformat()}",
                handle=handle,
            )
        )
    mentions = [
        col(HandoverRow.content).like(_like(handle), escape="\\")
        | col(HandoverRow.summary).like(_like(handle), escape="\\")
        for handle in handles
    ]
    handovers = session.execute(
        columns(
            col(HandoverRow.id),
            col(HandoverRow.written_at),
            col(HandoverRow.summary),
            col(HandoverRow.content),
            col(OperatorRow.name),
        )
        .join(OperatorRow, col(OperatorRow.id) == HandoverRow.author_id)
        .where(col(HandoverRow.alias_id) == alias_id, or_(*mentions))
    )
    for handover_id, written_at, summary, content, name in handovers:
        named = [h for h in handles if _names(handle=h, text=summary + content)]
        if named:
            items.append(
                HistoryItem(
                    HistoryKind.HANDOVER,
                    written_at,
                    summary,
                    by=name,
                    ref=handover_id,
                    handle=named[0],
                )
            )
    events = session.execute(
        select(AuditEventRow, OperatorRow.name)
        .outerjoin(OperatorRow, col(OperatorRow.id) == AuditEventRow.actor_id)
        .where(
            col(AuditEventRow.subject).in_(handles),
            col(AuditEventRow.alias_id) == alias_id,
            col(AuditEventRow.kind).in_(_THREAD_EVENTS),
        )
    )
    for event, name in events:
        details = json.loads(event.details)
        items.append(
            HistoryItem(
                HistoryKind(event.kind),
                datetime.fromisoformat(event.occurred_at).astimezone(UTC),
                str(details.get("note") or details.get("reason") or details.get("to") or ""),
                by=name,
                ref=event.seq,
                status=str(details.get("reason") or details.get("to") or ""),
                handle=event.subject,
            )
        )
    items.sort(key=lambda item: (item.at, _ORDER[item.kind], item.ref or 0))
    return items


# Within one instant, a message comes before its reply, and a reply before what followed it.
_ORDER = {kind: index for index, kind in enumerate(HistoryKind)}
