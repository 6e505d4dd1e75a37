"""Repository of each alias's saved replies."""

from datetime import datetime

from sqlmodel import Session, col, delete, select

from cmconsole.domain.model import SavedReply
from cmconsole.storage import converters
from cmconsole.storage.tables import SavedReplyRow


class SqlSavedReplies:
    def __init__(self, session: Session) -> None:
        self._session = session

    def put(
        self, alias_id: int, name: str, text: str, created_by: int | None, now: datetime
    ) -> SavedReply:
        """Save a reply under `name`, replacing the alias's reply of that name if any."""
        row = self._session.exec(
            select(SavedReplyRow).where(
                SavedReplyRow.alias_id == alias_id, SavedReplyRow.name == name
            )
        ).first()
        if row is None:
            row = SavedReplyRow(alias_id=alias_id, name=name, text=text, created_at=now)
        row.text, row.created_by = text, created_by
        self._session.add(row)
        self._session.flush()
        return converters.saved_reply(row)

    def for_alias(self, alias_id: int) -> list[SavedReply]:
        rows = self._session.exec(
            select(SavedReplyRow)
            .where(SavedReplyRow.alias_id == alias_id)
            .order_by(col(SavedReplyRow.name))
        )
        return [converters.saved_reply(row) for row in rows]

    def remove(self, alias_id: int, name: str) -> bool:
        result = self._session.execute(
            delete(SavedReplyRow).where(
                col(SavedReplyRow.alias_id) == alias_id, col(SavedReplyRow.name) == name
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
