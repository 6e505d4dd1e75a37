"""How long ago something happened, as people say it; when something is due, on the alias's
clock (`on_clock`)."""

from datetime import datetime

from cmconsole.domain.names import on_clock

__all__ = ["ago", "on_clock"]


def ago(then: datetime, now: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86_400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    return f"{seconds // 86_400}d"
