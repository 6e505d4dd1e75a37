"""The command line: set up a workspace, run the demo, read the audit; launches the TUI lazily."""

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from cmconsole.domain.errors import CmconsoleError
from cmconsole.domain.model import Role, SignatureKind
from cmconsole.services.bundle import Services

F = TypeVar("F", bound=Callable[..., Any])

FIRST_RUN = """\
This workspace ({location}) is new: nobody can sign in yet. Set it up with:

  cmconsole operator add lea --display-name "Léa Martin"      # asks for a passphrase
  cmconsole alias add @bellehelene --name "Belle Hélène" --language fr
  cmconsole grant lea @bellehelene lead

then run `cmconsole` again. To look around first: `cmconsole demo`."""


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        default=None,
        help="Workspace database URL (default: $CMCONSOLE_DATABASE_URL, else SQLite in the "
        "user data directory).",
    )(function)


@contextmanager
def workspace(db: str | None) -> Iterator[Services]:
    """Open the workspace's services for one command; errors become messages, not tracebacks."""
    from cmconsole.wiring import open_services, workspace_url

    with reported_errors():
        services = open_services(workspace_url(db or _group_db()))
        try:
            yield services
        finally:
            services.close()


@contextmanager
def reported_errors() -> Iterator[None]:
    try:
        yield
    except CmconsoleError as error:
        click.echo(f"cmconsole: {error}", err=True)
        sys.exit(1)


def _group_db() -> str | None:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return root.params.get("db") if root else None


@click.group(invoke_without_command=True)
@db_option
@click.version_option(package_name="cmconsole")
@click.pass_context
def main(context: click.Context, db: str | None) -> None:
    """cmconsole: several people speaking as one brand. With no command, opens the console."""
    if context.invoked_subcommand is not None:
        return
    with workspace(db) as services:
        if services.accounts.is_empty():
            click.echo(FIRST_RUN.format(location=services.location))
            return
        from cmconsole.tui.app import run_console

        run_console(services)


@main.command()
@db_option
@click.option("--no-launch", is_flag=True, help="Seed the demo and print its database URL.")
@click.option("--reset", is_flag=True, help="Start the demo over from scratch.")
def demo(db: str | None, no_launch: bool, reset: bool) -> None:
    """Open the console on a demo workspace, kept apart from your real one."""
    from cmconsole.wiring import open_demo

    with reported_errors():
        services, seeded = open_demo(db or _group_db(), reset=reset)
    try:
        if no_launch:
            click.echo(f"{'seeded' if seeded else 'already seeded'}: {services.location}", err=True)
            click.echo(services.location)
            return
        from cmconsole.tui.app import run_console

        run_console(services, demo=True)
    finally:
        services.close()


@main.group()
def operator() -> None:
    """Manage the people who sign in."""


@operator.command("add")
@click.argument("name")
@click.option("--display-name", default="", help="Full name, shown to colleagues (not the public).")
@click.option("--passphrase-stdin", is_flag=True, help="Read the passphrase from standard input.")
@db_option
def operator_add(name: str, display_name: str, passphrase_stdin: bool, db: str | None) -> None:
    """Add an operator; asks for their passphrase."""
    if passphrase_stdin:
        passphrase = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        passphrase = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
    else:
        raise click.UsageError("no terminal to ask for a passphrase: pass --passphrase-stdin")
    with workspace(db) as services:
        added = services.accounts.add_operator(name, display_name, passphrase)
    click.echo(f"added operator {added.name} ({added.display_name}, {added.initials})")


@operator.command("list")
@db_option
def operator_list(db: str | None) -> None:
    """List operators."""
    with workspace(db) as services:
        for person in services.accounts.operators():
            state = "active" if person.active else "deactivated"
            click.echo(f"{person.name}\t{person.display_name}\t{person.initials}\t{state}")


@operator.command("deactivate")
@click.argument("name")
@click.option("--reason", required=True, help="Why (kept in the audit and the handover).")
@db_option
def operator_deactivate(name: str, reason: str, db: str | None) -> None:
    """Deactivate an operator who leaves: no more sign-in, open items handed over."""
    with workspace(db) as services:
        services.team.deactivate(None, name, reason)
    click.echo(f"deactivated {name}; their open items are in a handover on each of their aliases")


@main.group()
def alias() -> None:
    """Manage the aliases the team speaks as."""


@alias.command("add")
@click.argument("handle")
@click.option("--name", "display_name", required=True, help="The name the public sees.")
@click.option("--language", default="en", show_default=True)
@click.option(
    "--channel", type=click.Choice(["sandbox", "x"]), default="sandbox", show_default=True
)
@click.option(
    "--signature",
    type=click.Choice([kind.value for kind in SignatureKind]),
    default="none",
    show_default=True,
    help="How replies are signed: not at all, ^INITIALS, or a fixed sign-off.",
)
@click.option("--sign-off", default="", help="The sign-off text, with --signature fixed.")
@db_option
def alias_add(
    handle: str,
    display_name: str,
    language: str,
    channel: str,
    signature: str,
    sign_off: str,
    db: str | None,
) -> None:
    """Add an alias."""
    with workspace(db) as services:
        added = services.accounts.add_alias(
            handle,
            display_name,
            language=language,
            channel=channel,
            signature=SignatureKind(signature),
            signature_text=sign_off,
        )
    click.echo(f"added alias {added.handle} ({added.display_name}) on {added.channel}")


@alias.command("list")
@db_option
def alias_list(db: str | None) -> None:
    """List aliases."""
    with workspace(db) as services:
        for each in services.accounts.aliases():
            click.echo(f"{each.handle}\t{each.display_name}\t{each.language}\t{each.channel}")


@main.command()
@click.argument("operator_name", metavar="OPERATOR")
@click.argument("handle", metavar="ALIAS")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@db_option
def grant(operator_name: str, handle: str, role: str, db: str | None) -> None:
    """Give OPERATOR a ROLE on ALIAS (or change it)."""
    with workspace(db) as services:
        services.accounts.grant(operator_name, handle, Role(role))
    click.echo(f"{operator_name} is now {role} on {handle}")


@main.group()
def audit() -> None:
    """Read and check the audit: who did what, when."""


@audit.command("list")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@db_option
def audit_list(limit: int, db: str | None) -> None:
    """Show the newest audit events."""
    with workspace(db) as services:
        for entry in reversed(services.audit.recent(limit)):
            event = entry.event
            click.echo(
                f"{event.seq}\t{event.occurred_at:%Y-%m-%d %H:%M:%S}\t{event.kind}\t"
                f"{entry.actor_name or '-'}\t{entry.alias_handle or '-'}\t{event.subject}"
            )


@audit.command("verify")
@db_option
def audit_verify(db: str | None) -> None:
    """Check the audit chain; exit 1 naming the first event that does not match."""
    with workspace(db) as services:
        report = services.audit.verify()
    if report.intact:
        click.echo(f"audit intact: {report.events} events, head {report.head_hash}")
        return
    click.echo(f"audit broken at event {report.first_bad_seq}: {report.problem}", err=True)
    sys.exit(1)
