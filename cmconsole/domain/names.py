"""Rules for the names people type: operator logins and alias handles."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cmconsole.domain.errors import InvalidInput

_LOGIN = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
_HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,15}$")


def login_name(raw: str) -> str:
    """A normalised operator login, or InvalidInput saying what is wrong."""
    name = raw.strip().lower()
    if not _LOGIN.match(name):
        raise InvalidInput(
            f"operator name {raw!r} is not valid: use 2 to 32 lowercase letters, digits, '.', '_' "
            "or '-', starting with a letter"
        )
    return name


def handle(raw: str) -> str:
    """A normalised alias handle with its '@', or InvalidInput saying what is wrong."""
    value = raw.strip()
    if not _HANDLE.match(value):
        raise InvalidInput(
            f"handle {raw!r} is not valid: use 1 to 15 letters, digits or '_', optionally after '@'"
        )
    return "@" + value.lstrip("@")


def alias_fields(display_name: str, language: str, sign_off: str) -> None:
    """Refuse alias fields the workspace cannot store, naming the field and its limit."""
    for field, value, limit in (
        ("display name", display_name.strip(), 100),
        ("language", language, 8),
        ("sign-off", sign_off.strip(), 50),
    ):
        if len(value) > limit:
            raise InvalidInput(f"the {field} is {len(value)} characters long; at most {limit}")


def time_zone(raw: str) -> str:
    """An IANA time zone name the machine knows ("Europe/Paris"), or InvalidInput saying so."""
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"time zone {raw!r} is not known: use an IANA name such as Europe/Paris or UTC"
        ) from None
    return name


def on_clock(moment: datetime, zone_name: str) -> str:
    """`moment` on the clock of an alias's zone, named: "2026-11-02 16:00 (Europe/Paris)". A
    zone the machine does not know shows UTC, named as such, rather than a wrong hour."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, zone_name = ZoneInfo("UTC"), "UTC"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone_name})"


def colour(raw: str) -> str:
    """An alias's colour as "#rrggbb" (lower case; "#rgb" widened), "" for none, or InvalidInput."""
    value = raw.strip().lower()
    if value in ("", "none"):
        return ""
    digits = value.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    if len(digits) != 6 or any(d not in "0123456789abcdef" for d in digits):
        raise InvalidInput(f"colour {raw!r} is not a colour: use #rrggbb, such as #d4537e, or none")
    return "#" + digits
