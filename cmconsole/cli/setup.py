"""Setting a workspace up: the demo, init, operators, aliases, grants and database roles."""

import sys
from typing import TYPE_CHECKING

import click

from cmconsole.cli.common import (
    FIRST_RUN,
    db_option,
    fail,
    group_db,
    known_handle,
    reported_errors,
    said_goodbye,
    workspace,
)
from cmconsole.cli.identity import acting_person, as_option, signed_in_options
from cmconsole.cli.text import inert
from cmconsole.domain.model import Role, SignatureKind

if TYPE_CHECKING:
    from cmconsole.credentials import XApp
    from cmconsole.services.bundle import Services


@click.command()
@db_option
@click.option("--no-launch", is_flag=True, help="Seed the demo and print its database URL.")
@click.option("--reset", is_flag=True, help="Start the demo over from scratch.")
def demo(db: str | None, no_launch: bool, reset: bool) -> None:
    """Open the console on a demo workspace, kept apart from your real one."""
    url = db or group_db()
    if not no_launch:
        from cmconsole.tui.app import run_console

        def open_demo_console() -> "Services":
            from cmconsole.wiring import open_demo

            return open_demo(url, reset=reset)[0]

        said_goodbye(*run_console(open_demo_console, demo=True))
        return
    from cmconsole.wiring import open_demo

    with reported_errors():
        services, seeded = open_demo(url, reset=reset)
    try:
        click.echo(f"{'seeded' if seeded else 'already seeded'}: {services.location}", err=True)
        click.echo(services.location)
    finally:
        services.close()


@click.command()
@db_option
def init(db: str | None) -> None:
    """Create the workspace (SQLite, with its folder) or bring an existing one up to date.

    No other command creates a workspace: a mistyped --db says there is none instead of
    starting an empty one."""
    from cmconsole.wiring import open_services, workspace_url

    with reported_errors():
        services = open_services(workspace_url(db or group_db()), create=True)
    try:
        with reported_errors():
            empty = services.accounts.is_empty()
    finally:
        services.close()
    if not empty:
        click.echo(f"the workspace at {services.location} is set up already: nothing to do")
        return
    click.echo(FIRST_RUN.format(location=services.location).replace(" is new:", " is ready:"))


@click.group()
def operator() -> None:
    """Manage the people who sign in."""


