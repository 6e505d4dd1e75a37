"""The guide repository: every version of each alias's guide, and who acknowledged which."""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from cmconsole.domain.model import GuideVersion
from cmconsole.storage import converters
from cmconsole.storage.tables import GuideAckRow, GuideVersionRow, OperatorRow


class SqlGuides:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, alias_id: int, source: str, change_note: str, created_by: int | None, now: datetime
    ) -> GuideVersion:
        newest = self._session.exec(
            select(func.max(GuideVersionRow.version)).where(GuideVersionRow.alias_id == alias_id)
        ).one()
        row = GuideVersionRow(
            alias_id=alias_id,
            version=(newest or 0) + 1,
            source=source,
            change_note=change_note,
            created_by=created_by,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return self.by_version(alias_id, row.version)  # type: ignore[return-value]

    def current(self, alias_id: int) -> GuideVersion | None:
        found = self._session.exec(
            self._with_author()
            .where(GuideVersionRow.alias_id == alias_id)
            .order_by(col(GuideVersionRow.version).desc())
            .limit(1)
        ).first()
        return converters.guide_version(*found) if found else None

    def by_version(self, alias_id: int, version: int) -> GuideVersion | None:
        found = self._session.exec(
            self._with_author().where(
                GuideVersionRow.alias_id == alias_id, GuideVersionRow.version == version
            )
        ).first()
        return converters.guide_version(*found) if found else None

    def versions(self, alias_id: int) -> list[GuideVersion]:
        rows = self._session.exec(
            self._with_author()
            .where(GuideVersionRow.alias_id == alias_id)
            .order_by(col(GuideVersionRow.version).desc())
        )
        return [converters.guide_version(row, name) for row, name in rows]

    def acknowledge(self, alias_id: int, operator_id: int, version: int, now: datetime) -> bool:
        if self._session.get(GuideAckRow, (alias_id, operator_id, version)) is not None:
            return False
        self._session.add(
            GuideAckRow(
                alias_id=alias_id, operator_id=operator_id, version=version, acknowledged_at=now
            )
        )
        self._session.flush()
        return True

    def acknowledged(self, alias_id: int, operator_id: int) -> int | None:
        return self._session.exec(
            select(func.max(GuideAckRow.version)).where(
                GuideAckRow.alias_id == alias_id, GuideAckRow.operator_id == operator_id
            )
        ).one()

    @staticmethod
    def _with_author() -> Select[GuideVersionRow, str | None]:
        return select(GuideVersionRow, OperatorRow.name).outerjoin(
            OperatorRow, col(OperatorRow.id) == GuideVersionRow.created_by
        )
