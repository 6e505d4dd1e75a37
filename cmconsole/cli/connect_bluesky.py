"""`cmconsole alias connect-bluesky`: sign an alias in to Bluesky with an app password."""

import sys

import click

from cmconsole.cli.common import db_option, fail, known_handle, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.setup import alias
from cmconsole.cli.text import inert


@alias.command("connect-bluesky")
@click.argument("handle")
@click.option(
    "--account",
    required=True,
    help="The Bluesky account: its handle (brand.bsky.social) or DID.",
)
@click.option(
    "--service",
    default="https://bsky.social",
    show_default=True,
    help="The account's PDS (another host for a self-hosted account).",
)
@click.option(
    "--app-password-stdin",
    is_flag=True,
    help="Read the app password from standard input (else asked, hidden).",
)
@signed_in_options
@db_option
def alias_connect_bluesky(
    handle: str,
    account: str,
    service: str,
    app_password_stdin: bool,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Connect an alias on bluesky to its Bluesky account with an APP PASSWORD.

    Create one in Bluesky (Settings, Privacy and security, App passwords): four groups of four
    letters and digits. The account's own password is refused. The session's tokens are kept in
    the OS keyring with the app password, never in the workspace, a log or the screen."""
    from cmconsole.credentials import ENVIRONMENT, BlueskyCredentials, CredentialStore
    from cmconsole.domain.bluesky_keys import is_app_password
    from cmconsole.wiring import bluesky_connection

    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        tag = known_handle(services, handle)
        found = [each for each in services.accounts.aliases() if each.handle == tag]
        if not found:
            fail(f"there is no alias {handle}", 1)
        services.accounts.may_administer(by, tag, "connect its channel accounts")
        store = CredentialStore()
        if store.source == ENVIRONMENT:
            given = store.bluesky_credentials(tag)
            assert given is not None  # the environment store names what is missing instead
            password = given.app_password
        elif app_password_stdin:
            password = sys.stdin.readline().strip()
        elif sys.stdin.isatty():
            password = click.prompt("Bluesky app password", hide_input=True).strip()
        else:
            raise click.UsageError("no terminal to ask for the app password: --app-password-stdin")
        if not is_app_password(password):
            fail(
                "that is not an app password (xxxx-xxxx-xxxx-xxxx): never give the account's "
                "own password; create an app password in Bluesky's settings (nothing was sent)",
                1,
            )
        signed = bluesky_connection(service).sign_in(tag, account.strip(), password)
        if store.source != ENVIRONMENT:
            kept = BlueskyCredentials(signed.handle, password, service, signed.did, signed.session)
            store.save_bluesky_account(tag, kept)
        services.accounts.record_channel_connected(
            tag, "bluesky", signed.did, f"@{signed.handle}", by=by
        )
        kept_in = store.describe()
    click.echo(
        f"{tag} is connected to the Bluesky account @{inert(signed.handle)} "
        f"({inert(signed.did)}); its app password and session are in {kept_in}"
    )
