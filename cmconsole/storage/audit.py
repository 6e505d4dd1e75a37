"""The audit repository: appends events to the hash chain under a lock, and reads them back."""

import json
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any, cast

import psycopg
from sqlalchemy import func, insert, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from cmconsole.domain.audit_chain import (
    GENESIS_HASH,
    SEPARATOR,
    canonical_details,
    record,
    record_hash,
    stamp,
)
from cmconsole.domain.model import AuditEntry, AuditEvent
from cmconsole.services.ports import AuditDraft, StoredEvent
from cmconsole.storage import converters
from cmconsole.storage.content import driver_failed, every_stamp, hashing_start, stamps_of
from cmconsole.storage.tables import AliasRow, AuditEventRow, OperatorRow, PostRow

# Any constant will do: it names the lock that serialises appends to the chain on PostgreSQL.
_CHAIN_LOCK = 0x636D_6175_6469_74


# The table itself: appends skip the ORM's unit of work (they are on every write path).
_AUDIT = AuditEventRow.__table__  # type: ignore[attr-defined]

# Every event as stored, in chain order (the order and text `record` joins), for verification.
_WALK = (
    "SELECT seq, occurred_at, kind, actor_id, alias_id, subject, details, content_ref, content, "
    "prev_hash, hash FROM audit_event ORDER BY seq"
)
_WALK_BATCH = 5000
_STREAM_BATCH = 2000


def _post_id(subject: str) -> int | None:
    """The post an event is about (`post 12`), if it is about one."""
    kind, _, number = subject.partition(" ")
    return int(number) if kind == "post" and number.isascii() and number.isdigit() else None


