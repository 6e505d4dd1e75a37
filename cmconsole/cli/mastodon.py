"""`alias connect-mastodon`: sign an alias in on its instance; the token goes to the keyring."""

import click

from cmconsole.cli.common import db_option, fail, known_handle, workspace
from cmconsole.cli.identity import acting_person, signed_in_options
from cmconsole.cli.setup import alias
from cmconsole.cli.text import inert


@alias.command("connect-mastodon")
@click.argument("handle")
@click.option(
    "--instance",
    help="The instance's address, such as https://mastodon.social (with "
    "CMCONSOLE_CREDENTIALS=environment, CMCONSOLE_MASTODON_<HANDLE>_INSTANCE gives it).",
)
@click.option(
    "--access-token",
    is_flag=True,
    help="Type (hidden) a token made in the instance's Development settings, instead of signing "
    "in with a code.",
)
@signed_in_options
@db_option
def alias_connect_mastodon(
    handle: str,
    instance: str | None,
    access_token: bool,
    as_name: str | None,
    passphrase_stdin: bool,
    db: str | None,
) -> None:
    """Connect an alias on mastodon to its account, and keep its token in the OS keyring.

    Registers cmconsole on the instance and prints a link: sign in there as the alias,
    authorise it and type the code the instance shows (it is not echoed). The account must be
    the alias's own (same username). With CMCONSOLE_CREDENTIALS=environment, checks the instance
    and token the environment gives instead (nothing is stored)."""
    from cmconsole.credentials import ENVIRONMENT, CredentialStore, MastodonCredentials
    from cmconsole.domain.channel_limits import PostLimits
    from cmconsole.wiring import mastodon_connection

    with workspace(db) as services:
        by = acting_person(services, as_name, passphrase_stdin)
        tag = known_handle(services, handle)
        found = [each for each in services.accounts.aliases() if each.handle == tag]
        if not found:
            fail(f"there is no alias {handle}", 1)
        services.accounts.may_administer(by, tag, "connect its channel accounts")
        store = CredentialStore()
        app = ("", "")
        if store.source == ENVIRONMENT:
            given = store.mastodon_credentials(tag)
            assert given is not None  # the environment store names what is missing instead
            connection = mastodon_connection(given.instance)
            token = given.access_token
        else:
            if not instance:
                fail("say which instance with --instance URL (such as https://mastodon.social)", 2)
            connection = mastodon_connection(instance)
            if access_token:
                token = click.prompt("Access token", hide_input=True).strip()
            else:
                url = connection.authorization_url()
                click.echo(
                    f"Sign in to {connection.instance} as {tag}, authorise cmconsole, then type "
                    "the code it shows (it is not echoed):"
                )
                click.echo(f"  {url}")
                token = connection.exchange_code(click.prompt("Code", hide_input=True))
                app = connection.app
        account = connection.verify(tag, token)
        if account.username.lower() != tag.lstrip("@").lower():
            fail(
                f"this token acts as @{account.username}, not {tag}: sign in on "
                f"{connection.instance} as {tag} and run connect-mastodon again "
                "(nothing was stored)",
                1,
            )
        limits = connection.limits(tag, token)
        if store.source != ENVIRONMENT:
            kept = MastodonCredentials(
                connection.instance, token, account.account_id, account.username, *app
            )
            store.save_mastodon_account(tag, kept)
        host = connection.instance.removeprefix("https://")
        name = f"@{account.username}@{host}"
        # Kept in the workspace, not with the token: every console checks drafts against it.
        stated = PostLimits(limits.max_characters, limits.characters_reserved_per_url)
        services.accounts.record_channel_connected(
            tag, "mastodon", account.account_id, name, by=by, limits=stated
        )
        kept_in = store.describe()
    click.echo(
        f"{tag} is connected to the Mastodon account {inert(name)} "
        f"(id {inert(account.account_id)}); the instance allows {limits.max_characters} "
        f"characters a post, each link counting {limits.characters_reserved_per_url}; "
        f"its token is in {kept_in}"
    )
