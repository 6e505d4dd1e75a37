"""How long ago something happened, as people say it; when something is due, on the alias's
clock."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86_400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return f"{seconds // 86_400}d"


def on_clock(moment: datetime, time_zone: str) -> str:
    """`moment` on the clock of `time_zone` (an alias's), named: "2026-11-02 16:00 (Europe/Paris)".
    A zone the machine does not know shows UTC, named as such, rather than a wrong hour."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, time_zone = ZoneInfo("UTC"), "UTC"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({time_zone})"