@operator.command("add")
@click.argument("name")
@click.option("--display-name", default="", help="Full name, shown to colleagues (not the public).")
@click.option(
    "--passphrase-stdin",
    is_flag=True,
    help="Read the passphrase from standard input (with --as: yours on the first line, "
    "theirs on the second).",
)
@as_option
@db_option
def operator_add(
    name: str, display_name: str, passphrase_stdin: bool, as_name: str | None, db: str | None
) -> None:
    """Add an operator; asks for their passphrase."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        if passphrase_stdin:
            passphrase = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            passphrase = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
        else:
            raise click.UsageError("no terminal to ask for a passphrase: pass --passphrase-stdin")
        added = services.accounts.add_operator(name, display_name, passphrase, by=by)
    click.echo(f"added operator {added.name} ({added.display_name}, {added.initials})")


@operator.command("list")
@db_option
def operator_list(db: str | None) -> None:
    """List operators."""
    with workspace(db) as services:
        for person in services.accounts.operators():
            state = "active" if person.active else "deactivated"
            shown = (inert(person.name), inert(person.display_name), inert(person.initials))
            click.echo("\t".join((*shown, state)))


@operator.command("deactivate")
@click.argument("name")
@click.option("--reason", required=True, help="Why (kept in the audit and the handover).")
@signed_in_options
@db_option
def operator_deactivate(
    name: str, reason: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Deactivate an operator who leaves: no more sign-in, open items handed over."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        services.team.deactivate(by, name, reason)
    click.echo(f"deactivated {name}; their open items are in a handover on each of their aliases")


@click.group()
def alias() -> None:
    """Manage the aliases the team speaks as."""


@alias.command("add")
@click.argument("handle")
@click.option("--name", "display_name", required=True, help="The name the public sees.")
@click.option("--language", default="en", show_default=True)
@click.option(
    "--time-zone",
    default="UTC",
    show_default=True,
    help="Where the alias lives (an IANA name): its promises' due times are reckoned there.",
)
@click.option(
    "--channel",
    type=click.Choice(["sandbox", "x", "mastodon", "bluesky"]),
    default="sandbox",
    show_default=True,
)
@click.option(
    "--signature",
    type=click.Choice([kind.value for kind in SignatureKind]),
    default="none",
    show_default=True,
    help="How replies are signed: not at all, ^INITIALS, or a fixed sign-off.",
)
@click.option("--sign-off", default="", help="The sign-off text, with --signature fixed.")
@signed_in_options
@db_option
def alias_add(
    handle: str,
    display_name: str,
    language: str,
    time_zone: str,
    channel: str,
    signature: str,
    sign_off: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Add an alias."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        added = services.accounts.add_alias(
            handle,
            display_name,
            language=language,
            channel=channel,
            signature=SignatureKind(signature),
            signature_text=sign_off,
            time_zone=time_zone,
            by=by,
        )
    click.echo(f"added alias {added.handle} ({added.display_name}) on {added.channel}")


@alias.command("set-time-zone")
@click.argument("handle")
@click.argument("zone")
@signed_in_options
@db_option
def alias_set_time_zone(
    handle: str, zone: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Set where an alias lives (an IANA name such as Europe/Paris)."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        changed = services.accounts.set_time_zone(handle, zone, by=by)
    click.echo(f"{changed.handle} lives in {changed.time_zone}")


@alias.command("set-colour")
@click.argument("handle")
@click.argument("colour")
@signed_in_options
@db_option
def alias_set_colour(
    handle: str, colour: str, as_name: str | None, passphrase_stdin: bool, db: str | None
) -> None:
    """Set the colour the alias wears where one writes as it (#rrggbb, or none)."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        changed = services.accounts.set_colour(handle, colour, by=by)
    click.echo(f"{changed.handle} wears {changed.colour or 'no colour'}")


@alias.command("list")
@db_option
def alias_list(db: str | None) -> None:
    """List aliases: handle, name, language, channels (its own first), time zone."""
    with workspace(db) as services:
        for each in services.accounts.aliases():
            channels = ",".join(services.accounts.channels(each.id))
            fields = (each.handle, each.display_name, each.language, channels, each.time_zone)
            click.echo("\t".join(inert(field) for field in fields))


@alias.command("connect-x")
@click.argument("handle")
@click.option(
    "--consumer-key",
    envvar="CMCONSOLE_X_CONSUMER_KEY",
    help="The X app's API key (default: the one kept already, else asked).",
)
@click.option(
    "--consumer-secret",
    envvar="CMCONSOLE_X_CONSUMER_SECRET",
    help="The X app's API key secret (asked, hidden, when not given).",
)
@click.option("--access-token", help="The account's access token, instead of a PIN.")
@click.option("--access-secret", help="Its secret (asked, hidden, when not given).")
@signed_in_options
@db_option
def alias_connect_x(
    handle: str,
    consumer_key: str | None,
    consumer_secret: str | None,
    access_token: str | None,
    access_secret: str | None,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Connect an alias on x to its X account, and keep its credentials in the OS keyring.

    Prints a link: sign in to X there as the alias, authorise the app and type the PIN X shows.
    The account must be the alias's own (same username). With CMCONSOLE_CREDENTIALS=environment,
    checks the credentials the environment gives instead (nothing is stored)."""
    from cmconsole.credentials import ENVIRONMENT, CredentialStore, XApp
    from cmconsole.wiring import x_connection

    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        tag = known_handle(services, handle)
        found = [each for each in services.accounts.aliases() if each.handle == tag]
        if not found:
            fail(f"there is no alias {handle}", 1)
        # Before anything is asked or kept: only a lead of the alias gives it credentials.
        services.accounts.may_administer(by, tag, "connect its channel accounts")
        store = CredentialStore()
        if store.source == ENVIRONMENT:
            given = store.x_credentials(tag)
            assert given is not None  # the environment store names what is missing instead
            app = XApp(given.consumer_key, given.consumer_secret)
            token, secret = given.access_token, given.access_secret
            connection = x_connection(app.consumer_key, app.consumer_secret)
        else:
            app = _x_app(store.x_app(), consumer_key, consumer_secret)
            connection = x_connection(app.consumer_key, app.consumer_secret)
            if access_token:
                token = access_token.strip()
                secret = access_secret or click.prompt("Access token secret", hide_input=True)
                secret = secret.strip()
            else:
                click.echo(f"Sign in to X as {tag}, authorise the app, then type the PIN X shows:")
                click.echo(f"  {connection.authorization_url()}")
                token, secret = connection.exchange_pin(click.prompt("PIN"))
        account = connection.verify(tag, token, secret)
        if account.username.lower() != tag.lstrip("@").lower():
            fail(  # fail shows what it quotes inert
                f"these credentials act as @{account.username}, not {tag}: sign in to X as "
                f"{tag} and run connect-x again (nothing was stored)",
                1,
            )
        if store.source != ENVIRONMENT:
            if store.x_app() != app:
                store.save_x_app(app)
            store.save_x_account(tag, token, secret, account.user_id, account.username)
        services.accounts.record_channel_connected(
            tag, "x", account.user_id, f"@{account.username}", by=by
        )
        kept_in = store.describe()
    click.echo(
        f"{tag} is connected to the X account @{inert(account.username)} "
        f"(id {inert(account.user_id)}); "
        f"its credentials are in {kept_in}"
    )


def _x_app(kept: "XApp | None", key: str | None, secret: str | None) -> "XApp":
    """The X app's keys: as given (the rest asked), else those kept already, else asked."""
    from cmconsole.credentials import XApp

    if kept is not None and not key and not secret:
        return kept
    key = key or click.prompt("X app consumer key (API key)", hide_input=True)
    secret = secret or click.prompt("X app consumer secret (API key secret)", hide_input=True)
    return XApp(key.strip(), secret.strip())


@click.command()
@click.argument("operator_name", metavar="OPERATOR")
@click.argument("handle", metavar="ALIAS")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@signed_in_options
@db_option
def grant(
    operator_name: str,
    handle: str,
    role: str,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Give OPERATOR a ROLE on ALIAS (or change it); once there is a lead, as a lead of ALIAS."""
    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        services.accounts.grant(operator_name, handle, Role(role), by=by)
    click.echo(f"{operator_name} is now {role} on {handle}")


@click.group("db")
def db_group() -> None:
    """The workspace database itself (PostgreSQL roles)."""


@db_group.command("grants")
@click.option("--role", default="cmconsole_console", show_default=True, help="The console role.")
@click.option(
    "--owner",
    default="cmconsole_owner",
    show_default=True,
    help="The role that owns the tables and runs migrations.",
)
@click.option("--schema", default="public", show_default=True, help="The workspace's schema.")
@db_option
def db_grants(role: str, owner: str, schema: str, db: str | None) -> None:
    """Print the SQL for a PostgreSQL role that consoles and dispatchers connect as.

    It may read and change the working tables but only read and append to the ledger
    (audit_event) and the handovers: no UPDATE, DELETE or TRUNCATE there. The owner keeps
    every right and runs migrations. Nothing is run: read it, then run it with psql."""
    from cmconsole.wiring import console_role_sql, workspace_url

    with reported_errors(exit_code=2):
        sql = console_role_sql(workspace_url(db or group_db()), role, owner, schema)
    click.echo(sql, nl=False)
