"""The outbox: posts queued, taken by a dispatcher under a lease, and settled."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    and_,
    bindparam,
    column,
    delete,
    insert,
    or_,
    update,
)
from sqlalchemy import select as sql_select
from sqlalchemy import values as sql_values
from sqlmodel import col, select

from cmconsole.domain.model import Post, PostAttempt, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.post_table import ATTEMPT, POST, POST_FIELDS, PostTable
from cmconsole.storage.tables import DispatcherRow, PostAttemptRow, PostRow

_DISPATCHER = DispatcherRow.__table__  # type: ignore[attr-defined]

# The dispatcher's writes, built once: building a statement costs more than running it.
_FINISH_ATTEMPT = (
    update(ATTEMPT)
    .where(ATTEMPT.c.post_id == bindparam("of_post"), ATTEMPT.c.number == bindparam("of_number"))
    .values(
        outcome=bindparam("to_outcome"), detail=bindparam("to_detail"), finished_at=bindparam("at")
    )
)


class SqlOutbox(PostTable):
    """The outbox: due posts taken under a lease, given back, settled, and their attempts."""

    def take_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        dispatcher: str,
        post_id: int | None = None,
    ) -> list[Post]:
        # SKIP LOCKED lets several dispatchers share a PostgreSQL outbox; on SQLite the
        # IMMEDIATE transaction already serialises them. The conditional update is the guard.
        due = select(PostRow.id).where(
            PostRow.status == PostStatus.QUEUED.value,
            (col(PostRow.retry_at).is_(None)) | (col(PostRow.retry_at) <= now),
            (col(PostRow.scheduled_for).is_(None)) | (col(PostRow.scheduled_for) <= now),
        )
        if post_id is not None:
            due = due.where(PostRow.id == post_id)
        post_ids = list(
            self._session.exec(
                due.order_by(col(PostRow.id)).limit(limit).with_for_update(skip_locked=True)
            )
        )
        if not post_ids:
            return []
        rows = self._session.execute(
            update(POST)
            .where(POST.c.id.in_(post_ids), POST.c.status == PostStatus.QUEUED.value)
            .values(
                status=PostStatus.SENDING.value,
                attempts=POST.c.attempts + 1,
                lease_until=lease_until,
                retry_at=None,
                held_by=dispatcher,
            )
            .returning(*POST_FIELDS)
        ).all()
        taken = sorted((converters.post_of(row) for row in rows), key=lambda post: post.id)
        if taken:
            self._session.execute(
                insert(ATTEMPT),
                [
                    {
                        "post_id": post.id,
                        "number": post.attempts,
                        "dispatcher": dispatcher,
                        "started_at": now,
                        "outcome": "sending",
                    }
                    for post in taken
                ],
            )
        return taken

    def give_back(
        self, posts: list[Post], retry_at: datetime | None = None, reason: str | None = None
    ) -> list[Post]:
        given: list[Post] = []
        for post in posts:
            returned = self._session.execute(
                update(POST)
                .where(
                    POST.c.id == post.id,
                    POST.c.status == PostStatus.SENDING.value,
                    POST.c.attempts == post.attempts,
                )
                .values(
                    status=PostStatus.QUEUED.value,
                    attempts=POST.c.attempts - 1,
                    lease_until=None,
                    retry_at=retry_at,
                    failure_reason=reason if reason is not None else POST.c.failure_reason,
                )
                .returning(*POST_FIELDS)
            ).first()
            if returned is not None:
                self._session.execute(
                    delete(ATTEMPT).where(
                        ATTEMPT.c.post_id == post.id, ATTEMPT.c.number == post.attempts
                    )
                )
                given.append(converters.post_of(returned))
        return given

    def take_unsettled(
        self,
        now: datetime,
        lease_until: datetime,
        dispatcher: str,
        gone: Sequence[str],
        limit: int = 1,
    ) -> list[Post]:
        """Hold the oldest posts whose outcome is unknown and whose holder is gone (dead, never
        registered, or out of lease), so that exactly one dispatcher settles each."""
        unsettled = POST.c.status.in_([PostStatus.UNKNOWN.value, PostStatus.SENDING.value])
        # Its lease ran out, or it is held by another dispatcher that is gone (never its own:
        # what this one holds, it is settling or sending right now).
        holder_gone = or_(
            POST.c.lease_until.is_(None),
            POST.c.lease_until <= now,
            POST.c.held_by.is_(None),
            and_(
                POST.c.held_by != dispatcher,
                or_(
                    POST.c.held_by.not_in(sql_select(_DISPATCHER.c.name).scalar_subquery()),
                    *([POST.c.held_by.in_(list(gone))] if gone else []),
                ),
            ),
        )
        post_ids = list(
            self._session.execute(
                sql_select(POST.c.id)
                .where(unsettled, holder_gone)
                .order_by(POST.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not post_ids:
            return []
        rows = self._session.execute(
            update(POST)
            .where(POST.c.id.in_(post_ids), unsettled, holder_gone)
            .values(status=PostStatus.UNKNOWN.value, lease_until=lease_until, held_by=dispatcher)
            .returning(*POST_FIELDS)
        ).all()
        return sorted((converters.post_of(row) for row in rows), key=lambda post: post.id)

    def attempts_started(self, attempts: list[tuple[int, int]]) -> dict[int, datetime]:
        if not attempts:
            return {}
        wanted = set(attempts)
        rows = self._session.execute(
            sql_select(ATTEMPT.c.post_id, ATTEMPT.c.number, ATTEMPT.c.started_at).where(
                ATTEMPT.c.post_id.in_({post_id for post_id, _ in attempts})
            )
        )
        return {
            post_id: started for post_id, number, started in rows if (post_id, number) in wanted
        }

    def mark_published(
        self, post_id: int, attempt: int, channel_post_id: str, published_at: datetime
    ) -> Post | None:
        return self._transition(
            post_id,
            (PostStatus.SENDING, PostStatus.UNKNOWN),
            attempt,
            status=PostStatus.PUBLISHED.value,
            channel_post_id=channel_post_id,
            published_at=published_at,
            failure_reason=None,
            lease_until=None,
        )

    def mark_published_all(
        self, published: list[tuple[int, int, str, datetime]]
    ) -> dict[int, Post]:
        if not published:
            return {}
        if self._dialect != "postgresql":
            # In process, a statement costs next to nothing: one each.
            marked = (self.mark_published(*each) for each in published)
            return {post.id: post for post in marked if post is not None}
        given = sql_values(
            column("v_id", Integer),
            column("v_attempt", Integer),
            column("v_channel_id", String),
            column("v_at", DateTime(timezone=True)),
            name="given",
        ).data(published)
        rows = self._session.execute(
            update(POST)
            .where(
                POST.c.id == given.c.v_id,
                POST.c.attempts == given.c.v_attempt,
                POST.c.status.in_([PostStatus.SENDING.value, PostStatus.UNKNOWN.value]),
            )
            .values(
                status=PostStatus.PUBLISHED.value,
                channel_post_id=given.c.v_channel_id,
                published_at=given.c.v_at,
                failure_reason=None,
                lease_until=None,
            )
            .returning(*POST_FIELDS)
        ).all()
        return {post.id: post for post in map(converters.post_of, rows)}

    def mark_failed(self, post_id: int, attempt: int, reason: str) -> Post | None:
        failed = self._transition(
            post_id,
            (PostStatus.SENDING, PostStatus.UNKNOWN),
            attempt,
            status=PostStatus.FAILED.value,
            failure_reason=reason,
            lease_until=None,
        )
        if failed is not None:
            self._refresh_thread_of_post(failed)
        return failed

    def mark_unknown(
        self, post_id: int, attempt: int, reason: str, lease_until: datetime
    ) -> Post | None:
        return self._transition(
            post_id,
            PostStatus.SENDING,
            attempt,
            status=PostStatus.UNKNOWN.value,
            failure_reason=reason,
            lease_until=lease_until,
        )

    def requeue(
        self, post_id: int, attempt: int, retry_at: datetime | None, reason: str | None
    ) -> Post | None:
        """Put a post that was not published back in the queue, not to be tried before
        `retry_at`; `reason` stays visible meanwhile."""
        return self._transition(
            post_id,
            (PostStatus.SENDING, PostStatus.UNKNOWN),
            attempt,
            status=PostStatus.QUEUED.value,
            retry_at=retry_at,
            failure_reason=reason,
            lease_until=None,
        )

    def unsettled(self, alias_id: int, limit: int) -> list[Post]:
        """Posts not yet public and not abandoned: queued, sending, unknown or failed."""
        rows = self._session.exec(
            select(PostRow)
            .where(
                col(PostRow.alias_id) == alias_id,
                col(PostRow.status).in_(
                    [
                        PostStatus.QUEUED.value,
                        PostStatus.SENDING.value,
                        PostStatus.UNKNOWN.value,
                        PostStatus.FAILED.value,
                    ]
                ),
            )
            # `id + 0`: ordering by the bare id made SQLite walk the alias's whole history down
            # ix_post_alias (120 ms over 170,000 posts) instead of seeking the few unsettled
            # ones by status and sorting those (0.2 ms).
            .order_by((col(PostRow.id) + 0).desc())
            .limit(limit)
        )
        return [converters.post(row) for row in rows]

    def finish_attempt(
        self, post_id: int, number: int, outcome: str, detail: str | None, now: datetime
    ) -> None:
        self._session.execute(
            _FINISH_ATTEMPT,
            {
                "of_post": post_id,
                "of_number": number,
                "to_outcome": outcome,
                "to_detail": detail,
                "at": now,
            },
        )

    def finish_attempts(
        self, finished: list[tuple[int, int, str, str | None]], now: datetime
    ) -> None:
        if not finished:
            return
        self._session.execute(
            _FINISH_ATTEMPT,
            [
                {
                    "of_post": post_id,
                    "of_number": number,
                    "to_outcome": outcome,
                    "to_detail": detail,
                    "at": now,
                }
                for post_id, number, outcome, detail in finished
            ],
        )

    def attempts(self, post_id: int) -> list[PostAttempt]:
        rows = self._session.exec(
            select(PostAttemptRow)
            .where(PostAttemptRow.post_id == post_id)
            .order_by(col(PostAttemptRow.number))
        )
        return [converters.post_attempt(row) for row in rows]
