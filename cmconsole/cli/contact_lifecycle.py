"""`cmconsole contact merge|unmerge|erase|export`: a contact's lifecycle, for an alias's leads."""

import click

from cmconsole.cli.common import alias_named, db_option, fail, workspace
from cmconsole.cli.contacts import contact_group, member_person
from cmconsole.cli.identity import signed_in_options
from cmconsole.cli.text import argument, exact_json, inert


@contact_group.command("merge")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("keep", metavar="KEEP")
@click.argument("merge", metavar="MERGED")
@signed_in_options
@db_option
def contact_merge(
    alias_handle: str,
    keep: str,
    merge: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Merge MERGED into KEEP on ALIAS, the same person: MERGED's handles, notes, tags, ratings
    and history follow (a lead; `contact unmerge` undoes it)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        kept = services.contact_life.merge(
            by, alias.id, argument(keep, "the handle kept"), argument(merge, "the handle merged")
        )
    click.echo(f"merged into one contact on {alias.handle}: {inert(' '.join(kept.handles))}")


@contact_group.command("unmerge")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@signed_in_options
@db_option
def contact_unmerge(
    alias_handle: str,
    handle: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Undo the merge that brought HANDLE to its contact on ALIAS: the contact merged comes
    back as it was (a lead)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        kept, restored = services.contact_life.unmerge(by, alias.id, argument(handle, "the handle"))
    click.echo(
        f"unmerged on {alias.handle}: {inert(' '.join(kept.handles))} | "
        f"{inert(' '.join(restored.handles))}"
    )


@contact_group.command("erase")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
@signed_in_options
@db_option
def contact_erase(
    alias_handle: str,
    handle: str,
    yes: bool,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Erase HANDLE's personal data on ALIAS on their request (GDPR art. 17): their messages'
    text, the team's notes and rating reasons about them, their name and language. Irreversible;
    the audit keeps that it happened and who did it (a lead)."""
    handle = argument(handle, "the handle")
    if not yes:
        fail(f"erasing {handle}'s data cannot be undone: run it again with --yes to erase it", 2)
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        counts = services.contact_life.erase(by, alias.id, handle)
    click.echo(
        f"erased {inert(handle)} on {alias.handle}: {counts['messages']} messages, "
        f"{counts['notes']} notes, {counts['ratings']} rating reasons, name and language"
    )


@contact_group.command("export")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@signed_in_options
@db_option
def contact_export(
    alias_handle: str,
    handle: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Print all ALIAS holds about HANDLE as one JSON object (GDPR art. 15; a lead): profile,
    handles, messages, replies, notes, tags, ratings, follow-ups."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        record = services.contact_life.export(by, alias.id, argument(handle, "the handle"))
    click.echo(exact_json(record))
