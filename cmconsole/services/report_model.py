"""What a report shows (plain records the console, the CLI and exports render) and the reads it
needs from storage."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


class ReportRepository(Protocol):
    """The rows a report is counted from, and each alias's hours and target."""

    def hours(self, alias_id: int) -> tuple[str, int | None]: ...
    def set_hours(self, alias_id: int, business_hours: str, sla_minutes: int | None) -> None: ...
    def messages(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, str, datetime]]: ...
    def replies(
        self, alias_id: int, start: datetime, end: datetime
    ) -> tuple[list[tuple[int, int, str, datetime]], list[tuple[int, datetime, str]]]: ...
    def history(self, alias_id: int, limit: int) -> list[str]: ...
    def closes(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[str, int | None, datetime, int | None]]: ...
    def reviewed(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, str, datetime, str]]: ...
    def shifts(
        self, alias_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, int, datetime, datetime | None]]: ...


@dataclass(frozen=True)
class Figures:
    """One row of a report: the whole alias, one operator, or one shift.

    `received` (messages from the public) is counted for the alias only. A first reply is the
    earliest published reply to a message received in the period; its time is counted in the
    alias's business hours, and belongs to whoever wrote that reply.
    """

    name: str
    received: int | None
    replies: int  # replies published
    threads_answered: int  # distinct contacts who got a published reply
    closed_without_reply: int
    first_replies: int
    median_seconds: float | None
    p90_seconds: float | None
    within_target: float | None  # share of first replies within the SLA target, if one is set
    sent_back: int  # replies a reviewer sent back
    overrides: int  # guide warnings passed on purpose
    override_rules: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ShiftFigures:
    operator: str
    started_at: datetime
    ended_at: datetime | None
    figures: Figures


@dataclass(frozen=True)
class Day:
    """One day in the alias's time zone: messages received, replies published, and the
    contacts still waiting (backlog) when it ended."""

    day: date
    received: int
    replies: int
    backlog: int


@dataclass(frozen=True)
class Hour:
    """First replies to the messages received at this hour of the day (alias's time zone)."""

    hour: int
    first_replies: int
    median_seconds: float | None


@dataclass(frozen=True)
class VoiceWeek:
    """An operator's replies published in one week (from Monday) and where they drifted."""

    operator: str
    week: date
    replies: int
    drifts: list[str]


@dataclass(frozen=True)
class Report:
    alias: str
    since: date
    until: date  # inclusive
    time_zone: str
    business_hours: str
    target_minutes: int | None
    scope: str  # "team" for a lead; else the operator's own name
    team: Figures | None  # the alias's totals: leads only
    operators: list[Figures]
    shifts: list[ShiftFigures]
    days: list[Day]
    hours: list[Hour]
    voice: list[VoiceWeek]


def duration(seconds: float | None) -> str:
    """A reply time as people read it: 45 s, 12 min, 3 h 05, 2 d 4 h; '-' for none."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86_400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d}"
    return f"{whole // 86_400} d {whole % 86_400 // 3600} h"


def share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
