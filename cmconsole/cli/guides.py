"""An alias's voice guide: import, show and list its versions."""

from pathlib import Path

import click

from cmconsole.cli.common import db_option, known_handle, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.text import inert, inert_block


@click.group("guide")
def guide_group() -> None:
    """Import, read and list the versions of an alias's voice guide."""


@guide_group.command("import")
@click.argument("handle", metavar="HANDLE")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--note", default="", help="What changed (default: 'imported FILE').")
@signed_in_options
@db_option
def guide_import(
    handle: str, path: Path, note: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Import a guide file as the new version of an alias's guide.

    A malformed guide is refused, naming the file, the line and the problem, and the version
    in force stays in force."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        version = services.guides.import_file(handle, path, note, by=by)
        rules = len(services.guides.current_for_handle(handle).guide.rules)
        tag = known_handle(services, handle)
    click.echo(f"{tag}: guide version {version.version} ({rules} rule{'s' if rules != 1 else ''})")


@guide_group.command("show")
@click.argument("handle", metavar="HANDLE")
@db_option
def guide_show(handle: str, db: str | None) -> None:
    """Print the guide in force: prose, rules, examples."""
    with workspace(db) as services:
        current = services.guides.current_for_handle(handle)
        tag = known_handle(services, handle)
    guide, version = current.guide, current.version
    signature = guide.signature.policy.value
    if guide.signature.text:
        signature += f" ({guide.signature.text})"
    author = version.author_name or "shell"
    lines = [
        f"{guide.name or tag} ({tag}): guide version {version.version}",
        f"saved {version.created_at:%Y-%m-%d %H:%M} by {author}: {version.change_note}",
        f"language {guide.language or '-'}, length {guide.length}, signature {signature}",
    ]
    for title, text in guide.prose.items():
        lines += ["", f"## {title}", text.strip()]
    lines += ["", "## Rules"]
    lines += [f"[{rule.severity}] {rule.id}: {rule.message}" for rule in guide.rules]
    if guide.examples:
        lines += ["", "## Examples"]
        for example in guide.examples:
            lines += [f"  {example.context}", f"  → {example.reply}", ""]
        lines.pop()
    click.echo(inert_block("\n".join(lines)))  # a guide's text is anyone's who could import it


@guide_group.command("versions")
@click.argument("handle", metavar="HANDLE")
@db_option
def guide_versions(handle: str, db: str | None) -> None:
    """List an alias's guide versions, newest first.

    One line per version: vN, when it was saved (UTC), who saved it (`shell` for an import),
    and its change note. The newest is the one in force."""
    with workspace(db) as services:
        versions = services.guides.versions_for_handle(handle)
    authors = [inert(version.author_name or "shell") for version in versions]
    width = max((len(author) for author in authors), default=0)
    for version, author in zip(versions, authors, strict=True):
        line = f"v{version.version}  {version.created_at:%Y-%m-%d %H:%M}  {author:<{width}}  "
        click.echo((line + inert(version.change_note)).rstrip())
