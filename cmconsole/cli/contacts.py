"""`cmconsole contact`: an alias's contacts from the shell, acting as a signed-in person."""

from typing import TYPE_CHECKING

import click

from cmconsole.cli.common import alias_named, db_option, fail, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import argument, exact_json, inert
from cmconsole.domain.contacts import (
    RATING_MAX,
    RATING_MIN,
    ContactCard,
    DirectorySort,
    Facet,
)
from cmconsole.domain.display import one_line

if TYPE_CHECKING:
    from cmconsole.services.bundle import Services
    from cmconsole.services.guard import SignedIn

_WHO = "contacts are read and written by a member of the alias: say who you are with --as NAME"


def member_person(services: "Services", as_name: str | None, passphrase_stdin: bool) -> "SignedIn":
    """The signed-in member a contact command acts as; the workspace's set-up mode is no one."""
    by = acting_person(services, as_name, passphrase_stdin)
    if by is None:
        fail(_WHO, 2)
    return by


@click.group("contact")
def contact_group() -> None:
    """An alias's contacts: their card, notes, tags and influence ratings."""


@contact_group.command("show")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@click.option("--json", "as_json", is_flag=True, help="The whole card as one JSON object.")
@signed_in_options
@db_option
def contact_show(
    alias_handle: str,
    handle: str,
    as_json: bool,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Show HANDLE's card on ALIAS: who they are, tags, notes (pinned first), ratings, open
    promises, and the whole history across operators, oldest first."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        card = services.contacts.card(by, alias.id, argument(handle, "the handle"))
    if as_json:
        click.echo(exact_json(_card_json(card)))
        return
    for line in _card_lines(card):
        click.echo(line)


def _card_lines(card: ContactCard) -> list[str]:
    contact = card.contact
    lines = [
        f"contact\t{inert(' '.join(contact.handles))}\t{inert(contact.display_name) or '-'}\t"
        f"{inert(contact.language or '-')}",
        f"first\t{contact.first_contact_at:%Y-%m-%d %H:%M}\tlast\t"
        f"{contact.last_contact_at:%Y-%m-%d %H:%M}",
        f"tags\t{inert(', '.join(card.tags)) or '-'}",
    ]
    if contact.erased_at is not None:
        lines.append(f"erased\t{contact.erased_at:%Y-%m-%d %H:%M}\ton request (GDPR art. 17)")
    if contact.channel_reach is not None and contact.channel_reach_at is not None:
        lines.append(
            f"reach\t{contact.channel_reach}\tfollowers\t"
            f"read {contact.channel_reach_at:%Y-%m-%d %H:%M}"
        )
    if card.do_not_engage:
        lines.append("warning\tdo-not-engage: read the notes before any reply")
    for note in card.notes:
        marks = ",".join(
            mark
            for mark, on in (
                ("pinned", note.pinned),
                ("trainee", note.by_trainee),
                ("corrected", note.corrected),
            )
            if on
        )
        lines.append(
            f"note {note.id}\t{note.written_at:%Y-%m-%d %H:%M}\t{inert(note.author_name)}\t"
            f"{marks or '-'}\t{one_line(note.text, 300)}"
        )
    for rating in card.ratings:
        lines.append(
            f"rating\t{rating.facet.value}\t{rating.value}\t{inert(rating.rated_by)}\t"
            f"{one_line(rating.reason, 200)}"
        )
    for promise in card.open_promises:
        lines.append(
            f"promise {promise.id}\tdue {promise.due_at:%Y-%m-%d %H:%M}\t"
            f"{one_line(promise.promise, 200)}"
        )
    for item in card.history:
        who = inert(item.by or "-") + (
            f" (approved by {inert(item.approved_by)})" if item.approved_by else ""
        )
        lines.append(
            f"{item.at:%Y-%m-%d %H:%M}\t{item.kind.value}\t{who}\t{one_line(item.text, 200)}"
        )
    return lines


def _card_json(card: ContactCard) -> dict[str, object]:
    contact = card.contact
    return {
        "handles": list(contact.handles),
        "display_name": contact.display_name,
        "language": contact.language,
        "first_contact_at": contact.first_contact_at.isoformat(),
        "last_contact_at": contact.last_contact_at.isoformat(),
        "erased_at": contact.erased_at.isoformat() if contact.erased_at else None,
        "tags": list(card.tags),
        "do_not_engage": card.do_not_engage,
        "notes": [
            {
                "id": n.id,
                "author": n.author_name,
                "at": n.written_at.isoformat(),
                "text": n.text,
                "pinned": n.pinned,
                "trainee": n.by_trainee,
                "corrects": n.corrects_id,
                "corrected": n.corrected,
            }
            for n in card.notes
        ],
        "ratings": {
            r.facet.value: {
                "value": r.value,
                "by": r.rated_by,
                "reason": r.reason,
                "at": r.rated_at.isoformat(),
            }
            for r in card.ratings
        },
        "open_promises": [
            {"id": p.id, "promise": p.promise, "due_at": p.due_at.isoformat()}
            for p in card.open_promises
        ],
        "history": [
            {
                "kind": i.kind.value,
                "at": i.at.isoformat(),
                "by": i.by,
                "approved_by": i.approved_by,
                "text": i.text,
                "ref": i.ref,
                "status": i.status,
            }
            for i in card.history
        ],
    }


@contact_group.command("list")
@click.argument("alias_handle", metavar="ALIAS")
@click.option("--search", default="", help="Only contacts whose handle or name holds this.")
@click.option("--tag", default=None, help="Only contacts with this tag.")
@click.option(
    "--sort",
    type=click.Choice([s.value for s in DirectorySort]),
    default=DirectorySort.LAST_CONTACT.value,
    show_default=True,
)
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 100_000))
@signed_in_options
@db_option
def contact_list(
    alias_handle: str,
    search: str,
    tag: str | None,
    sort: str,
    page: int,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """List ALIAS's contacts: last contact, open promises, handles, name, tags."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        found = services.contacts.directory(
            by,
            alias.id,
            search=argument(search, "the search"),
            tag=tag,
            sort=DirectorySort(sort),
            page=page - 1,
        )
    for entry in found.entries:
        contact = entry.contact
        click.echo(
            f"{contact.last_contact_at:%Y-%m-%d %H:%M}\t{entry.open_promises}\t"
            f"{inert(' '.join(contact.handles))}\t{inert(contact.display_name) or '-'}\t"
            f"{inert(', '.join(entry.tags)) or '-'}"
        )
    if not found.entries:
        click.echo(f"no contact on page {page}", err=True)
    elif found.more:
        click.echo(f"more on page {page + 1} (--page {page + 1})", err=True)


@contact_group.command("note")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@click.argument("text")
@click.option("--pin", is_flag=True, help="Show this note first on the card.")
@click.option("--corrects", type=int, default=None, metavar="ID", help="The note it corrects.")
@signed_in_options
@db_option
def contact_note(
    alias_handle: str,
    handle: str,
    text: str,
    pin: bool,
    corrects: int | None,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Add a note to HANDLE's card on ALIAS (notes are never edited: correct with a new one)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        note = services.contacts.note(
            by,
            alias.id,
            argument(handle, "the handle"),
            argument(text, "the note"),
            pinned=pin,
            corrects=corrects,
        )
    click.echo(f"note {note.id} added to {inert(handle)} on {alias.handle}")


@contact_group.command("tag")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@click.argument("tag")
@click.option("--remove", is_flag=True, help="Take the tag off instead.")
@signed_in_options
@db_option
def contact_tag(
    alias_handle: str,
    handle: str,
    tag: str,
    remove: bool,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Tag HANDLE on ALIAS with TAG, one of the alias's tags (`contact tags` lists them)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        handle, tag = argument(handle, "the handle"), argument(tag, "the tag")
        change = services.contact_tags.untag if remove else services.contact_tags.tag
        changed = change(by, alias.id, handle, tag)
    done = ("untagged" if remove else "tagged") if changed else "unchanged:"
    click.echo(f"{done} {inert(handle)} {inert(tag)} on {alias.handle}")


@contact_group.command("tags")
@click.argument("alias_handle", metavar="ALIAS")
@click.option("--set", "names", default=None, metavar="A,B,...", help="Replace the list (leads).")
@signed_in_options
@db_option
def contact_tags(
    alias_handle: str,
    names: str | None,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """List ALIAS's contact tags, or (a lead) replace them with --set."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        if names is None:
            listed = services.contact_tags.tag_list(by, alias.id)
        else:
            wanted = argument(names, "the tags").split(",")
            listed = services.contact_tags.edit_tag_list(by, alias.id, wanted)
    for name in listed:
        click.echo(inert(name))


@contact_group.command("rate")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@click.argument("facet", type=click.Choice([f.value for f in Facet]))
@click.argument("value", type=click.IntRange(RATING_MIN, RATING_MAX))
@click.option("--reason", required=True, help="Why: the team reads it on the card.")
@signed_in_options
@db_option
def contact_rate(
    alias_handle: str,
    handle: str,
    facet: str,
    value: int,
    reason: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Rate one facet of HANDLE's influence on ALIAS, from 0 to 5, with a reason."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        services.contacts.rate(
            by,
            alias.id,
            argument(handle, "the handle"),
            Facet(facet),
            value,
            argument(reason, "the reason"),
        )
    click.echo(f"rated {inert(handle)}'s {facet} {value} on {alias.handle}")


@contact_group.command("reach")
@click.argument("alias_handle", metavar="ALIAS")
@click.argument("handle", metavar="HANDLE")
@signed_in_options
@db_option
def contact_reach(
    alias_handle: str,
    handle: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Read how many follow HANDLE from ALIAS's channel and keep it on the card, with when it
    was read (apart from the operators' reach rating)."""
    with workspace(db) as services:
        by = member_person(services, as_name, passphrase_stdin)
        alias = alias_named(services, alias_handle)
        read = services.contacts.read_reach(by, alias.id, argument(handle, "the handle"))
    click.echo(
        f"read {inert(read.handles[0])}'s reach on {alias.handle} from {alias.channel}: "
        f"{read.channel_reach or 0:,} followers"
    )
