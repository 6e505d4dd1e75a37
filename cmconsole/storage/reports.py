"""The rows a report is counted from: one alias over a period, read in a few bare queries."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    and_,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from cmconsole.domain.model import PostStatus
from cmconsole.storage.published import _published_filters
from cmconsole.storage.report_tables import AliasHoursRow
from cmconsole.storage.tables import (
    ContactThreadRow,
    InboundMessageRow,
    OperatorRow,
    PostRow,
    ShiftRow,
)

_INBOUND = InboundMessageRow.__table__  # type: ignore[attr-defined]
_POST = PostRow.__table__  # type: ignore[attr-defined]
_THREAD = ContactThreadRow.__table__  # type: ignore[attr-defined]
_SHIFT = ShiftRow.__table__  # type: ignore[attr-defined]
_HOURS = AliasHoursRow.__table__  # type: ignore[attr-defined]
_OPERATOR = OperatorRow.__table__  # type: ignore[attr-defined]
_REPLIED = _INBOUND.alias("replied")
_PUBLISHED = PostStatus.PUBLISHED.value


def _from_text(value: str) -> datetime:
    # SQLite keeps UTC as naive text, almost always in the one format SQLAlchemy writes.
    if len(value) == 26 and value[-1].isdigit():
        return datetime.fromisoformat(value + "+00:00")
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)


def _from_driver(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _moments(dialect: str) -> tuple[Callable[[Any], ColumnElement[Any]], Callable[[Any], Any]]:
    """How to read a timestamp column in bulk, and make the UTC datetime of what was read.

    The UTC column type costs more per row than the query itself over a report's tens of
    thousands of rows: its rows are read raw (text on SQLite, the driver's datetime on
    PostgreSQL) and made UTC here, to the same instant and the same `UTC` tzinfo.
    """
    if dialect == "sqlite":
        return (lambda column: type_coerce(column, String)), _from_text
    return (lambda column: type_coerce(column, DateTime(timezone=True))), _from_driver


class SqlReports:
    """Reads for reports, and each alias's business hours and reply-time target."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._raw, self._utc = _moments(session.get_bind().dialect.name)

    def hours(self, alias_id: int) -> tuple[str, int | None]:
        """The alias's business hours as written, and its target in minutes ('' and None: none
        set: always staffed, no target)."""
        found = self._session.execute(
            select(_HOURS.c.business_hours, _HOURS.c.sla_minutes).where(
                _HOURS.c.alias_id == alias_id
            )
        ).first()
        return (found[0], found[1]) if found else ("", None)

    def set_hours(self, alias_id: int, business_hours: str, sla_minutes: int | None) -> None:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {"business_hours": business_hours, "sla_minutes": sla_minutes}
        self._session.execute(
            insert(_HOURS)
            .values(alias_id=alias_id, **values)
            .on_conflict_do_update(index_elements=["alias_id"], set_=values)
        )

    def messages(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, str, datetime]]:
        """(id, contact handle, received at) of the messages received in [start, end), by id."""
        rows = self._session.execute(
            select(_INBOUND.c.id, _INBOUND.c.author_handle, self._raw(_INBOUND.c.received_at))
            .where(
                _INBOUND.c.alias_id == alias_id,
                _INBOUND.c.received_at >= start,
                _INBOUND.c.received_at < end,
            )
            .order_by(_INBOUND.c.id)
        )
        utc = self._utc
        return [(row[0], row[1], utc(row[2])) for row in rows]

    def replies(
        self, alias_id: int, start: datetime, end: datetime
    ) -> tuple[list[tuple[int, int, str, datetime]], list[tuple[int, datetime, str]]]:
        """Every reply published in [start, end) (posts that answer nobody are left out), in
        time order, twice: as (author id, message answered, its contact, published at) and as
        (author id, published at, text). One read: the same posts, each row made once."""
        rows = self._session.execute(
            select(
                _POST.c.author_id,
                _POST.c.in_reply_to_id,
                _REPLIED.c.author_handle,
                self._raw(_POST.c.published_at),
                _POST.c.text,
            )
            .select_from(_POST)
            .join(_REPLIED, _REPLIED.c.id == _POST.c.in_reply_to_id)
            .where(
                _POST.c.alias_id == alias_id,
                _POST.c.status == _PUBLISHED,
                _POST.c.published_at >= start,
                _POST.c.published_at < end,
            )
            .order_by(_POST.c.published_at, _POST.c.id)
        )
        utc = self._utc
        replies, texts = [], []
        for author, answered, contact, raw, text in rows:
            at = utc(raw)
            replies.append((author, answered, contact, at))
            texts.append((author, at, text))
        return replies, texts

    def history(self, alias_id: int, limit: int) -> list[str]:
        """The texts of the alias's `limit` newest published posts, newest first: the posts
        `published` pages through, without the rest of each post."""
        dialect = self._session.get_bind().dialect.name
        rows = self._session.execute(
            select(_POST.c.text)
            .select_from(_POST)
            .join(_OPERATOR, _OPERATOR.c.id == _POST.c.author_id)
            .where(*_published_filters(dialect, literal(alias_id), None, None, None, None))
            .order_by(_POST.c.published_at.desc(), _POST.c.id.desc())
            .limit(limit)
        )
        return [row[0] for row in rows]

    def closes(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[str, int | None, datetime, int | None]]:
        """(contact, closed by, closed at, up to which message) of the threads closed without a
        reply in [start, end), as each thread's newest closing records it."""
        rows = self._session.execute(
            select(
                _THREAD.c.contact_handle,
                _THREAD.c.closed_by,
                _THREAD.c.closed_at,
                _THREAD.c.closed_upto,
            ).where(
                _THREAD.c.alias_id == alias_id,
                _THREAD.c.closed_at >= start,
                _THREAD.c.closed_at < end,
            )
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def reviewed(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, str, datetime, str]]:
        """(author id, status, created at, overrides as stored) of the posts written in
        [start, end) that a reviewer sent back or that passed a guide warning on purpose."""
        rows = self._session.execute(
            select(_POST.c.author_id, _POST.c.status, _POST.c.created_at, _POST.c.overrides).where(
                _POST.c.alias_id == alias_id,
                _POST.c.created_at >= start,
                _POST.c.created_at < end,
                or_(_POST.c.status == PostStatus.REJECTED.value, _POST.c.overrides != "{}"),
            )
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def shifts(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, int, datetime, datetime | None]]:
        """(id, operator id, started at, ended at) of the shifts on the alias that overlap
        [start, end), oldest first."""
        rows = self._session.execute(
            select(_SHIFT.c.id, _SHIFT.c.operator_id, _SHIFT.c.started_at, _SHIFT.c.ended_at)
            .where(
                _SHIFT.c.alias_id == alias_id,
                _SHIFT.c.started_at < end,
                or_(_SHIFT.c.ended_at.is_(None), and_(_SHIFT.c.ended_at >= start)),
            )
            .order_by(_SHIFT.c.started_at, _SHIFT.c.id)
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]