class SqlAudit:
    def __init__(
        self, session: Session, changed: Callable[[int | None], None] = lambda _alias: None
    ) -> None:
        self._session = session
        # Every audited change is a change of what some desk shows: the desk's counter hears it.
        self._changed = changed

    def append(self, draft: AuditDraft, now: datetime) -> AuditEvent:
        return self.append_all([draft], now)[0]

    def append_all(self, drafts: list[AuditDraft], now: datetime) -> list[AuditEvent]:
        if not drafts:
            return []
        if self._session.get_bind().dialect.name == "postgresql":
            # Held until commit: concurrent writers on many machines still form one chain.
            self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
        head = self._session.execute(
            select(_AUDIT.c.seq, _AUDIT.c.hash).order_by(_AUDIT.c.seq.desc()).limit(1)
        ).first()
        seq, prev_hash = (head[0], head[1]) if head else (0, GENESIS_HASH)
        stamped = stamp(now)
        stamps = stamps_of(self._session, [d.content for d in drafts if d.content is not None])
        events: list[AuditEvent] = []
        rows: list[dict[str, object]] = []
        for draft in drafts:
            seq += 1
            subject = draft.subject.replace(SEPARATOR, " ")
            # Round-trip the details through JSON so that the hash covers exactly what is stored.
            details = canonical_details(json.loads(json.dumps(draft.details, default=str)))
            content = None if draft.content is None else stamps[draft.content]
            digest = record_hash(
                record(
                    seq,
                    stamped,
                    draft.kind,
                    draft.actor_id,
                    draft.alias_id,
                    subject,
                    details,
                    prev_hash,
                    draft.content,
                    content,
                )
            )
            events.append(
                AuditEvent(
                    seq,
                    datetime.fromisoformat(stamped),
                    draft.kind,
                    draft.actor_id,
                    draft.alias_id,
                    subject,
                    json.loads(details),
                    prev_hash,
                    digest,
                )
            )
            rows.append(
                {
                    "seq": seq,
                    "occurred_at": stamped,
                    "kind": draft.kind,
                    "actor_id": draft.actor_id,
                    "alias_id": draft.alias_id,
                    "subject": subject,
                    "details": details,
                    "prev_hash": prev_hash,
                    "hash": digest,
                    "content_ref": draft.content,
                    "content": content,
                }
            )
            prev_hash = digest
        self._session.execute(insert(_AUDIT), rows)
        for draft in drafts:
            self._changed(draft.alias_id)
        return events

    def recent(
        self,
        alias_id: int | None,
        limit: int,
        actor_id: int | None = None,
        leave_out: frozenset[str] = frozenset(),
        after_seq: int | None = None,
    ) -> list[AuditEntry]:
        query = _entries(alias_id, actor_id, None, None).order_by(col(AuditEventRow.seq).desc())
        if after_seq is not None:
            query = query.where(col(AuditEventRow.seq) > after_seq)
        if leave_out:
            query = query.where(col(AuditEventRow.kind).not_in(leave_out))
        # Columns only, no ORM objects: a page of them cost more than the query (the desk reads
        # it on every change).
        flat = query.with_only_columns(
            _AUDIT, col(OperatorRow.name).label("actor"), col(AliasRow.handle).label("handle")
        )
        rows = self._session.execute(flat.limit(limit))
        return self._with_texts((cast(AuditEventRow, r), r.actor, r.handle) for r in rows)

    def recent_readable(
        self, reader_id: int, alias_ids: frozenset[int], team_ids: frozenset[int], limit: int
    ) -> list[AuditEntry]:
        actor, alias = col(AuditEventRow.actor_id), col(AuditEventRow.alias_id)
        workspace_wide = alias.is_(None) & (actor.is_(None) | actor.in_(team_ids))
        query = (
            _entries(None, None, None, None)
            .where((actor == reader_id) | alias.in_(alias_ids) | workspace_wide)
            .order_by(col(AuditEventRow.seq).desc())
        )
        return self._with_texts(self._session.exec(query.limit(limit)))

    def of_kinds(
        self, alias_id: int, kinds: frozenset[str], since: datetime | None, limit: int
    ) -> list[AuditEntry]:
        """The alias's newest events of these kinds, newest first, after `since` if given."""
        rows: list[Any] = []
        # One read per kind, each walking ix_audit_alias_kind backwards: with `kind IN (...)`
        # the planner walked the alias's whole history instead, to spare itself a sort.
        for kind in sorted(kinds):
            query = _entries(alias_id, None, None, None).where(col(AuditEventRow.kind) == kind)
            if since is not None:
                query = query.where(col(AuditEventRow.occurred_at) > stamp(since))
            query = query.order_by(col(AuditEventRow.seq).desc()).limit(limit)
            rows.extend(self._session.exec(query))
        rows.sort(key=lambda row: row[0].seq, reverse=True)
        return self._with_texts(rows[:limit])

    def for_subject(self, subject: str) -> list[AuditEntry]:
        query = _entries(None, None, None, None).where(AuditEventRow.subject == subject)
        return self._with_texts(self._session.exec(query.order_by(col(AuditEventRow.seq))))

    def stream(
        self,
        alias_id: int | None,
        actor_id: int | None,
        since: datetime | None,
        until: datetime | None,
    ) -> Iterator[AuditEntry]:
        query = _entries(alias_id, actor_id, since, until).order_by(col(AuditEventRow.seq))
        rows = iter(self._session.exec(query.execution_options(yield_per=_STREAM_BATCH)))
        while batch := list(islice(rows, _STREAM_BATCH)):
            yield from self._with_texts(batch)

    def _with_texts(
        self, rows: Iterable[tuple[AuditEventRow, str | None, str | None]]
    ) -> list[AuditEntry]:
        """The entries, each with the text of the post it is about as the post row holds it now
        (the ledger holds no post's text, so that it can be erased): one read for them all."""
        events = [(converters.audit_event(row), name, handle) for row, name, handle in rows]
        about = [_post_id(event.subject) for event, _, _ in events]
        wanted = {post_id for post_id in about if post_id is not None}
        texts: dict[int | None, str] = {}
        if wanted:
            found = select(PostRow.id, PostRow.text).where(col(PostRow.id).in_(wanted))
            texts.update((post_id, text) for post_id, text in self._session.execute(found))
        return [
            AuditEntry(event, name, handle, texts.get(post_id))
            for (event, name, handle), post_id in zip(events, about, strict=True)
        ]

    def count(self) -> int:
        return self._session.exec(select(func.count()).select_from(AuditEventRow)).one()

    def stamps(self) -> Iterator[tuple[str, int, str]]:
        return every_stamp(self._session)

    def stamp_check(self, subject: str, ref: str) -> tuple[str, str] | None:
        """The newest stamp of `ref` among the subject's events, and the row's stamp now."""
        recorded = self._session.execute(
            select(_AUDIT.c.content)
            .where(_AUDIT.c.subject == subject, _AUDIT.c.content_ref == ref)
            .order_by(_AUDIT.c.seq.desc())
            .limit(1)
        ).scalar()
        if recorded is None:
            return None
        return recorded, stamps_of(self._session, [ref])[ref]

    def hashing_start(self) -> dict[str, int]:
        return hashing_start(self._session)

    def walk(self) -> Generator[StoredEvent, None, None]:
        # The driver's own cursor on the session's connection (and so inside its transaction):
        # the driver's plain tuples, without SQLAlchemy's result and Row objects around them (a
        # sixth of the time of a million-event verification).
        connection = self._session.connection()
        driver: Any = connection.connection.driver_connection  # sqlite3's or psycopg's
        if connection.dialect.name == "postgresql":
            # A server-side cursor fetches a batch at a time: constant memory at any length.
            cursor = driver.cursor(name="audit_walk")
            cursor.itersize = _WALK_BATCH
        else:
            cursor = driver.cursor()  # sqlite3 steps through the rows as they are asked for
        try:
            cursor.execute(_WALK)
            yield from cursor
        except (sqlite3.Error, psycopg.Error) as error:
            # The driver's own errors: SQLAlchemy, which names them for every other read, is
            # not between this cursor and the database (a damaged file, a dropped connection).
            raise driver_failed(error, "reading the audit") from None
        finally:
            cursor.close()


def _entries(
    alias_id: int | None,
    actor_id: int | None,
    since: datetime | None,
    until: datetime | None,
) -> Select[AuditEventRow, str | None, str | None]:
    query = (
        select(AuditEventRow, OperatorRow.name, AliasRow.handle)
        .outerjoin(OperatorRow, col(OperatorRow.id) == AuditEventRow.actor_id)
        .outerjoin(AliasRow, col(AliasRow.id) == AuditEventRow.alias_id)
    )
    if alias_id is not None:
        query = query.where(AuditEventRow.alias_id == alias_id)
    if actor_id is not None:
        query = query.where(AuditEventRow.actor_id == actor_id)
    if since is not None:
        query = query.where(col(AuditEventRow.occurred_at) >= stamp(since))
    if until is not None:
        query = query.where(col(AuditEventRow.occurred_at) < stamp(until))
    return query
