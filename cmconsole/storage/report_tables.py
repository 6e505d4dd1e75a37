"""The table of each alias's business hours and reply-time target, which reports read."""

from sqlmodel import Field, SQLModel


class AliasHoursRow(SQLModel, table=True):
    """When an alias is staffed (domain.business_hours; empty: always) and its SLA target."""

    __tablename__ = "alias_hours"

    alias_id: int = Field(foreign_key="alias.id", primary_key=True)
    business_hours: str = Field(default="", max_length=200)
    sla_minutes: int | None = None
