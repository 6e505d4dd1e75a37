"""The sandbox channel's public square, kept beside the workspace; each call commits alone."""

from datetime import datetime

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from cmconsole.domain.model import PublicPost
from cmconsole.storage import converters
from cmconsole.storage.tables import SandboxPostRow


class SqlSandboxTimeline:
    """Plays an outside service: it shares the database, not the workspace's transactions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        author_handle: str,
        author_name: str,
        text: str,
        in_reply_to: str | None,
        now: datetime,
    ) -> PublicPost:
        with Session(self._engine) as session, session.begin():
            row = SandboxPostRow(
                author_handle=author_handle,
                author_name=author_name,
                text=text,
                in_reply_to=in_reply_to,
                created_at=now,
            )
            session.add(row)
            session.flush()
            return converters.public_post(row)

    def mentions_of(self, handle: str, after: str | None, limit: int) -> list[PublicPost]:
        with Session(self._engine) as session, session.begin():
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
        with Session(self._engine) as session, session.begin():
            rows = session.exec(
                select(SandboxPostRow)
                .where(func.lower(SandboxPostRow.author_handle) == handle.lower())
                .order_by(col(SandboxPostRow.id).desc())
                .limit(limit)
            )
            return [converters.public_post(row) for row in rows]
