"""The alias's posts: written, reviewed, sent through the outbox and published."""

import json
import secrets
import uuid
from datetime import datetime

from sqlmodel import col, select

from cmconsole.domain.model import Post, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.outbox import SqlOutbox
from cmconsole.storage.published import SqlPublished
from cmconsole.storage.scheduled import SqlScheduled
from cmconsole.storage.tables import PostRow


class SqlPosts(SqlOutbox, SqlPublished, SqlScheduled):
    """The post repository the services see: drafts and their review, the outbox and what
    was published."""

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
    ) -> Post:
        row = PostRow(
            channel=channel,
            alias_id=alias_id,
            author_id=author_id,
            text=text,
            in_reply_to_id=in_reply_to_id,
            status=status.value,
            created_at=now,
            guide_version=guide_version,
            overrides=json.dumps(overrides or {}, ensure_ascii=False, sort_keys=True),
            idempotency_key=uuid.uuid4().hex,
            content_salt=secrets.token_hex(16),
            scheduled_for=scheduled_for,
        )
        self._session.add(row)
        self._session.flush()
        if in_reply_to_id is not None:
            self._refresh_thread_of(in_reply_to_id)
        return converters.post(row)

    def by_id(self, post_id: int) -> Post | None:
        row = self._session.get(PostRow, post_id, populate_existing=True)
        return converters.post(row) if row else None

    def by_channel_id(self, channel_post_id: str) -> Post | None:
        row = self._session.exec(
            select(PostRow).where(PostRow.channel_post_id == channel_post_id)
        ).first()
        return converters.post(row) if row else None

    def replies_to(self, inbound_id: int) -> list[Post]:
        rows = self._session.exec(
            select(PostRow).where(PostRow.in_reply_to_id == inbound_id).order_by(col(PostRow.id))
        )
        return [converters.post(row) for row in rows]

    def for_alias(self, alias_id: int, limit: int) -> list[Post]:
        rows = self._session.exec(
            select(PostRow)
            .where(PostRow.alias_id == alias_id)
            .order_by(col(PostRow.id).desc())
            .limit(limit)
        )
        return [converters.post(row) for row in rows]

    def with_status(
        self, alias_id: int, status: PostStatus, author_id: int | None, limit: int
    ) -> list[Post]:
        query = select(PostRow).where(PostRow.alias_id == alias_id, PostRow.status == status.value)
        if author_id is not None:
            query = query.where(PostRow.author_id == author_id)
        rows = self._session.exec(query.order_by(col(PostRow.id)).limit(limit))
        return [converters.post(row) for row in rows]

    def approve(
        self, post_id: int, approver_id: int, text: str | None = None, comment: str | None = None
    ) -> bool:
        changes: dict[str, object] = {"status": PostStatus.QUEUED.value, "approver_id": approver_id}
        if text is not None:
            changes.update(text=text, review_comment=comment)
        approved = self._transition(post_id, PostStatus.AWAITING_APPROVAL, None, **changes)
        if approved is not None:
            self._refresh_thread_of_post(approved)
        return approved is not None

    def reject(self, post_id: int, reviewer_id: int, comment: str) -> bool:
        rejected = self._transition(
            post_id,
            PostStatus.AWAITING_APPROVAL,
            status=PostStatus.REJECTED.value,
            approver_id=reviewer_id,
            review_comment=comment,
        )
        if rejected is not None:
            self._refresh_thread_of_post(rejected)
        return rejected is not None

    def resend(
        self, post_id: int, text: str, status: PostStatus, overrides: dict[str, str]
    ) -> bool:
        """A failed post, edited or not, goes back to the outbox (or to approval)."""
        resent = self._transition(
            post_id,
            PostStatus.FAILED,
            status=status.value,
            text=text,
            overrides=json.dumps(overrides, ensure_ascii=False, sort_keys=True),
            failure_reason=None,
            retry_at=None,
        )
        if resent is not None:
            self._refresh_thread_of_post(resent)
        return resent is not None
