"""Repositories for what is said: messages from the public and the alias's posts (the outbox)."""

import functools
import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    Update,
    and_,
    bindparam,
    column,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    table,
    update,
)
from sqlalchemy import (
    select as sql_select,
)
from sqlalchemy import (
    values as sql_values,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cmconsole.domain.model import InboundMessage, Post, PostAttempt, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.tables import (
    DispatcherRow,
    InboundMessageRow,
    OperatorRow,
    PostAttemptRow,
    PostRow,
)
from cmconsole.storage.threads import NOT_LIVE, refresh_thread

_ANSWERED = exists().where(
    col(PostRow.in_reply_to_id) == InboundMessageRow.id,
    col(PostRow.status).not_in(NOT_LIVE),
)


class SqlInbound:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_if_new(
        self,
        alias_id: int,
        channel_message_id: str,
        author_handle: str,
        text: str,
        received_at: datetime,
    ) -> bool:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(InboundMessageRow)
            .values(
                alias_id=alias_id,
                channel_message_id=channel_message_id,
                author_handle=author_handle,
                text=text,
                received_at=received_at,
            )
            .on_conflict_do_nothing(index_elements=["alias_id", "channel_message_id"])
        )
        added = bool(self._session.execute(statement).rowcount)  # type: ignore[attr-defined]
        if added:
            refresh_thread(self._session, alias_id, author_handle)
        return added

    def by_id(self, inbound_id: int) -> InboundMessage | None:
        found = self._session.exec(
            select(InboundMessageRow, _ANSWERED.label("answered")).where(
                InboundMessageRow.id == inbound_id
            )
        ).first()
        return converters.inbound(found[0], found[1]) if found else None

    def channel_ids(self, inbound_ids: set[int]) -> dict[int, str]:
        if not inbound_ids:
            return {}
        rows = self._session.execute(
            select(InboundMessageRow.id, InboundMessageRow.channel_message_id).where(
                col(InboundMessageRow.id).in_(inbound_ids)
            )
        )
        return {inbound_id: channel_id for inbound_id, channel_id in rows}

    def page(self, alias_id: int, limit: int) -> list[InboundMessage]:
        rows = self._session.exec(
            select(InboundMessageRow, _ANSWERED.label("answered"))
            .where(InboundMessageRow.alias_id == alias_id)
            .order_by(col(InboundMessageRow.received_at).desc(), col(InboundMessageRow.id).desc())
            .limit(limit)
        )
        return [converters.inbound(row, answered) for row, answered in rows]

    def unanswered(self, alias_id: int, limit: int) -> list[InboundMessage]:
        rows = self._session.exec(
            select(InboundMessageRow)
            .where(InboundMessageRow.alias_id == alias_id, ~_ANSWERED)
            .order_by(col(InboundMessageRow.received_at), col(InboundMessageRow.id))
            .limit(limit)
        )
        return [converters.inbound(row, False) for row in rows]


# The tables themselves: statements on them skip the ORM's unit of work, which the dispatcher's
# hot path cannot afford (it was nine-tenths of each send).
_POST = PostRow.__table__  # type: ignore[attr-defined]
_ATTEMPT = PostAttemptRow.__table__  # type: ignore[attr-defined]
_DISPATCHER = DispatcherRow.__table__  # type: ignore[attr-defined]
_POST_FIELDS = [_POST.c[name] for name in converters.POST_COLUMNS]
# The dispatcher's writes, built once: building a statement costs more than running it.
_FINISH_ATTEMPT = (
    update(_ATTEMPT)
    .where(_ATTEMPT.c.post_id == bindparam("of_post"), _ATTEMPT.c.number == bindparam("of_number"))
    .values(
        outcome=bindparam("to_outcome"), detail=bindparam("to_detail"), finished_at=bindparam("at")
    )
)


@functools.cache
def _transition_statement(
    states: tuple[str, ...], at_attempt: bool, columns: tuple[str, ...]
) -> Update:
    """UPDATE post SET each of `columns` WHERE id and status (and attempts) match, RETURNING it;
    built once per shape of transition."""
    conditions = [_POST.c.id == bindparam("of_post"), _POST.c.status.in_(states)]
    if at_attempt:
        conditions.append(_POST.c.attempts == bindparam("of_attempt"))
    changes: dict[Any, Any] = {_POST.c[name]: bindparam(f"new_{name}") for name in columns}
    return update(_POST).where(*conditions).values(changes).returning(*_POST_FIELDS)


