"""Each operator's own preferences, by name: kept in the workspace so they follow the person."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from cmconsole.storage.tables import OperatorSettingRow


class SqlSettings:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, operator_id: int, name: str) -> str | None:
        return self._session.exec(
            select(OperatorSettingRow.value).where(
                col(OperatorSettingRow.operator_id) == operator_id,
                col(OperatorSettingRow.name) == name,
            )
        ).first()

    def put(self, operator_id: int, name: str, value: str) -> None:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self._session.execute(
            insert(OperatorSettingRow)
            .values(operator_id=operator_id, name=name, value=value)
            .on_conflict_do_update(index_elements=["operator_id", "name"], set_={"value": value})
        )
