"""`cmconsole search`: an alias's threads (messages and replies) by their words, from the shell."""

import click

from cmconsole.cli.common import alias_named, db_option, fail, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import argument, exact_json, inert
from cmconsole.domain.display import marked, one_line


@click.command("search")
@click.argument("query")
@click.option("--alias", "handle", required=True, metavar="HANDLE", help="The alias to search.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the page and its hits.")
@signed_in_options
@db_option
def search(
    query: str,
    handle: str,
    page: int,
    as_json: bool,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Search the alias's threads for messages and replies holding every word of QUERY, best
    match first: when, message or reply, the contact, the message id to open, the text."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        if by is None:
            fail("searching an alias needs one of its members: say who you are with --as NAME", 2)
        alias = alias_named(services, handle)
        found = services.search.search(by, alias.id, argument(query, "the query"), page - 1)
    if as_json:
        hits = [
            {
                "kind": hit.kind.value,
                "id": hit.id,
                "contact": hit.contact,
                "message_id": hit.message_id,
                "at": hit.at.isoformat(),
                "rank": hit.rank,
                "text": hit.text,
                "private": hit.private,
            }
            for hit in found.hits
        ]
        click.echo(exact_json({"page": page, "more": found.more, "hits": hits}))
        return
    for hit in found.hits:
        click.echo(
            f"{hit.at:%Y-%m-%d %H:%M}\t{hit.kind.value}\t{inert(hit.contact)}\t"
            f"{hit.message_id}\t{one_line(marked(hit.text, hit.private), 200)}"
        )
    if not found.hits:
        click.echo(f"nothing found on page {page}", err=True)
    elif found.more:
        click.echo(f"more on page {page + 1} (--page {page + 1})", err=True)