_OPERATOR = OperatorRow.__table__  # type: ignore[attr-defined]
_INBOUND = InboundMessageRow.__table__  # type: ignore[attr-defined]
_AUTHOR, _APPROVER = _OPERATOR.alias("author"), _OPERATOR.alias("approver")
_REPLIED = _INBOUND.alias("replied")


class SqlPosts:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

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
    ) -> Post:
        row = PostRow(
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
        # On the bare tables (mapping a page of ORM objects cost more than the query itself),
        # with a statement built once per kind of selection.
        statement = _page_statement(
            self._dialect,
            author_id is not None,
            since is not None,
            until is not None,
            bool(text),
            after is not None,
        )
        at, before_id = after if after is not None else (None, None)
        parameters = {
            "p_alias": alias_id,
            "p_author": author_id,
            "p_since": since,
            "p_until": until,
            "p_text": _searched(text, self._dialect) if text else None,
            "p_at": at,
            "p_before": before_id,
            "p_limit": limit,
        }
        width = len(_POST_FIELDS)
        return [
            (converters.post_of(row[:width]), *row[width:])
            for row in self._session.execute(statement, parameters)
        ]

    def speaker_stats(
        self,
        alias_id: int,
        author_id: int | None,
        since: datetime | None,
        until: datetime | None,
        text: str | None,
    ) -> list[tuple[str, int, float | None]]:
        published, received = col(PostRow.published_at), col(InboundMessageRow.received_at)
        waited: ColumnElement[Any]
        if self._dialect == "postgresql":
            waited = func.extract("epoch", published - received)
        else:
            waited = (func.julianday(published) - func.julianday(received)) * 86_400
        count = func.count(col(PostRow.id))
        query = (
            select(OperatorRow.name, count, func.avg(waited))
            .select_from(PostRow)
            .join(OperatorRow, col(OperatorRow.id) == PostRow.author_id)
            .outerjoin(InboundMessageRow, col(InboundMessageRow.id) == PostRow.in_reply_to_id)
            .where(*_published(alias_id, author_id, since, until, text, self._dialect))
            .group_by(OperatorRow.name)
            .order_by(count.desc(), OperatorRow.name)
        )
        return [
            (name, posts, None if average is None else float(average))
            for name, posts, average in self._session.exec(query)
        ]

    def approve(
        self, post_id: int, approver_id: int, text: str | None = None, comment: str | None = None
    ) -> bool:
        changes: dict[str, object] = {"status": PostStatus.QUEUED.value, "approver_id": approver_id}
        if text is not None:
            changes.update(text=text, review_comment=comment)
        approved = self._transition(post_id, PostStatus.AWAITING_APPROVAL, None, **changes)
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

    def take_due(
        self, now: datetime, lease_until: datetime, limit: int, dispatcher: str
    ) -> list[Post]:
        # SKIP LOCKED lets several dispatchers share a PostgreSQL outbox; on SQLite the
        # IMMEDIATE transaction already serialises them. The conditional update is the guard.
        post_ids = list(
            self._session.exec(
                select(PostRow.id)
                .where(
                    PostRow.status == PostStatus.QUEUED.value,
                    (col(PostRow.retry_at).is_(None)) | (col(PostRow.retry_at) <= now),
                )
                .order_by(col(PostRow.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not post_ids:
            return []
        rows = self._session.execute(
            update(_POST)
            .where(_POST.c.id.in_(post_ids), _POST.c.status == PostStatus.QUEUED.value)
            .values(
                status=PostStatus.SENDING.value,
                attempts=_POST.c.attempts + 1,
                lease_until=lease_until,
                retry_at=None,
                held_by=dispatcher,
            )
            .returning(*_POST_FIELDS)
        ).all()
        taken = sorted((converters.post_of(row) for row in rows), key=lambda post: post.id)
        if taken:
            self._session.execute(
                insert(_ATTEMPT),
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
                update(_POST)
                .where(
                    _POST.c.id == post.id,
                    _POST.c.status == PostStatus.SENDING.value,
                    _POST.c.attempts == post.attempts,
                )
                .values(
                    status=PostStatus.QUEUED.value,
                    attempts=_POST.c.attempts - 1,
                    lease_until=None,
                    retry_at=retry_at,
                    failure_reason=reason if reason is not None else _POST.c.failure_reason,
                )
                .returning(*_POST_FIELDS)
            ).first()
            if returned is not None:
                self._session.execute(
                    delete(_ATTEMPT).where(
                        _ATTEMPT.c.post_id == post.id, _ATTEMPT.c.number == post.attempts
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
        unsettled = _POST.c.status.in_([PostStatus.UNKNOWN.value, PostStatus.SENDING.value])
        # Its lease ran out, or it is held by another dispatcher that is gone (never its own:
        # what this one holds, it is settling or sending right now).
        holder_gone = or_(
            _POST.c.lease_until.is_(None),
            _POST.c.lease_until <= now,
            _POST.c.held_by.is_(None),
            and_(
                _POST.c.held_by != dispatcher,
                or_(
                    _POST.c.held_by.not_in(sql_select(_DISPATCHER.c.name).scalar_subquery()),
                    *([_POST.c.held_by.in_(list(gone))] if gone else []),
                ),
            ),
        )
        post_ids = list(
            self._session.execute(
                sql_select(_POST.c.id)
                .where(unsettled, holder_gone)
                .order_by(_POST.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not post_ids:
            return []
        rows = self._session.execute(
            update(_POST)
            .where(_POST.c.id.in_(post_ids), unsettled, holder_gone)
            .values(status=PostStatus.UNKNOWN.value, lease_until=lease_until, held_by=dispatcher)
            .returning(*_POST_FIELDS)
        ).all()
        return sorted((converters.post_of(row) for row in rows), key=lambda post: post.id)

    def attempts_started(self, attempts: list[tuple[int, int]]) -> dict[int, datetime]:
        if not attempts:
            return {}
        wanted = set(attempts)
        rows = self._session.execute(
            sql_select(_ATTEMPT.c.post_id, _ATTEMPT.c.number, _ATTEMPT.c.started_at).where(
                _ATTEMPT.c.post_id.in_({post_id for post_id, _ in attempts})
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
            update(_POST)
            .where(
                _POST.c.id == given.c.v_id,
                _POST.c.attempts == given.c.v_attempt,
                _POST.c.status.in_([PostStatus.SENDING.value, PostStatus.UNKNOWN.value]),
            )
            .values(
                status=PostStatus.PUBLISHED.value,
                channel_post_id=given.c.v_channel_id,
                published_at=given.c.v_at,
                failure_reason=None,
                lease_until=None,
            )
            .returning(*_POST_FIELDS)
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
            .order_by(col(PostRow.id).desc())
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

    def _transition(
        self,
        post_id: int,
        expected: PostStatus | tuple[PostStatus, ...],
        attempt: int | None = None,
        **values: object,
    ) -> Post | None:
        """Change a post only if it is still in an expected state (never read-then-write), and,
        given an `attempt`, still at that attempt: a dispatcher acts only on the send it made,
        never on one another dispatcher took after it. Return the post as changed; None if not."""
        states = (expected,) if isinstance(expected, PostStatus) else expected
        statement = _transition_statement(
            tuple(state.value for state in states), attempt is not None, tuple(values)
        )
        parameters = {f"new_{name}": value for name, value in values.items()}
        row = self._session.execute(
            statement, {"of_post": post_id, "of_attempt": attempt, **parameters}
        ).first()
        return converters.post_of(row) if row is not None else None

    def _refresh_thread_of_post(self, post: Post) -> None:
        if post.in_reply_to_id is not None:
            self._refresh_thread_of(post.in_reply_to_id)

    def _refresh_thread_of(self, inbound_id: int) -> None:
        found = self._session.exec(
            select(InboundMessageRow.alias_id, InboundMessageRow.author_handle).where(
                InboundMessageRow.id == inbound_id
            )
        ).first()
        if found is not None:
            refresh_thread(self._session, found[0], found[1])


def _published(
    alias_id: int,
    author_id: int | None,
    since: datetime | None,
    until: datetime | None,
    text: str | None,
    dialect: str,
) -> list[ColumnElement[bool]]:
    """What "published under this alias, by whom, when, saying what" means in SQL."""
    return _published_filters(
        dialect,
        bindparam("p_alias", alias_id),
        bindparam("p_author", author_id) if author_id is not None else None,
        bindparam("p_since", since) if since is not None else None,
        bindparam("p_until", until) if until is not None else None,
        bindparam("p_text", _searched(text, dialect)) if text else None,
    )


def _published_filters(
    dialect: str,
    alias: ColumnElement[Any],
    author: ColumnElement[Any] | None,
    since: ColumnElement[Any] | None,
    until: ColumnElement[Any] | None,
    searched: ColumnElement[Any] | None,
) -> list[ColumnElement[bool]]:
    filters = [
        _POST.c.alias_id == alias,
        _POST.c.status == PostStatus.PUBLISHED.value,
        # Always set once published; said, so that a page can always be continued from its time.
        _POST.c.published_at.is_not(None),
    ]
    if author is not None:
        filters.append(_POST.c.author_id == author)
    if since is not None:
        filters.append(_POST.c.published_at >= since)
    if until is not None:
        filters.append(_POST.c.published_at < until)
    if searched is not None:
        filters.append(_matches(searched, dialect))
    return filters


@functools.cache
def _page_statement(
    dialect: str, by_author: bool, since: bool, until: bool, text: bool, after: bool
) -> Select[Any]:
    """A page of published posts with their author, approver and the time of the message they
    answer, newest first; its values bound as p_alias, p_author, p_since, p_until, p_text,
    p_at and p_before (the last post of the page before), p_limit."""
    filters = _published_filters(
        dialect,
        bindparam("p_alias"),
        bindparam("p_author") if by_author else None,
        bindparam("p_since") if since else None,
        bindparam("p_until") if until else None,
        bindparam("p_text") if text else None,
    )
    if after:
        # Older than the last post shown (same time: smaller id). The first condition alone
        # lets the index on the time do the work.
        at: ColumnElement[Any] = bindparam("p_at")
        filters.append(_POST.c.published_at <= at)
        filters.append((_POST.c.published_at < at) | (_POST.c.id < bindparam("p_before")))
    return (
        sql_select(*_POST_FIELDS, _AUTHOR.c.name, _APPROVER.c.name, _REPLIED.c.received_at)
        .select_from(_POST)
        .join(_AUTHOR, _AUTHOR.c.id == _POST.c.author_id)
        .outerjoin(_APPROVER, _APPROVER.c.id == _POST.c.approver_id)
        .outerjoin(_REPLIED, _REPLIED.c.id == _POST.c.in_reply_to_id)
        .where(*filters)
        .order_by(_POST.c.published_at.desc(), _POST.c.id.desc())
        .limit(bindparam("p_limit", type_=Integer))
    )


def _searched(text: str, dialect: str) -> str:
    """What is given to the full-text index for `text`."""
    if dialect == "postgresql":
        return text
    # Each word quoted, so that what people type is never read as FTS5 query syntax.
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split())


def _matches(searched: ColumnElement[Any], dialect: str) -> ColumnElement[bool]:
    """Posts whose words include every word searched, through the full-text index."""
    if dialect == "postgresql":
        # The configuration is a literal, never a bound parameter: once psycopg prepares the
        # statement, PostgreSQL's generic plan would no longer match the expression index.
        simple: ColumnElement[Any] = literal_column("'simple'::regconfig")
        return func.to_tsvector(simple, col(PostRow.text)).bool_op("@@")(
            func.plainto_tsquery(simple, searched)
        )
    matching: Select[Any] = (
        sql_select(literal_column("rowid"))
        .select_from(table("post_text"))
        .where(literal_column("post_text").op("MATCH")(searched))
    )
    return col(PostRow.id).in_(matching)
