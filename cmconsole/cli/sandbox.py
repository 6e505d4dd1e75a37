"""Speaking as the sandbox channel's public."""

import click

from cmconsole.cli.common import alias_named, db_option, fail, reported_errors, workspace
from cmconsole.cli.text import argument, inert


@click.group("sandbox")
def sandbox_group() -> None:
    """Speak as the sandbox channel's public: for demos, training and tests."""


@sandbox_group.command("mention")
@click.argument("handle", metavar="ALIAS")
@click.argument("text")
@click.option("--from", "author", required=True, metavar="@HANDLE", help="Who writes it.")
@db_option
def sandbox_mention(handle: str, text: str, author: str, db: str | None) -> None:
    """Make someone from the public write TEXT to ALIAS on the sandbox channel.

    The alias's handle is put in front of TEXT unless TEXT already mentions it. The console
    (or `cmconsole dispatch`) picks it up on its next sync."""
    with reported_errors():
        text, author = argument(text, "TEXT"), argument(author, "--from")
    with workspace(db) as services:
        alias = alias_named(services, handle)
        speaks_on = services.accounts.channels(alias.id)
        if "sandbox" not in speaks_on:
            fail(f"{alias.handle} speaks on {', '.join(speaks_on)}, not on the sandbox", 1)
        said = text if alias.handle.lower() in text.lower() else f"{alias.handle} {text}"
        channel_id = services.public.mention(author, said)
    writer = inert("@" + author.lstrip("@"))  # the public's name: shown, never obeyed
    click.echo(f"{writer} wrote to {alias.handle} on the sandbox ({channel_id})")
