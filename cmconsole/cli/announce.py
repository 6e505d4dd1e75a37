"""`cmconsole announce` and `cmconsole scheduled`: the alias speaks first, now or later, from the
shell, acting as a signed-in person."""

from datetime import datetime
from typing import TYPE_CHECKING

import click

from cmconsole.cli.common import alias_named, db_option, fail, workspace
from cmconsole.cli.contacts import member_person
from cmconsole.cli.identity import signed_in_options
from cmconsole.cli.text import argument, exact_json, inert
from cmconsole.domain.display import one_line
from cmconsole.domain.errors import InvalidInput
from cmconsole.services.announcements import alias_clock_text, on_alias_clock

if TYPE_CHECKING:
    from cmconsole.domain.model import Alias, Post
    from cmconsole.services.bundle import Services
    from cmconsole.services.guard import SignedIn


def _on_alias_clock(alias: "Alias", when: str) -> datetime:
    try:
        return on_alias_clock(alias, when)
    except InvalidInput as error:
        fail(str(error), 2)


def _alias_of_post(
    services: "Services", by: "SignedIn", alias_handle: str, post_id: int
) -> "Alias":
    alias = alias_named(services, alias_handle)
    if services.posting.post(by, post_id).alias_id != alias.id:
        fail(f"post {post_id} is not {alias.handle}'s: `cmconsole scheduled list` shows them", 1)
    return alias


def _overrides(values: tuple[str, ...]) -> dict[str, str]:
    reasons = {}
    for value in values:
        rule, _, reason = value.partition("=")
        if not rule.strip() or not reason.strip():
            fail(f"--because takes RULE=REASON, not {value!r}", 2)
        reasons[rule.strip()] = reason.strip()
    return reasons


def _line(alias: "Alias", post: "Post") -> str:
    when = alias_clock_text(alias, post.scheduled_for) if post.scheduled_for else "now"
    text = inert(one_line(post.text, 60))
    return f"{post.id}\t{when}\t{post.channel}\t{post.status.value}\t{text}"


@click.command("announce")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("text")
@click.option("--at", "when", metavar="'YYYY-MM-DD HH:MM'", help="When, on the alias's clock.")
@click.option(
    "--because",
    "because",
    multiple=True,
    metavar="RULE=REASON",
    help="A reason for passing one of the guide's warnings (repeat for each).",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    metavar="CHANNEL",
    help="Where to publish it, among the alias's channels (repeat for several; default: the "
    "alias's own). Each is checked as its channel counts; none is queued unless all pass.",
)
@signed_in_options
@db_option
def announce(
    alias_handle: str,
    text: str,
    when: str | None,
    because: tuple[str, ...],
    channels: tuple[str, ...],
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Publish TEXT as ALIAS, replying to no one: now, or at --at (on the alias's clock). The
    guide checks it as it checks a reply; a trainee's waits for approval."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        at = _on_alias_clock(alias, when) if when else None
        posts = services.announcements.announce_on(
            by, alias.id, argument(text, "the text"), channels, at, _overrides(because)
        )
    later = f" for {when.strip()}" if when else ""
    for post in posts:
        where = f" on {post.channel}" if channels else ""
        click.echo(f"post {post.id} {post.status.value}{where}{later}")


@click.group("scheduled")
def scheduled_group() -> None:
    """What an alias will say later: list it; leads move it or call it off."""


@scheduled_group.command("list")
@click.argument("alias_handle", metavar="ALIAS")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post.")
@signed_in_options
@db_option
def scheduled_list(
    alias_handle: str, as_json: bool, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """ALIAS's scheduled posts, soonest first: id, time on the alias's clock, channel, status,
    text."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        posts = services.announcements.scheduled(by, alias.id)
    for post in posts:
        if as_json:
            assert post.scheduled_for is not None
            fields = {
                "id": post.id,
                "scheduled_for": post.scheduled_for.isoformat(),
                "channel": post.channel,
                "status": post.status.value,
                "text": post.text,
            }
            click.echo(exact_json(fields))
        else:
            click.echo(_line(alias, post))


@scheduled_group.command("move")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("post_id", type=int)
@click.option("--at", "when", required=True, metavar="'YYYY-MM-DD HH:MM'", help="The new time.")
@signed_in_options
@db_option
def scheduled_move(
    alias_handle: str,
    post_id: int,
    when: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Move scheduled post POST_ID of ALIAS to another time (leads)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = _alias_of_post(services, by, alias_handle, post_id)
        moved = services.announcements.reschedule(by, post_id, _on_alias_clock(alias, when))
    click.echo(_line(alias, moved))


@scheduled_group.command("cancel")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("post_id", type=int)
@click.option("--reason", required=True, help="Why: kept in the audit.")
@signed_in_options
@db_option
def scheduled_cancel(
    alias_handle: str,
    post_id: int,
    reason: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Call off scheduled post POST_ID of ALIAS before it goes out (leads)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        _alias_of_post(services, by, alias_handle, post_id)
        services.announcements.cancel(by, post_id, argument(reason, "the reason"))
    click.echo(f"post {post_id} called off")


@scheduled_group.command("late-hold")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("minutes", type=int)
@signed_in_options
@db_option
def scheduled_late_hold(
    alias_handle: str, minutes: int, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """How many minutes late a missed post of ALIAS may still go out on its own; later, it waits
    for a lead's approval (leads; 60 by default)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        services.announcements.set_late_hold(by, alias.id, minutes)
    click.echo(f"{alias.handle}: a post missed by more than {minutes} min waits for a lead")
