"""The post and attempt tables as the post repository uses them, and its shared base."""

import functools
from typing import Any

from sqlalchemy import Update, bindparam, update
from sqlmodel import Session, select

from cmconsole.domain.model import Post, PostStatus
from cmconsole.storage import converters
from cmconsole.storage.tables import InboundMessageRow, PostAttemptRow, PostRow
from cmconsole.storage.threads import refresh_thread

# The tables themselves: statements on them skip the ORM's unit of work, which the dispatcher's
# hot path cannot afford (it was nine-tenths of each send).
POST = PostRow.__table__  # type: ignore[attr-defined]
ATTEMPT = PostAttemptRow.__table__  # type: ignore[attr-defined]
POST_FIELDS = [POST.c[name] for name in converters.POST_COLUMNS]


@functools.cache
def _transition_statement(
    states: tuple[str, ...], at_attempt: bool, columns: tuple[str, ...]
) -> Update:
    """UPDATE post SET each of `columns` WHERE id and status (and attempts) match, RETURNING it;
    built once per shape of transition."""
    conditions = [POST.c.id == bindparam("of_post"), POST.c.status.in_(states)]
    if at_attempt:
        conditions.append(POST.c.attempts == bindparam("of_attempt"))
    changes: dict[Any, Any] = {POST.c[name]: bindparam(f"new_{name}") for name in columns}
    return update(POST).where(*conditions).values(changes).returning(*POST_FIELDS)


class PostTable:
    """What every part of the post repository shares: the session, its dialect, and the
    guarded change of a post's state."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name

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
