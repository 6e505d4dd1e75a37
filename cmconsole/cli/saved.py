"""An alias's saved replies."""

import click

from cmconsole.cli.common import alias_named, db_option, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import inert


@click.group("saved")
def saved_group() -> None:
    """Manage an alias's saved replies (operators insert them with ctrl+r in a thread)."""


@saved_group.command("add")
@click.argument("handle", metavar="ALIAS")
@click.argument("name")
@click.argument("text")
@signed_in_options
@db_option
def saved_add(
    handle: str, name: str, text: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Save TEXT as ALIAS's reply NAME (replacing one of that name)."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, handle)
        services.saved_replies.save(by, alias.id, name, text)
    click.echo(f"saved reply {name!r} for {alias.handle}")


@saved_group.command("list")
@click.argument("handle", metavar="ALIAS")
@db_option
def saved_list(handle: str, db: str | None) -> None:
    """List ALIAS's saved replies."""
    with workspace(db) as services:
        alias = alias_named(services, handle)
        replies = services.saved_replies.for_alias(alias.id)
    for reply in replies:
        click.echo(f"{inert(reply.name)}\t{inert(reply.text)}")


@saved_group.command("remove")
@click.argument("handle", metavar="ALIAS")
@click.argument("name")
@signed_in_options
@db_option
def saved_remove(
    handle: str, name: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Remove ALIAS's saved reply NAME."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, handle)
        services.saved_replies.remove(by, alias.id, name)
    click.echo(f"removed saved reply {name!r} from {alias.handle}")
