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
    for message in session.exec(select(InboundMessageRow).where(*of_contact)):
        items.append(
            HistoryItem(
                HistoryKind.MESSAGE,
                message.received_at,
                message.text,
                by=message.author_handle,
                ref=message.id,
                handle=message.author_handle,
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
        )
        .join(InboundMessageRow, col(InboundMessageRow.id) == PostRow.in_reply_to_id)
        .join(_AUTHOR, col(_AUTHOR.id) == PostRow.author_id)
        .outerjoin(_APPROVER, col(_APPROVER.id) == PostRow.approver_id)
        .where(*of_contact)
    )
    for post_id, text, status, created, published, handle, author, approver in replies:
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
            )
        )
    follow_ups = session.execute(
        select(FollowUpRow, OperatorRow.name)
        .join(OperatorRow, col(OperatorRow.id) == FollowUpRow.created_by)
        .where(col(FollowUpRow.alias_id) == alias_id, col(FollowUpRow.contact_handle).in_(handles))
    )
    for follow_up, name in follow_ups:
        items.append(
            HistoryItem(
                HistoryKind.FOLLOW_UP,
                follow_up.created_at,
                follow_up.promise,
                by=name,
                ref=follow_up.id,
                status="done" if follow_up.done_at else f"due {follow_up.due_at.isoformat()}",
                handle=follow_up.contact_handle,
            )
        )
    mentions = [
        col(HandoverRow.content).like(_like(handle), escape="\\")
        | col(HandoverRow.summary).like(_like(handle), escape="\\")
        for handle in handles
    ]
    handovers = session.execute(
        select(HandoverRow, OperatorRow.name)
        .join(OperatorRow, col(OperatorRow.id) == HandoverRow.author_id)
        .where(col(HandoverRow.alias_id) == alias_id, or_(*mentions))
    )
    for handover, name in handovers:
        named = [h for h in handles if _names(handle=h, text=handover.summary + handover.content)]
        if not named:
            continue
        items.append(
            HistoryItem(
                HistoryKind.HANDOVER,
                handover.written_at,
                handover.summary,
                by=name,
                ref=handover.id,
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
