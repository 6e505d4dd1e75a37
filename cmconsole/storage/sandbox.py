"""The sandbox channel's public square, kept beside the workspace; each call commits alone."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, func
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from cmconsole.domain.errors import WorkspaceUnavailable
from cmconsole.domain.model import PublicPost
from cmconsole.storage import converters
from cmconsole.storage.tables import SandboxPostRow


class SqlSandboxTimeline:
    """Plays an outside service: it shares the database, not the workspace's transactions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with Session(self._engine) as session, session.begin():
                yield session
        except DBAPIError as error:
            first = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
            raise WorkspaceUnavailable(f"the sandbox's database failed: {first}") from None

    def add(
        self,
        author_handle: str,
        author_name: str,
        text: str,
        in_reply_to: str | None,
        now: datetime,
        idempotency_key: str | None = None,
    ) -> PublicPost:
        with self._session() as session:
            row = SandboxPostRow(
                author_handle=author_handle,
                author_name=author_name,
                text=text,
                in_reply_to=in_reply_to,
                created_at=now,
                idempotency_key=idempotency_key,
            )
            session.add(row)
            session.flush()
            return converters.public_post(row)

    def mentions_of(self, handle: str, after: str | None, limit: int) -> list[PublicPost]:
        with self._session() as session:
            rows = session.exec(
                select(SandboxPostRow)
                .where(
                    func.lower(SandboxPostRow.text).contains(handle.lower()),
                    func.lower(SandboxPostRow.author_handle) != handle.lower(),
                    col(SandboxPostRow.id) > int(after or 0),
                )
                .order_by(col(SandboxPostRow.id))
                .limit(limit)
            )
            return [converters.public_post(row) for row in rows]

    def by_author(self, handle: str, limit: int) -> list[PublicPost]:
        with self._session() as session:
            rows = session.exec(
                select(SandboxPostRow)
                .where(func.lower(SandboxPostRow.author_handle) == handle.lower())
                .order_by(col(SandboxPostRow.id).desc())
                .limit(limit)
            )
            return [converters.public_post(row) for row in rows]

    def by_author_since(
        self, handle: str, since: datetime, before: str | None, limit: int
    ) -> list[PublicPost]:
        query = select(SandboxPostRow).where(
            func.lower(SandboxPostRow.author_handle) == handle.lower(),
            col(SandboxPostRow.created_at) >= since,
        )
        if before is not None:
            query = query.where(col(SandboxPostRow.id) < int(before))
        with self._session() as session:
            rows = session.exec(query.order_by(col(SandboxPostRow.id).desc()).limit(limit))
            return [converters.public_post(row) for row in rows]

    def by_key(self, handle: str, idempotency_key: str, since: datetime) -> PublicPost | None:
        with self._session() as session:
            row = session.exec(
                select(SandboxPostRow).where(
                    SandboxPostRow.idempotency_key == idempotency_key,
                    func.lower(SandboxPostRow.author_handle) == handle.lower(),
                    col(SandboxPostRow.created_at) >= since,
                )
            ).first()
            return converters.public_post(row) if row is not None else None
