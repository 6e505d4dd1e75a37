"""Reading what an alias published: pages of posts, searched, and who spoke."""

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, literal_column, table
from sqlalchemy import select as sql_select
from sqlmodel import col, select

from cmconsole.domain.model import Post, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.post_table import POST, POST_FIELDS, PostTable
from cmconsole.storage.tables import InboundMessageRow, OperatorRow, PostRow

_OPERATOR = OperatorRow.__table__  # type: ignore[attr-defined]
_INBOUND = InboundMessageRow.__table__  # type: ignore[attr-defined]
_AUTHOR, _APPROVER = _OPERATOR.alias("author"), _OPERATOR.alias("approver")
_REPLIED = _INBOUND.alias("replied")


class SqlPublished(PostTable):
    """What was published under an alias, page by page, and who spoke how often."""

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
        width = len(POST_FIELDS)
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
        POST.c.alias_id == alias,
        POST.c.status == PostStatus.PUBLISHED.value,
        # Always set once published; said, so that a page can always be continued from its time.
        POST.c.published_at.is_not(None),
    ]
    if author is not None:
        filters.append(POST.c.author_id == author)
    if since is not None:
        filters.append(POST.c.published_at >= since)
    if until is not None:
        filters.append(POST.c.published_at < until)
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
        filters.append(POST.c.published_at <= at)
        filters.append((POST.c.published_at < at) | (POST.c.id < bindparam("p_before")))
    return (
        sql_select(*POST_FIELDS, _AUTHOR.c.name, _APPROVER.c.name, _REPLIED.c.received_at)
        .select_from(POST)
        .join(_AUTHOR, _AUTHOR.c.id == POST.c.author_id)
        .outerjoin(_APPROVER, _APPROVER.c.id == POST.c.approver_id)
        .outerjoin(_REPLIED, _REPLIED.c.id == POST.c.in_reply_to_id)
        .where(*filters)
        .order_by(POST.c.published_at.desc(), POST.c.id.desc())
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
