"""When an alias is staffed, and how many of those seconds lie between two moments.

Hours are written as clauses separated by `;` or `,`: days then a time range, in the alias's
time zone, e.g. `mon-fri 09:00-18:00; sat 10:00-14:00`. Days are `mon` … `sun`, alone or as a
range (`fri-mon` wraps). `24:00` ends a day. Empty (or `always`) means always staffed, the default.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cmconsole.domain.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLAUSE = re.compile(
    r"(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})"
)


@dataclass(frozen=True)
class BusinessHours:
    """Staffed windows per weekday (0 = Monday), as minutes since local midnight."""

    windows: tuple[tuple[tuple[int, int], ...], ...] = ()

    @property
    def always(self) -> bool:
        return not self.windows

    def describe(self) -> str:
        if self.always:
            return "always"
        parts = []
        for day, spans in enumerate(self.windows):
            for start, end in spans:
                parts.append(f"{DAYS[day]} {_hhmm(start)}-{_hhmm(end)}")
        return "; ".join(parts) or "never"


def parse_hours(text: str) -> BusinessHours:
    """Read hours as written above; InvalidInput names the clause that is wrong."""
    cleaned = text.strip().lower()
    if cleaned in ("", "always", "24/7"):
        return BusinessHours()
    windows: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for clause in re.split(r"[;,]", cleaned):
        clause = clause.strip()
        if not clause:
            continue
        found = _CLAUSE.fullmatch(clause)
        if found is None:
            raise InvalidInput(
                f"business hours: {clause!r} is not like 'mon-fri 09:00-18:00' "
                "(days mon…sun, then a time range)"
            )
        first, last = found["first"], found["last"] or found["first"]
        for day in (first, last):
            if day not in DAYS:
                raise InvalidInput(f"business hours: {day!r} is not a day (mon, tue … sun)")
        start, end = _minutes(found["start"], clause), _minutes(found["end"], clause)
        if end <= start:
            raise InvalidInput(f"business hours: in {clause!r} the end is not after the start")
        day = DAYS.index(first)
        while True:
            windows[day].append((start, end))
            if DAYS[day] == last:
                break
            day = (day + 1) % 7
    if not any(windows):
        raise InvalidInput("business hours: no day is staffed")
    return BusinessHours(tuple(tuple(sorted(_merge(spans))) for spans in windows))


def business_seconds(start: datetime, end: datetime, hours: BusinessHours, zone: str) -> float:
    """Seconds of staffed time in [start, end); zero if end is not after start."""
    if end <= start:
        return 0.0
    if hours.always:
        return (end - start).total_seconds()
    tz = ZoneInfo(zone)
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        for opens, closes in hours.windows[day.weekday()]:
            window_start = _local(day, opens, tz)
            window_end = _local(day, closes, tz)
            overlap = (min(end, window_end) - max(start, window_start)).total_seconds()
            if overlap > 0:
                total += overlap
        day += timedelta(days=1)
    return total


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    if minutes >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)


def _minutes(text: str, clause: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise InvalidInput(f"business hours: {text!r} in {clause!r} is not a time of day")
    return hours * 60 + minutes


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
