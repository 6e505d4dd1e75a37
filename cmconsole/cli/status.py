"""`cmconsole status`: every alias the person works and what waits there, for a status line."""

from datetime import datetime
from typing import Any

import click

from cmconsole.cli.common import db_option, fail, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import exact_json, inert
from cmconsole.services.home_model import AliasHome, HomeModel, age, counted

_WHO = "the status is a person's: say who you are with --as NAME"


@click.command("status")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object: each alias, most urgent first."
)
@signed_in_options
@db_option
def status(as_json: bool, as_name: str | None, passphrase_stdin: bool, db: str | None) -> None:
    """Each alias you work (a lead: each one you lead), most urgent first: fans waiting and for
    how long, replies awaiting approval, failed posts, promises due, who is on shift, and the
    handovers or guide changes you have to read. Leads also see the aliases nobody is on while
    fans wait."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        if by is None:
            fail(_WHO, 2)
        home = services.home.read(by)
    if as_json:
        click.echo(exact_json(as_dict(home)))
        return
    for line in as_lines(home):
        click.echo(line)


def as_lines(home: HomeModel) -> list[str]:
    if not home.aliases:
        return [f"{home.person}: no role on any alias yet"]
    waiting = sum(row.unanswered for row in home.aliases)
    lines = [f"{home.person}: {len(home.aliases)} aliases, {waiting} threads waiting"]
    lines += [_line(row, home.read_at) for row in home.aliases]
    for row in home.unattended:
        lines.append(
            f"nobody on shift on {inert(row.alias.handle)} while "
            f"{counted(row.unanswered)} fans wait (oldest {age(row.oldest_wait, home.read_at)})"
        )
    return lines


def _line(row: AliasHome, now: datetime) -> str:
    parts = [
        f"{inert(row.alias.handle)} ({row.role.value})",
        f"{counted(row.unanswered)} waiting, oldest {age(row.oldest_wait, now)}",
        f"{counted(row.awaiting)} to approve",
        f"{counted(row.failed)} failed",
        f"{row.promises_due} promises due"
        + (f" ({row.promises_overdue} late)" if row.promises_overdue else ""),
        "on shift: " + (", ".join(inert(name) for name in row.on_shift) or "nobody"),
    ]
    to_read = []
    if row.handovers_unread:
        count = row.handovers_unread
        to_read.append(f"{count} handover{'s' if count > 1 else ''}")
    if row.guide_unread:
        to_read.append("the guide")
    elif row.guide_changes:
        to_read.append(f"{row.guide_changes} guide changes")
    if to_read:
        parts.append("to read: " + ", ".join(to_read))
    return "\t".join(parts)


def as_dict(home: HomeModel) -> dict[str, Any]:
    return {
        "person": home.person,
        "read_at": home.read_at.isoformat(),
        "aliases": [
            {
                "handle": row.alias.handle,
                "name": row.alias.display_name,
                "channel": row.alias.channel,
                "role": row.role.value,
                "unanswered": row.unanswered,
                "oldest_wait": row.oldest_wait.isoformat() if row.oldest_wait else None,
                "awaiting_approval": row.awaiting,
                "failed": row.failed,
                "promises_due": row.promises_due,
                "promises_overdue": row.promises_overdue,
                "on_shift": row.on_shift,
                "my_shift": row.mine,
                "handovers_unread": row.handovers_unread,
                "guide_unread": row.guide_unread,
                "guide_changes": row.guide_changes,
                "unattended": row.unattended,
                "urgency": row.urgency,
            }
            for row in home.aliases
        ],
        "unattended": [row.alias.handle for row in home.unattended],
        "counted_up_to": 1000,
    }
