"""Announcements set for later: listed, moved, called off, and held for a lead when missed."""

from datetime import datetime

from sqlmodel import col, select

from cmconsole.domain.model import Post, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.post_table import PostTable
from cmconsole.storage.tables import AliasRow, PostRow

# A scheduled post can still be moved or called off in these states; not once it is sending.
_WAITING = (PostStatus.QUEUED, PostStatus.AWAITING_APPROVAL)


class SqlScheduled(PostTable):
    """The part of the post repository that knows a post's scheduled time."""

    def scheduled(self, alias_id: int, limit: int) -> list[Post]:
        rows = self._session.exec(
            select(PostRow)
            .where(
                PostRow.alias_id == alias_id,
                col(PostRow.scheduled_for).is_not(None),
                col(PostRow.status).in_([state.value for state in _WAITING]),
            )
            .order_by(col(PostRow.scheduled_for), col(PostRow.id))
            .limit(limit)
        )
        return [converters.post(row) for row in rows]

    def reschedule(self, post_id: int, at: datetime | None) -> Post | None:
        return self._transition(post_id, _WAITING, None, scheduled_for=at)

    def cancel(self, post_id: int) -> Post | None:
        return self._transition(post_id, _WAITING, None, status=PostStatus.CANCELLED.value)

    def overdue(self, now: datetime) -> list[tuple[Post, int]]:
        rows = self._session.exec(
            select(PostRow, AliasRow.late_hold_minutes)
            .join(AliasRow, col(AliasRow.id) == PostRow.alias_id)
            .where(
                PostRow.status == PostStatus.QUEUED.value,
                col(PostRow.scheduled_for).is_not(None),
                col(PostRow.scheduled_for) <= now,
            )
            .order_by(col(PostRow.id))
        )
        return [(converters.post(row), minutes) for row, minutes in rows]

    def hold(self, post_id: int, comment: str) -> Post | None:
        return self._transition(
            post_id,
            PostStatus.QUEUED,
            None,
            status=PostStatus.AWAITING_APPROVAL.value,
            approver_id=None,
            review_comment=comment,
        )
